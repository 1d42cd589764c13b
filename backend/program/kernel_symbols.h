// The symbols the kernel itself knew at the time of the dump: its kallsyms tables and every
// loaded module's symtab, both read from memory (kallsyms_reader.h, module_kallsyms.h). The
// fallback when the vmlinux's .symtab lacks a name or an address — or there is no vmlinux.
//
// Answers follow the kernel's own rules (kernel/kallsyms.c, kernel/module/kallsyms.c):
//   address -> symbol: an address inside a module's memory is named from that module's symbols
//     (the closest one at or below it, the first in table order on a tie), otherwise from the
//     kernel's table when the address lies in [_stext, _end] (the closest one at or below it,
//     the first of aliases). The kernel's symbols carry no size: a symbol's size is the distance
//     to the next higher address, as kallsyms reports it; a module symbol keeps its st_size.
//   name -> symbol: the strongest binding (upper-case type letters are global, w/W/v/V weak),
//     the kernel before modules, then table order.
//
// Threading: immutable after build(); safe to share.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "debuginfo/symbol_table.h"
#include "program/kallsyms_reader.h"
#include "program/module_kallsyms.h"

namespace vmscope {

struct KernelSymbol {
  std::string_view name;
  std::uint64_t address = 0;
  std::uint64_t size = 0;   // 0: unknown
  char type = '?';          // nm's letter
  std::string_view module;  // empty for the kernel image

  debuginfo::SymbolKind kind() const;        // t/T/w/W -> func, d/D/b/B/r/R/v/V -> object
  debuginfo::SymbolBinding binding() const;  // upper-case global, w/W/v/V weak, else local
};

struct KernelSymbolOffset {
  KernelSymbol symbol;
  std::uint64_t offset = 0;
  // "name+0x1c", with " [module]" for module symbols (crash's spelling).
  std::string to_string() const;
};

class KernelSymbols {
 public:
  static std::unique_ptr<KernelSymbols> build(KallsymsTable kernel, ModulesKallsyms modules,
                                              std::string source);

  std::optional<KernelSymbol> find(std::string_view name) const;
  std::vector<KernelSymbol> find_all(std::string_view name) const;
  std::optional<KernelSymbolOffset> symbolize(std::uint64_t address) const;

  // The i-th symbol (i < size()): the kernel's in table order, then each module's.
  KernelSymbol symbol(std::size_t i) const { return symbol_of(entries_[i]); }
  std::size_t kernel_symbol_count() const { return kernel_count_; }
  std::size_t module_count() const { return modules_.size(); }
  std::size_t size() const { return entries_.size(); }
  KallsymsAddressing addressing() const { return addressing_; }
  // Where the kernel's tables were found ("VMCOREINFO", "vmlinux symbols").
  const std::string& source() const { return source_; }
  // What could not be read (a module's symbols, a looping list), for reports.
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  struct Entry {
    std::string name;
    std::uint64_t address;
    std::uint64_t size;
    char type;
    std::int32_t module;  // index into modules_, -1 for the kernel
  };
  struct Module {
    std::string name;
    std::vector<debuginfo::AddressRange> ranges;
    std::vector<std::uint32_t> by_address;  // its entries, sorted by (address, table order)
  };

  KernelSymbols() = default;
  KernelSymbol symbol_of(const Entry& e) const;
  std::optional<KernelSymbolOffset> symbolize_in_module(const Module& module,
                                                        std::uint64_t address) const;

  std::vector<Entry> entries_;  // kernel symbols (table order), then each module's
  std::size_t kernel_count_ = 0;
  std::vector<std::uint32_t> by_name_;     // sorted by (name, binding strength, index)
  std::vector<std::uint32_t> by_address_;  // kernel symbols sorted by (address, index)
  std::vector<Module> modules_;
  std::optional<debuginfo::AddressRange> kernel_range_;  // [_stext, _end]
  KallsymsAddressing addressing_ = KallsymsAddressing::kRelative;
  std::string source_;
  std::vector<std::string> problems_;
};

}  // namespace vmscope
