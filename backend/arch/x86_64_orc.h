// x86_64 ORC unwind entries (the kernel's `struct orc_entry`, objtool's output) and how to
// decode one from the bytes of a kernel build.
//
// An ORC entry says, for a range of code addresses, how to find the caller's frame: the previous
// stack pointer as a base register plus an offset (sp_reg/sp_offset), where the caller's frame
// pointer was saved (bp_reg/bp_offset), and what kind of frame this is (a call frame with the
// return address just below the previous SP, a full `struct pt_regs`, or only its IRET part).
//
// The on-disk entry is an ABI of each kernel build, not of Linux: its bit fields moved (v6.3
// added `signal`, v6.4 widened `type` to 3 bits, renumbered the types and dropped `end`). So
// the layout is described by an OrcEntryFormat, which debuginfo/orc_table.h fills from the
// vmlinux's DWARF `struct orc_entry` (member offsets and bit positions), and every entry is
// decoded into the one normalised OrcEntry below. What the format cannot say in DWARF — the
// numbering of `type` — follows from what the struct has: a 2-bit `type` is the older numbering
// (CALL 0, REGS 1, REGS_PARTIAL 2; "undefined" and "end of stack" expressed as sp_reg
// UNDEFINED without/with `end`), a wider one the newer (UNDEFINED 0, END_OF_STACK 1, CALL 2,
// REGS 3, REGS_PARTIAL 4). Without `signal`, REGS and REGS_PARTIAL imply it (that was its
// meaning before the field existed).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "support/result.h"

namespace vmscope {

// ORC_REG_*: the base registers (values are the kernel's, stable since ORC appeared).
enum class OrcReg : std::uint8_t {
  kUndefined = 0,
  kPrevSp = 1,
  kDx = 2,
  kDi = 3,
  kBp = 4,
  kSp = 5,
  kR10 = 6,
  kR13 = 7,
  kBpIndirect = 8,
  kSpIndirect = 9,
};

enum class OrcType : std::uint8_t {
  kUndefined,    // no unwind information: the unwind cannot go on (an error)
  kEndOfStack,   // the outermost frame (a kernel thread's entry, the idle task's start)
  kCall,         // a call frame: return address at prev_sp - 8
  kRegs,         // a full struct pt_regs at prev_sp
  kRegsPartial,  // only the IRET frame (ip, cs, flags, sp, ss) of a pt_regs at prev_sp
};

std::string_view orc_reg_name(OrcReg reg);
std::string_view orc_type_name(OrcType type);

// One entry, normalised to the newest semantics whatever the kernel's format.
struct OrcEntry {
  std::int16_t sp_offset = 0;
  std::int16_t bp_offset = 0;
  OrcReg sp_reg = OrcReg::kUndefined;
  OrcReg bp_reg = OrcReg::kUndefined;
  OrcType type = OrcType::kUndefined;
  // The next frame's pc is exact (an interrupted instruction), not a return address: look up
  // its entry at pc, not pc - 1.
  bool signal = false;

  bool operator==(const OrcEntry&) const = default;
};

// A bit field inside an entry: little-endian bit numbering from the entry's first byte.
struct OrcBitField {
  std::uint32_t bit_offset = 0;
  std::uint32_t bit_size = 0;
};

struct OrcEntryFormat {
  std::uint32_t size = 6;            // sizeof(struct orc_entry)
  std::uint32_t sp_offset_byte = 0;  // s16 members
  std::uint32_t bp_offset_byte = 2;
  OrcBitField sp_reg{32, 4};
  OrcBitField bp_reg{36, 4};
  OrcBitField type{40, 2};
  std::optional<OrcBitField> end;     // present up to v6.3
  std::optional<OrcBitField> signal;  // present from v6.3
  // Where the format came from ("DWARF struct orc_entry", "documented layout (…)").
  std::string_view origin = "documented layout";

  // The older type numbering (see the file comment).
  bool legacy_types() const { return type.bit_size < 3; }

  // The layout objtool wrote before v6.3 (sp_reg:4 bp_reg:4 type:2 end:1), used only when a
  // kernel's DWARF lacks `struct orc_entry`.
  static OrcEntryFormat documented_with_end_bit();
  // The layout from v6.4 on (sp_reg:4 bp_reg:4 type:3 signal:1), identified by .orc_header.
  static OrcEntryFormat documented_with_signal_bit();

  // kCorrupt when a field lies outside the entry or is wider than its meaning allows.
  Status validate() const;
};

// Decodes the entry in `bytes` (at least format.size bytes; the caller checked). A type value
// the format does not define decodes as kUndefined.
OrcEntry decode_orc_entry(const OrcEntryFormat& format, std::span<const std::byte> bytes);

}  // namespace vmscope
