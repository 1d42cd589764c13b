// dump/open, dump/close, dump/list, memory/read, memory/translate: the methods that manage
// open dumps and read their kernel memory. Wire shapes are specified in
// protocol-spec/openrpc.json.
#pragma once

#include "rpc/dispatcher.h"
#include "server/session_registry.h"

namespace vmscope::rpc {

void register_dump_methods(Dispatcher& dispatcher, server::SessionRegistry& sessions);

}  // namespace vmscope::rpc
