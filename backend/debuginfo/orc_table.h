// ORC unwind tables of a kernel image or module: `.orc_unwind_ip` (one s32 per entry, the
// entry's code address relative to the s32's own address) and `.orc_unwind` (the entries, in
// the build's `struct orc_entry` format, arch/x86_64_orc.h), turned into a sorted table of
// run-time addresses with a binary-search lookup.
//
// Where the bytes come from is the caller's choice: the vmlinux's sections (from_elf, moved by
// the KASLR offset — relative offsets make the table position-independent, so only the base
// moves), or a module's tables read from the dump's memory at mod->arch.orc_unwind_ip /
// orc_unwind (build), which are already at their run-time addresses.
//
// The kernel sorts vmlinux's tables at build time and modules' at load time; a table that
// arrives unsorted is sorted here. When two entries share an address (a compilation unit's
// terminator next to the following unit's first entry), the real entry wins over the
// terminator, as in drgn.
//
// Threading: immutable after construction; safe to share.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "arch/x86_64_orc.h"
#include "debuginfo/debug_info.h"
#include "support/result.h"

namespace vmscope::debuginfo {

// The `struct orc_entry` layout of this kernel build, from its DWARF: member byte offsets of
// sp_offset/bp_offset, the bit positions of sp_reg, bp_reg, type, and of `end`/`signal` where
// they exist. Only when the DWARF has no such struct does it fall back to a documented layout
// (chosen by the presence of a `.orc_header` section, which kernels with the 3-bit type carry),
// and `origin` says so.
Result<OrcEntryFormat> orc_entry_format(const DebugInfo& debug);
// The same from a type (tests build one by hand).
Result<OrcEntryFormat> orc_entry_format_from_type(const QualifiedType& orc_entry);

class OrcTable {
 public:
  // Upper bound on entries (a corrupt num_orcs must not allocate gigabytes): vmlinux has a few
  // hundred thousand.
  static constexpr std::size_t kMaxEntries = 1u << 23;

  OrcTable() = default;

  // `ip_section`: the .orc_unwind_ip bytes, whose first s32 is at run-time address
  // `ip_section_address`; `entries`: the .orc_unwind bytes. kCorrupt if the counts disagree or
  // the format is undecodable, kLimitExceeded above kMaxEntries.
  static Result<OrcTable> build(std::span<const std::byte> ip_section,
                                std::uint64_t ip_section_address,
                                std::span<const std::byte> entries, const OrcEntryFormat& format);

  // The .orc_unwind_ip and .orc_unwind sections of an ELF file (the vmlinux), with
  // `load_offset` (KASLR) added to the addresses. kNotFound if the file has no ORC sections.
  static Result<OrcTable> from_elf(const std::string& path, const OrcEntryFormat& format,
                                   std::uint64_t load_offset);

  // The entry covering `pc`: the last one whose address is <= pc. nullopt when the table is
  // empty or pc lies outside [first address, last address] (the last entry is the terminator
  // at the end of the code, so nothing beyond it is covered).
  std::optional<OrcEntry> find(std::uint64_t pc) const;

  std::size_t size() const { return addresses_.size(); }
  bool empty() const { return addresses_.empty(); }
  std::uint64_t first_address() const { return addresses_.empty() ? 0 : addresses_.front(); }
  std::uint64_t last_address() const { return addresses_.empty() ? 0 : addresses_.back(); }
  // Whether the input needed sorting (vmlinux's never should).
  bool was_sorted_here() const { return sorted_here_; }

 private:
  std::vector<std::uint64_t> addresses_;
  std::vector<OrcEntry> entries_;
  bool sorted_here_ = false;
};

}  // namespace vmscope::debuginfo
