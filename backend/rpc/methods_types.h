// types/get: a named type of the dump's kernel ("struct task_struct", "pid_t", "enum
// pid_type", "unsigned long") with its size, members (offsets, bit fields, member types),
// enumerators or typedef target, shaped by rpc/type_json.h as protocol-spec/openrpc.json's
// TypeInfo schema says. The name may also be a C type name with pointers, arrays and
// qualifiers ("struct task_struct *", "unsigned long[4]"), and `member` (a designator as in
// offsetof: "tasks", "pids[1].node", a member of an anonymous struct/union) asks for that
// member's type instead — how a client reaches types that have no name of their own.
#pragma once

#include "rpc/dispatcher.h"
#include "server/session_registry.h"

namespace vmscope::rpc {

void register_type_methods(Dispatcher& dispatcher, server::SessionRegistry& sessions);

}  // namespace vmscope::rpc
