#include "rpc/methods_types.h"

#include "debuginfo/type_layout.h"
#include "program/name_lookup.h"
#include "program/type_expression.h"
#include "rpc/type_json.h"
#include "rpc/wire_values.h"

namespace vmscope::rpc {
namespace {

// A named type as the index has it; otherwise a C type name with pointers, arrays and
// qualifiers ("struct task_struct *", "unsigned long[4]"), resolved as a cast would be.
Result<debuginfo::QualifiedType> find_type(const Program& program,
                                           const debuginfo::DebugInfo& debug,
                                           const std::string& name) {
  auto named = debug.find_type(name);
  if (named.ok() || named.error().code() != ErrorCode::kNotFound) return named;
  DebugInfoLookup names(debug);
  auto written = resolve_type_name(program.memory(), names, name);
  if (written.ok()) return written;
  // A plain unknown name keeps the index's answer; a malformed type expression says where.
  if (written.error().code() == ErrorCode::kSyntaxError ||
      name.find_first_of("*[") != std::string::npos) {
    return written;
  }
  return named;
}

Result<Json> get(server::SessionRegistry& sessions, const Json& params) {
  VMSCOPE_TRY(std::string id, required_string(params, "dumpId"));
  VMSCOPE_TRY(std::string name, required_string(params, "name"));
  std::optional<std::string> member = optional_string(params, "member");
  if (params.is_object() && params.contains("member") && !member) {
    return Error(ErrorCode::kInvalidArgument, "member must be a string", {.name = "member"});
  }
  VMSCOPE_TRY(server::OpenDump dump, sessions.get(id));
  const Program& program = dump.target->program();
  VMSCOPE_TRY(const debuginfo::DebugInfo* debug, program.require_debug_info("types"));
  VMSCOPE_TRY(debuginfo::QualifiedType type, find_type(program, *debug, name));
  if (member) {
    // The type of a member (through anonymous members, with [i] into arrays): how a client
    // reaches the anonymous struct or union a member is declared with.
    VMSCOPE_TRY(debuginfo::MemberLocation location, debuginfo::resolve_designator(type, *member));
    type = location.type;
  }
  return type_json(type);
}

}  // namespace

void register_type_methods(Dispatcher& dispatcher, server::SessionRegistry& sessions) {
  dispatcher.add("types/get",
                 [&sessions](const Json& params, const RequestContext&) -> Result<Json> {
                   return get(sessions, params);
                 });
}

}  // namespace vmscope::rpc
