#include "rpc/methods_types.h"

#include "debuginfo/member_designator.h"
#include "program/name_lookup.h"
#include "program/program_names.h"
#include "program/type_expression.h"
#include "rpc/type_json.h"
#include "rpc/wire_values.h"

namespace vmscope::rpc {
namespace {

// A named type as the index has it (the vmlinux's, else a loaded module's, or only `module`'s
// when given); otherwise any C type name ("struct task_struct *", "unsigned long [4]",
// "void (*)(struct work_struct *)"), parsed into the type graph.
Result<debuginfo::QualifiedType> find_type(const Program& program,
                                           const debuginfo::DebugInfo& debug,
                                           const std::string& name, const std::string& module) {
  // A module that cannot be loaded (not loaded in the dump, no debug file, another build) is
  // the answer itself, not "no such type".
  if (!module.empty()) VMSCOPE_CHECK(program.module_debug().load(module));
  ProgramNameLookup names(debug, program.module_debug(), module);
  auto named = names.find_type(name);
  if (named.ok() || named.error().code() != ErrorCode::kNotFound) return named;
  // A plain unknown name and a malformed type name both come back with their column.
  return resolve_type_name(program.memory(), names, name);
}

Result<Json> get(server::SessionRegistry& sessions, const Json& params) {
  VMSCOPE_TRY(std::string id, required_string(params, "dumpId"));
  VMSCOPE_TRY(std::string name, required_string(params, "name"));
  std::optional<std::string> member = optional_string(params, "member");
  if (params.is_object() && params.contains("member") && !member) {
    return Error(ErrorCode::kInvalidArgument, "member must be a string", {.name = "member"});
  }
  std::optional<std::string> module = optional_string(params, "module");
  if (params.is_object() && params.contains("module") && (!module || module->empty())) {
    return Error(ErrorCode::kInvalidArgument, "module must be a module's name", {.name = "module"});
  }
  VMSCOPE_TRY(server::OpenDump dump, sessions.get(id));
  const Program& program = dump.target->program();
  VMSCOPE_TRY(const debuginfo::DebugInfo* debug, program.require_debug_info("types"));
  VMSCOPE_TRY(debuginfo::QualifiedType type, find_type(program, *debug, name, module.value_or("")));
  if (member) {
    // The type of a member (through anonymous members, with [i] into arrays), or of an
    // anonymous member itself by position ("#1", "#1.#0"): how a client reaches types without a
    // name of their own.
    VMSCOPE_TRY(debuginfo::MemberLocation location,
                debuginfo::resolve_member_designator(type, *member));
    type = location.type;
  }
  return type_json(type, member.value_or(""));
}

}  // namespace

void register_type_methods(Dispatcher& dispatcher, server::SessionRegistry& sessions) {
  dispatcher.add("types/get",
                 [&sessions](const Json& params, const RequestContext&) -> Result<Json> {
                   return get(sessions, params);
                 });
}

}  // namespace vmscope::rpc
