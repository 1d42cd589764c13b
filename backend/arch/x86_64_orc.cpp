#include "arch/x86_64_orc.h"

#include <cstring>
#include <string>

namespace vmscope {
namespace {

// The bits of `field` in the entry (fields are at most 16 bits wide and may straddle bytes).
std::uint32_t extract_bits(std::span<const std::byte> bytes, const OrcBitField& field) {
  std::uint32_t value = 0;
  for (std::uint32_t i = 0; i < field.bit_size; ++i) {
    const std::uint32_t bit = field.bit_offset + i;
    const auto byte = static_cast<std::uint32_t>(bytes[bit / 8]);
    value |= ((byte >> (bit % 8)) & 1u) << i;
  }
  return value;
}

std::int16_t read_s16(std::span<const std::byte> bytes, std::uint32_t at) {
  std::int16_t value;
  std::memcpy(&value, bytes.data() + at, sizeof(value));
  return value;
}

}  // namespace

std::string_view orc_reg_name(OrcReg reg) {
  switch (reg) {
    case OrcReg::kUndefined: return "undefined";
    case OrcReg::kPrevSp: return "prev_sp";
    case OrcReg::kDx: return "dx";
    case OrcReg::kDi: return "di";
    case OrcReg::kBp: return "bp";
    case OrcReg::kSp: return "sp";
    case OrcReg::kR10: return "r10";
    case OrcReg::kR13: return "r13";
    case OrcReg::kBpIndirect: return "bp_indirect";
    case OrcReg::kSpIndirect: return "sp_indirect";
  }
  return "unknown";
}

std::string_view orc_type_name(OrcType type) {
  switch (type) {
    case OrcType::kUndefined: return "undefined";
    case OrcType::kEndOfStack: return "end_of_stack";
    case OrcType::kCall: return "call";
    case OrcType::kRegs: return "regs";
    case OrcType::kRegsPartial: return "regs_partial";
  }
  return "unknown";
}

OrcEntryFormat OrcEntryFormat::documented_with_end_bit() {
  OrcEntryFormat f;
  f.type = {40, 2};
  f.end = OrcBitField{42, 1};
  f.origin = "documented layout with `end` (no DWARF struct orc_entry)";
  return f;
}

OrcEntryFormat OrcEntryFormat::documented_with_signal_bit() {
  OrcEntryFormat f;
  f.type = {40, 3};
  f.signal = OrcBitField{43, 1};
  f.origin = "documented layout with `signal` (.orc_header; no DWARF struct orc_entry)";
  return f;
}

Status OrcEntryFormat::validate() const {
  const std::uint64_t bits = std::uint64_t{size} * 8;
  auto inside = [&](const OrcBitField& f, std::uint32_t max_width) {
    return f.bit_size > 0 && f.bit_size <= max_width &&
           std::uint64_t{f.bit_offset} + f.bit_size <= bits;
  };
  bool ok = size >= 4 && size <= 64 && std::uint64_t{sp_offset_byte} + 2 <= size &&
            std::uint64_t{bp_offset_byte} + 2 <= size && inside(sp_reg, 8) && inside(bp_reg, 8) &&
            inside(type, 8) && (!end || inside(*end, 1)) && (!signal || inside(*signal, 1));
  if (!ok) {
    return Error(ErrorCode::kCorrupt,
                 "struct orc_entry layout is not one vmscope can decode (size " +
                     std::to_string(size) + ")");
  }
  return ok_status();
}

OrcEntry decode_orc_entry(const OrcEntryFormat& format, std::span<const std::byte> bytes) {
  OrcEntry e;
  e.sp_offset = read_s16(bytes, format.sp_offset_byte);
  e.bp_offset = read_s16(bytes, format.bp_offset_byte);
  const std::uint32_t sp_reg = extract_bits(bytes, format.sp_reg);
  const std::uint32_t bp_reg = extract_bits(bytes, format.bp_reg);
  const std::uint32_t type = extract_bits(bytes, format.type);
  // Register numbers above kSpIndirect are not defined; they decode as undefined, which the
  // unwinder reports rather than guesses.
  e.sp_reg = sp_reg <= 9 ? static_cast<OrcReg>(sp_reg) : OrcReg::kUndefined;
  e.bp_reg = bp_reg <= 9 ? static_cast<OrcReg>(bp_reg) : OrcReg::kUndefined;

  if (format.legacy_types()) {
    // Before `end` existed, an undefined sp_reg marked the end of the stack.
    const bool end = !format.end || extract_bits(bytes, *format.end) != 0;
    if (e.sp_reg == OrcReg::kUndefined) {
      e.type = end ? OrcType::kEndOfStack : OrcType::kUndefined;
    } else {
      switch (type) {
        case 0: e.type = OrcType::kCall; break;
        case 1: e.type = OrcType::kRegs; break;
        case 2: e.type = OrcType::kRegsPartial; break;
        default: e.type = OrcType::kUndefined; break;
      }
    }
  } else {
    switch (type) {
      case 0: e.type = OrcType::kUndefined; break;
      case 1: e.type = OrcType::kEndOfStack; break;
      case 2: e.type = OrcType::kCall; break;
      case 3: e.type = OrcType::kRegs; break;
      case 4: e.type = OrcType::kRegsPartial; break;
      default: e.type = OrcType::kUndefined; break;
    }
  }
  if (format.signal) {
    e.signal = extract_bits(bytes, *format.signal) != 0;
  } else {
    e.signal = e.type == OrcType::kRegs || e.type == OrcType::kRegsPartial;
  }
  return e;
}

}  // namespace vmscope
