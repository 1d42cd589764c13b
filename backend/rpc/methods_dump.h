// dump/open, dump/close, dump/list, memory/read, memory/translate: the methods that manage
// open dumps and read their kernel memory. Wire shapes are specified in
// protocol-spec/openrpc.json. With a receiver (`vmscope serve --receive`), dump/list also shows
// the received dumps of its catalog and dump/open opens one by its receivedId.
#pragma once

#include "rpc/dispatcher.h"
#include "server/receiver_service.h"
#include "server/session_registry.h"

namespace vmscope::rpc {

// `receiver` may be null (no receiver running): then no dump is received.
void register_dump_methods(Dispatcher& dispatcher, server::SessionRegistry& sessions,
                           server::ReceiverService* receiver = nullptr);

}  // namespace vmscope::rpc
