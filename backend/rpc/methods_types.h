// types/get: a named type of the dump's kernel ("struct task_struct", "pid_t", "enum
// pid_type", "unsigned long") with its size, members (offsets, bit fields, member types),
// enumerators or typedef target, shaped by rpc/type_json.h as protocol-spec/openrpc.json's
// TypeInfo schema says.
#pragma once

#include "rpc/dispatcher.h"
#include "server/session_registry.h"

namespace vmscope::rpc {

void register_type_methods(Dispatcher& dispatcher, server::SessionRegistry& sessions);

}  // namespace vmscope::rpc
