// x86_64 page-table walk over a dump's physical memory: 4-level (PML4) and 5-level (PML5)
// paging, 1 GiB and 2 MiB large pages, and the memory-encryption mask (AMD SME/SEV: the C-bit
// set in entries, VMCOREINFO NUMBER(sme_mask)).
//
// Errors (payload .address = the virtual address, .level = the paging level that failed,
// 5..1 with 1 = PTE, .physical = the entry's physical address where one was read):
//   kInvalidArgument   the address is not canonical for the paging mode
//   kAddressNotMapped  an entry on the way is not present
//   any error of the PhysicalMemory read of an entry (the table itself is excluded/absent/
//   outside the dump), with the level added as context
// Stateless and thread-safe; the caller caches if it wants to.
#pragma once

#include <cstdint>

#include "arch/translation.h"
#include "dump/physical_memory.h"

namespace vmscope {

class X86_64PageTable final : public AddressTranslator {
 public:
  // `root` is the physical address of the top-level table (CR3 without flag bits, or the
  // physical address of init_top_pgt / swapper_pg_dir).
  X86_64PageTable(const PhysicalMemory& memory, std::uint64_t root, bool five_level,
                  std::uint64_t encryption_mask = 0)
      : memory_(memory), root_(root), five_level_(five_level), encryption_mask_(encryption_mask) {}

  Result<Translation> translate(std::uint64_t vaddr) const override;

  bool five_level() const { return five_level_; }
  std::uint64_t root() const { return root_; }

  // Whether `vaddr` is canonical: bits above 47 (4-level) or 56 (5-level) copy the top bit.
  static bool is_canonical(std::uint64_t vaddr, bool five_level);

 private:
  const PhysicalMemory& memory_;
  std::uint64_t root_;
  bool five_level_;
  std::uint64_t encryption_mask_;
};

}  // namespace vmscope
