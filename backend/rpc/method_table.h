// The one place every protocol method is registered, for every front door: `vmscope call`
// (in-process) and `vmscope serve` (stdio, HTTP). Adding a method: write its handler in
// rpc/methods_<area>.cpp, specify it in protocol-spec/openrpc.json, and add one line to
// register_all_methods(); if it needs a server part (sessions, caches), add that part to
// MethodEnvironment. tests/unit/rpc/method_table_test.cpp checks that the registered methods
// and the specified ones are the same set.
#pragma once

#include "rpc/dispatcher.h"
#include "rpc/methods_server.h"
#include "server/receiver_service.h"
#include "server/session_registry.h"

namespace vmscope::rpc {

// The server parts handlers work on. The caller owns them and keeps them alive as long as
// the dispatcher.
struct MethodEnvironment {
  server::SessionRegistry* sessions = nullptr;  // dump/*, memory/*: required
  server::ReceiverService* receiver = nullptr;  // received dumps in dump/*: optional
  ServerStatusProbe status;                     // server/status: required
  bool test_methods = false;                    // test/sleep (serve --test-methods)
};

void register_all_methods(Dispatcher& dispatcher, const MethodEnvironment& environment);

}  // namespace vmscope::rpc
