#include "rpc/methods_kernel.h"

#include "rpc/wire_values.h"

namespace vmscope::rpc {

Result<KernelMethods::Dump> KernelMethods::dump(const Json& params) const {
  VMSCOPE_TRY(std::string id, required_string(params, "dumpId"));
  VMSCOPE_TRY(server::OpenDump dump, sessions.get(id));
  auto kept = facts->facts(dump);
  return Dump{std::move(dump), std::move(kept)};
}

std::uint64_t page_size_of(const server::KernelFacts& facts) {
  return facts.target().vmcoreinfo().page_size().value_or(4096);
}

void register_kernel_methods(Dispatcher& dispatcher, server::SessionRegistry& sessions) {
  // The handlers share one cache; each holds it, so it lives as long as the dispatcher.
  KernelMethods methods{sessions, std::make_shared<server::KernelFactsCache>(sessions)};
  register_sys_methods(dispatcher, methods);
  register_task_methods(dispatcher, methods);
  register_log_methods(dispatcher, methods);
  register_module_methods(dispatcher, methods);
  register_triage_methods(dispatcher, methods);
  register_kernel_command_methods(dispatcher, methods);
}

}  // namespace vmscope::rpc
