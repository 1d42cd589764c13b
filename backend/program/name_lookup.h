// Where an expression finds the names it uses: types, global variables, functions and
// enumerators. drgn calls these finders; here it is one small interface so the evaluator and
// the walkers' layout helpers work on a kernel's debug info (DebugInfoLookup) or on hand-made
// tables in tests. Lookups return kNotFound with payload.name for an unknown name.
//
// Threading: implementations must be safe to call from several threads (DebugInfo is).
#pragma once

#include <string_view>

#include "debuginfo/debug_info.h"
#include "debuginfo/type.h"
#include "support/result.h"

namespace vmscope {

class NameLookup {
 public:
  virtual ~NameLookup() = default;
  // "struct task_struct", "union x", "enum pid_type", a typedef or a base type.
  virtual Result<debuginfo::QualifiedType> find_type(std::string_view name) const = 0;
  virtual Result<debuginfo::Variable> find_variable(std::string_view name) const = 0;
  virtual Result<debuginfo::Function> find_function(std::string_view name) const = 0;
  virtual Result<debuginfo::Constant> find_constant(std::string_view name) const = 0;
};

// The names of one kernel image's debug info (its vmlinux; addresses are run-time ones).
class DebugInfoLookup final : public NameLookup {
 public:
  explicit DebugInfoLookup(const debuginfo::DebugInfo& info) : info_(info) {}
  Result<debuginfo::QualifiedType> find_type(std::string_view name) const override {
    return info_.find_type(name);
  }
  Result<debuginfo::Variable> find_variable(std::string_view name) const override {
    return info_.find_variable(name);
  }
  Result<debuginfo::Function> find_function(std::string_view name) const override {
    return info_.find_function(name);
  }
  Result<debuginfo::Constant> find_constant(std::string_view name) const override {
    return info_.find_constant(name);
  }

 private:
  const debuginfo::DebugInfo& info_;
};

}  // namespace vmscope
