#include "rpc/method_table.h"

#include "rpc/methods_discover.h"
#include "rpc/methods_dump.h"

namespace vmscope::rpc {

void register_all_methods(Dispatcher& dispatcher, const MethodEnvironment& environment) {
  register_discover(dispatcher);
  register_dump_methods(dispatcher, *environment.sessions);
  register_server_methods(dispatcher, environment.status);
  if (environment.test_methods) register_test_methods(dispatcher);
}

}  // namespace vmscope::rpc
