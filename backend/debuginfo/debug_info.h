// The debug info of one kernel image: its vmlinux's DWARF index (cached by build-id), types,
// ELF symbols and line tables, behind name lookups that answer in run-time addresses (the
// KASLR offset applied). What the program layer's Program holds for the kernel; module debug
// info is separate (SymbolTable::load_module, DebugFileFinder).
//
// Addresses: `load_offset` (the KASLR offset, from VMCOREINFO's KERNELOFFSET or the arch layer)
// is added to link-time addresses inside the vmlinux image (ElfFile::image_range); per-CPU
// variables' "addresses" are offsets into a CPU's per-CPU area and are left as they are.
//
// Threading: every method is safe to call from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "debuginfo/dwarf_file.h"
#include "debuginfo/dwarf_index.h"
#include "debuginfo/dwarf_types.h"
#include "debuginfo/index_cache.h"
#include "debuginfo/line_table.h"
#include "debuginfo/symbol_table.h"
#include "debuginfo/type.h"
#include "support/result.h"

namespace vmscope::debuginfo {

struct DebugInfoOptions {
  std::uint64_t load_offset = 0;  // KASLR offset
  IndexOpenOptions index;
};

struct Variable {
  std::string name;
  QualifiedType type;
  std::uint64_t address = 0;         // run-time
  bool address_from_symbol = false;  // DWARF had only a declaration (e.g. jiffies)
};

struct Function {
  std::string name;
  QualifiedType type;                // a function type
  std::uint64_t address = 0;         // run-time entry (the first range's start)
  std::vector<AddressRange> ranges;  // run-time; several for hot/cold split functions
};

struct Constant {
  std::string name;
  QualifiedType type;  // the enum type
  std::uint64_t value = 0;
  bool is_signed = false;
};

class DebugInfo {
 public:
  static Result<std::unique_ptr<DebugInfo>> open(const std::string& vmlinux_path,
                                                 const DebugInfoOptions& options);

  const ElfFile& elf() const { return dwarf_->elf(); }
  const DwarfIndex& index() const { return *index_; }
  const DwarfTypes& types() const { return *types_; }
  const SymbolTable& symbols() const { return *symbols_; }
  const IndexLoadReport& index_report() const { return index_report_; }
  std::uint64_t load_offset() const { return load_offset_; }

  std::uint64_t to_runtime(std::uint64_t link_address) const;
  std::uint64_t to_link(std::uint64_t runtime_address) const;

  // "struct task_struct", "union x", "enum pid_type", "class c", a typedef ("pid_t") or a base
  // type in any spelling ("long unsigned int").
  Result<QualifiedType> find_type(std::string_view name) const;
  // A global variable: DWARF gives the type, DW_OP_addr or else the symbol table the address.
  Result<Variable> find_variable(std::string_view name) const;
  Result<Function> find_function(std::string_view name) const;
  // An enumerator ("TASK_COMM_LEN", "PIDTYPE_PID").
  Result<Constant> find_constant(std::string_view name) const;
  std::optional<SymbolOffset> symbolize(std::uint64_t runtime_address) const {
    return symbols_->symbolize(runtime_address);
  }
  Result<SourceLocation> source_location(std::uint64_t runtime_address) const;

 private:
  DebugInfo() = default;
  std::shared_ptr<const DwarfFile> dwarf_;
  std::shared_ptr<const DwarfIndex> index_;
  std::shared_ptr<DwarfTypes> types_;
  std::unique_ptr<SymbolTable> symbols_;
  std::unique_ptr<LineTable> lines_;
  IndexLoadReport index_report_;
  std::uint64_t load_offset_ = 0;
};

}  // namespace vmscope::debuginfo
