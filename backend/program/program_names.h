// The names of a whole program: the main image's debug info first (the vmlinux), then the
// loaded modules' (program/module_debug.h), as drgn searches every loaded debug file. A name
// the vmlinux lacks loads the modules' debug files on first use; a module that cannot be loaded
// is skipped (its error is what load() returns). With a module qualifier only that module is
// searched, and a module that cannot be loaded is the error.
//
// Threading: safe from several threads (DebugInfo and ModuleDebugInfos are).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "debuginfo/debug_info.h"
#include "program/module_debug.h"
#include "program/name_lookup.h"

namespace vmscope {

class ProgramNameLookup final : public NameLookup {
 public:
  // `module` empty: every image, the vmlinux first.
  ProgramNameLookup(const debuginfo::DebugInfo& main, const ModuleDebugInfos& modules,
                    std::string module = {})
      : main_(main), modules_(modules), module_(std::move(module)) {}

  Result<debuginfo::QualifiedType> find_type(std::string_view name) const override;
  Result<debuginfo::Variable> find_variable(std::string_view name) const override;
  Result<debuginfo::Function> find_function(std::string_view name) const override;
  Result<debuginfo::Constant> find_constant(std::string_view name) const override;

 private:
  // A name the vmlinux has as a variable, function or enumerator is not searched for in the
  // modules: `schedule`, looked up as a variable first, must not load every module's debug file.
  template <typename T, typename MainFind, typename ModuleFind>
  Result<T> search(std::string_view object_name, MainFind main_find, ModuleFind module_find) const;

  const debuginfo::DebugInfo& main_;
  const ModuleDebugInfos& modules_;
  std::string module_;
};

}  // namespace vmscope
