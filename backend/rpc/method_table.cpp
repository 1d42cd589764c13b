#include "rpc/method_table.h"

#include "rpc/dump_states.h"
#include "rpc/methods_discover.h"
#include "rpc/methods_dump.h"
#include "rpc/methods_kernel.h"
#include "rpc/methods_symbols.h"
#include "rpc/methods_types.h"
#include "rpc/methods_values.h"

namespace vmscope::rpc {

void register_all_methods(Dispatcher& dispatcher, const MethodEnvironment& environment) {
  register_discover(dispatcher);
  register_dump_methods(dispatcher, *environment.sessions, environment.receiver);
  register_kernel_methods(dispatcher, *environment.sessions);
  // Value handles and symbol names live per dump session (rpc/dump_states.h).
  auto dump_states = std::make_shared<DumpStates>(*environment.sessions);
  register_symbol_methods(dispatcher, dump_states);
  register_type_methods(dispatcher, *environment.sessions);
  register_value_methods(dispatcher, dump_states);
  register_server_methods(dispatcher, environment.status);
  if (environment.test_methods) register_test_methods(dispatcher);
}

}  // namespace vmscope::rpc
