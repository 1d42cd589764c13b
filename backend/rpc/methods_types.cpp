#include "rpc/methods_types.h"

#include "rpc/type_json.h"
#include "rpc/wire_values.h"

namespace vmscope::rpc {

void register_type_methods(Dispatcher& dispatcher, server::SessionRegistry& sessions) {
  dispatcher.add("types/get",
                 [&sessions](const Json& params, const RequestContext&) -> Result<Json> {
                   VMSCOPE_TRY(std::string id, required_string(params, "dumpId"));
                   VMSCOPE_TRY(std::string name, required_string(params, "name"));
                   VMSCOPE_TRY(server::OpenDump dump, sessions.get(id));
                   VMSCOPE_TRY(const debuginfo::DebugInfo* debug,
                               dump.target->program().require_debug_info("types"));
                   VMSCOPE_TRY(debuginfo::QualifiedType type, debug->find_type(name));
                   return type_json(type);
                 });
}

}  // namespace vmscope::rpc
