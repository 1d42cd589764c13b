// modules/list: loaded modules (crash's `mod`), with their debug files when found.
#include "rpc/methods_kernel.h"
#include "rpc/methods_kernel_wire.h"

namespace vmscope::rpc {

void register_module_methods(Dispatcher& dispatcher, const KernelMethods& methods) {
  dispatcher.add("modules/list",
                 [methods](const Json& params, const RequestContext& context) -> Result<Json> {
                   VMSCOPE_TRY(KernelMethods::Dump d, methods.dump(params));
                   VMSCOPE_TRY(auto modules, d.facts->modules(context.cancel));
                   Json list = Json::array();
                   for (const kernel::KernelModule& m : modules->modules) {
                     list.push_back(module_json(m));
                   }
                   return Json{{"modules", std::move(list)},
                               {"partial", modules->partial()},
                               {"problems", problems_json(modules->problems)}};
                 });
}

}  // namespace vmscope::rpc
