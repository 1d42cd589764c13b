// The sorted, de-duplicated names of a linked ELF file's symbols (the vmlinux's .symtab) and of
// other sources (the kernel's kallsyms and the modules' symtabs read from the dump's memory,
// kernel_symbols.h), for browsing by prefix or pattern (`symbols/search`). Only names are kept:
// what a name stands for (address with KASLR applied, size, kind, binding) is asked of debuginfo's
// SymbolTable, so both answers follow one rule.
//
// Why here: debuginfo's SymbolTable answers name -> symbol and address -> symbol but has no way
// to list its names; this reads the same .symtab again through its own ElfFile (libelf handles
// are not shared across threads) and keeps the same symbols SymbolTable keeps (defined ones,
// not section or file symbols). If SymbolTable grows an iteration API, this becomes a view of it.
//
// Threading: immutable after load(); safe to share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/result.h"

namespace vmscope {

class SymbolCatalog {
 public:
  // Reads the .symtab of the linked ELF file at `path`. kNotFound if it has none.
  static Result<std::unique_ptr<SymbolCatalog>> load(const std::string& path);
  // For tests and other sources: `names` in any order, duplicates allowed.
  static std::unique_ptr<SymbolCatalog> from_names(std::vector<std::string> names);
  // `base` (may be null) with `names` added, sorted and de-duplicated again.
  static std::unique_ptr<SymbolCatalog> merge(std::unique_ptr<SymbolCatalog> base,
                                              const std::vector<std::string_view>& names);

  std::size_t size() const { return offsets_.size(); }
  // The i-th name in byte-wise sorted order.
  std::string_view name(std::size_t i) const;
  // The index of the first name >= `key` (size() if none): names with a prefix are the run
  // starting there.
  std::size_t lower_bound(std::string_view key) const;

 private:
  SymbolCatalog() = default;
  void finish();                        // sorts and de-duplicates offsets_
  std::string text_;                    // NUL-terminated names back to back
  std::vector<std::uint32_t> offsets_;  // into text_, sorted by name
};

}  // namespace vmscope
