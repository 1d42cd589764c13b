#include "program/program_names.h"

namespace vmscope {

namespace {

bool main_has_object(const debuginfo::DebugInfo& main, std::string_view name) {
  const debuginfo::DwarfIndex& index = main.index();
  return !index.find_variables(name).empty() || !index.find_functions(name).empty() ||
         !index.find_enumerators(name).empty();
}

}  // namespace

template <typename T, typename MainFind, typename ModuleFind>
Result<T> ProgramNameLookup::search(std::string_view object_name, MainFind main_find,
                                    ModuleFind module_find) const {
  if (!module_.empty()) {
    VMSCOPE_TRY(const debuginfo::ModuleDebugInfo* info, modules_.load(module_));
    return module_find(*info);
  }
  Result<T> found = main_find();
  if (found.ok() || found.error().code() != ErrorCode::kNotFound) return found;
  if (!object_name.empty() && main_has_object(main_, object_name)) return found;
  for (const debuginfo::ModuleDebugInfo* info : modules_.load_all()) {
    Result<T> in_module = module_find(*info);
    // A module that has the name but cannot give it (a variable in freed init memory) says so.
    if (in_module.ok() || in_module.error().code() != ErrorCode::kNotFound ||
        debuginfo::ModuleDebugInfo::is_not_loaded(in_module.error())) {
      return in_module;
    }
  }
  return found;  // the vmlinux's kNotFound: the name is nowhere
}

Result<debuginfo::QualifiedType> ProgramNameLookup::find_type(std::string_view name) const {
  // A struct the vmlinux only declares (its definition lives in a module, as drgn finds it in
  // any loaded file) is completed from the first module that defines it.
  if (module_.empty()) {
    auto main = main_.find_type(name);
    if (main.ok() && !main->type->is_complete()) {
      for (const debuginfo::ModuleDebugInfo* info : modules_.load_all()) {
        auto in_module = info->find_type(name);
        if (in_module.ok() && in_module->type->is_complete()) return in_module;
      }
      return main;
    }
  }
  return search<debuginfo::QualifiedType>(
      name, [&] { return main_.find_type(name); },
      [&](const debuginfo::ModuleDebugInfo& m) { return m.find_type(name); });
}

Result<debuginfo::Variable> ProgramNameLookup::find_variable(std::string_view name) const {
  return search<debuginfo::Variable>(
      name, [&] { return main_.find_variable(name); },
      [&](const debuginfo::ModuleDebugInfo& m) { return m.find_variable(name); });
}

Result<debuginfo::Function> ProgramNameLookup::find_function(std::string_view name) const {
  return search<debuginfo::Function>(
      name, [&] { return main_.find_function(name); },
      [&](const debuginfo::ModuleDebugInfo& m) { return m.find_function(name); });
}

Result<debuginfo::Constant> ProgramNameLookup::find_constant(std::string_view name) const {
  return search<debuginfo::Constant>(
      name, [&] { return main_.find_constant(name); },
      [&](const debuginfo::ModuleDebugInfo& m) { return m.find_constant(name); });
}

}  // namespace vmscope
