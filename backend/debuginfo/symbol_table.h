// ELF symbol tables: the vmlinux's .symtab with the KASLR offset applied, and kernel modules'
// .symtab placed at the section addresses the caller supplies.
//
// address -> symbol+offset follows drgn's rule (libdrgn elf_symtab.c), so answers agree with
// the oracle recordings:
//  1. among symbols with a size that contain the address, take the one starting closest below
//     it; on a tie the smaller one; then the stronger binding (GLOBAL/UNIQUE > WEAK > LOCAL);
//     then the first in the table;
//  2. if none contains it, a size-0 symbol (hand-written assembly) at or below the address is
//     taken as extending to the next symbol: the closest one (stronger binding on a tie), if no
//     sized symbol starting before it reaches past it and the address is in its section.
//  Section, file and TLS symbols and undefined ones never match an address.
// name -> symbol: the strongest binding; among equals the first in the table (static functions
// share names: find_all() returns every one).
//
// KASLR: addresses inside the vmlinux's loaded image (ElfFile::image_range, its end included)
// move by the offset; others do not (per-CPU symbols are offsets from a CPU's per-CPU base, at
// link address 0+).
//
// Threading: immutable after construction; safe to share.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "debuginfo/elf_file.h"
#include "support/result.h"

namespace vmscope::debuginfo {

enum class SymbolKind : std::uint8_t { kNone, kObject, kFunction, kSection, kFile, kTls, kOther };
enum class SymbolBinding : std::uint8_t { kLocal, kGlobal, kWeak, kUnique, kOther };

std::string_view symbol_kind_name(SymbolKind kind);           // "none", "object", "func", ...
std::string_view symbol_binding_name(SymbolBinding binding);  // "local", "global", ...

struct Symbol {
  std::string_view name;  // points into the table; valid while it lives
  std::uint64_t address = 0;
  std::uint64_t size = 0;
  SymbolKind kind = SymbolKind::kNone;
  SymbolBinding binding = SymbolBinding::kLocal;
};

struct SymbolOffset {
  Symbol symbol;
  std::uint64_t offset = 0;  // address - symbol.address
  // "name+0x1c" ("name" at offset 0), as crash and drgn print it.
  std::string to_string() const;
};

class SymbolTable {
 public:
  // The .symtab of a linked file (vmlinux), with `load_offset` (the KASLR offset) added to the
  // addresses inside its image. kNotFound if the file has no .symtab.
  static Result<std::unique_ptr<SymbolTable>> from_elf(const ElfFile& file,
                                                       std::uint64_t load_offset);
  static Result<std::unique_ptr<SymbolTable>> load(const std::string& path,
                                                   std::uint64_t load_offset);
  // A relocatable module (.ko): each symbol's address is its section's address from
  // `section_addresses` (".text" -> 0xffffffffc0a00000, as the kernel's module sect_attrs list
  // them) plus its value. Symbols of sections not in the map (.init.* after load, discarded
  // sections) are dropped; absolute symbols keep their value.
  static Result<std::unique_ptr<SymbolTable>> load_module(
      const std::string& path, const std::map<std::string, std::uint64_t>& section_addresses);

  std::optional<Symbol> find(std::string_view name) const;
  std::vector<Symbol> find_all(std::string_view name) const;
  std::optional<SymbolOffset> symbolize(std::uint64_t address) const;

  std::size_t size() const { return entries_.size(); }
  std::uint64_t load_offset() const { return load_offset_; }

 private:
  struct Entry {
    std::uint32_t name;         // offset in names_
    std::uint32_t table_index;  // position in the ELF symtab (tie-break)
    std::uint32_t section;      // index into sections_, or UINT32_MAX
    std::uint64_t address;
    std::uint64_t size;
    SymbolKind kind;
    SymbolBinding binding;
    bool addressable;  // may match an address lookup
  };
  struct SectionRange {
    std::uint64_t begin, end;  // run-time
  };

  SymbolTable() = default;
  static Result<std::unique_ptr<SymbolTable>> build(
      const ElfFile& file, std::uint64_t load_offset,
      const std::map<std::string, std::uint64_t>* section_addresses);
  Symbol symbol_of(const Entry& e) const;

  std::uint64_t load_offset_ = 0;
  std::string names_;
  std::vector<Entry> entries_;  // every defined symbol, in table order
  // (hash of the name, index into entries_), sorted: a name's symbols are adjacent and in table
  // order. Sorting integers is ~10x faster than sorting 119k kernel names as strings.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> by_name_;
  std::vector<std::uint32_t> by_address_;  // addressable entries, sorted by (address, index)
  std::vector<std::uint64_t> max_end_;     // max(address + size) over by_address_[0..i]
  std::vector<SectionRange> sections_;
};

// The module-symbols entry point the kernel model calls once it has read a module's section
// addresses from `struct module` (same as SymbolTable::load_module).
inline Result<std::unique_ptr<SymbolTable>> load_module_symbols(
    const std::string& path, const std::map<std::string, std::uint64_t>& section_addresses) {
  return SymbolTable::load_module(path, section_addresses);
}

}  // namespace vmscope::debuginfo
