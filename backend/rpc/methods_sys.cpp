// sys/info: crash's `sys` facts of the dump.
#include "rpc/methods_kernel.h"
#include "rpc/methods_kernel_wire.h"

namespace vmscope::rpc {

void register_sys_methods(Dispatcher& dispatcher, const KernelMethods& methods) {
  dispatcher.add("sys/info",
                 [methods](const Json& params, const RequestContext& context) -> Result<Json> {
                   VMSCOPE_TRY(KernelMethods::Dump d, methods.dump(params));
                   VMSCOPE_TRY(auto sys, d.facts->sys(context.cancel));
                   Json result = sys_json(*sys);
                   result["partial"] = sys->partial();
                   result["problems"] = problems_json(sys->problems);
                   return result;
                 });
}

}  // namespace vmscope::rpc
