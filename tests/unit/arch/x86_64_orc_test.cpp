#include "arch/x86_64_orc.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>

namespace vmscope {
namespace {

// Packs an entry the way the kernel's bit fields lay it out: s16 sp_offset, s16 bp_offset, then
// the flag bits little-endian from bit 32.
std::array<std::byte, 6> pack(std::int16_t sp_offset, std::int16_t bp_offset, std::uint16_t flags) {
  std::array<std::byte, 6> bytes{};
  std::memcpy(bytes.data(), &sp_offset, 2);
  std::memcpy(bytes.data() + 2, &bp_offset, 2);
  std::memcpy(bytes.data() + 4, &flags, 2);
  return bytes;
}

// Older layout: sp_reg:4 bp_reg:4 type:2 end:1.
std::uint16_t old_flags(unsigned sp_reg, unsigned bp_reg, unsigned type, unsigned end) {
  return static_cast<std::uint16_t>(sp_reg | bp_reg << 4 | type << 8 | end << 10);
}
// Newer layout: sp_reg:4 bp_reg:4 type:3 signal:1.
std::uint16_t new_flags(unsigned sp_reg, unsigned bp_reg, unsigned type, unsigned signal) {
  return static_cast<std::uint16_t>(sp_reg | bp_reg << 4 | type << 8 | signal << 11);
}

TEST(X86_64OrcTest, DecodesTheOlderLayout) {
  const auto format = OrcEntryFormat::documented_with_end_bit();
  ASSERT_TRUE(format.validate().ok());
  EXPECT_TRUE(format.legacy_types());

  // A call frame: prev_sp = sp + 16, bp saved at prev_sp - 16.
  OrcEntry call = decode_orc_entry(format, pack(16, -16, old_flags(5, 1, 0, 0)));
  EXPECT_EQ(call.type, OrcType::kCall);
  EXPECT_EQ(call.sp_reg, OrcReg::kSp);
  EXPECT_EQ(call.bp_reg, OrcReg::kPrevSp);
  EXPECT_EQ(call.sp_offset, 16);
  EXPECT_EQ(call.bp_offset, -16);
  EXPECT_FALSE(call.signal);

  // REGS implies signal when the format has no such bit.
  OrcEntry regs = decode_orc_entry(format, pack(0, 0, old_flags(5, 0, 1, 0)));
  EXPECT_EQ(regs.type, OrcType::kRegs);
  EXPECT_TRUE(regs.signal);
  OrcEntry partial = decode_orc_entry(format, pack(8, 0, old_flags(9, 0, 2, 0)));
  EXPECT_EQ(partial.type, OrcType::kRegsPartial);
  EXPECT_EQ(partial.sp_reg, OrcReg::kSpIndirect);
  EXPECT_TRUE(partial.signal);

  // sp_reg UNDEFINED: end of stack with `end`, an unwind error without.
  EXPECT_EQ(decode_orc_entry(format, pack(0, 0, old_flags(0, 0, 0, 1))).type, OrcType::kEndOfStack);
  EXPECT_EQ(decode_orc_entry(format, pack(0, 0, old_flags(0, 0, 0, 0))).type, OrcType::kUndefined);
}

TEST(X86_64OrcTest, DecodesTheNewerLayout) {
  const auto format = OrcEntryFormat::documented_with_signal_bit();
  ASSERT_TRUE(format.validate().ok());
  EXPECT_FALSE(format.legacy_types());
  EXPECT_EQ(decode_orc_entry(format, pack(0, 0, new_flags(0, 0, 0, 0))).type, OrcType::kUndefined);
  EXPECT_EQ(decode_orc_entry(format, pack(0, 0, new_flags(0, 0, 1, 0))).type, OrcType::kEndOfStack);
  OrcEntry call = decode_orc_entry(format, pack(8, 0, new_flags(5, 0, 2, 0)));
  EXPECT_EQ(call.type, OrcType::kCall);
  EXPECT_FALSE(call.signal);
  OrcEntry regs = decode_orc_entry(format, pack(0, 0, new_flags(5, 0, 3, 1)));
  EXPECT_EQ(regs.type, OrcType::kRegs);
  EXPECT_TRUE(regs.signal);
  EXPECT_EQ(decode_orc_entry(format, pack(0, 0, new_flags(5, 0, 4, 1))).type,
            OrcType::kRegsPartial);
  // An explicit signal bit on a call frame is kept (the newer kernels set it for
  // signal-handler-like frames).
  EXPECT_TRUE(decode_orc_entry(format, pack(8, 0, new_flags(5, 0, 2, 1))).signal);
  // Type values the format does not define are not guessed.
  EXPECT_EQ(decode_orc_entry(format, pack(8, 0, new_flags(5, 0, 7, 0))).type, OrcType::kUndefined);
}

TEST(X86_64OrcTest, UndefinedRegisterNumbersAreNotGuessed) {
  const auto format = OrcEntryFormat::documented_with_signal_bit();
  OrcEntry e = decode_orc_entry(format, pack(8, 0, new_flags(15, 12, 2, 0)));
  EXPECT_EQ(e.sp_reg, OrcReg::kUndefined);
  EXPECT_EQ(e.bp_reg, OrcReg::kUndefined);
}

TEST(X86_64OrcTest, FieldsMayMoveAsDwarfSays) {
  // A hypothetical build with the offsets swapped and the flags first.
  OrcEntryFormat f;
  f.size = 6;
  f.sp_offset_byte = 4;
  f.bp_offset_byte = 2;
  f.sp_reg = {0, 4};
  f.bp_reg = {4, 4};
  f.type = {8, 3};
  f.signal = OrcBitField{11, 1};
  ASSERT_TRUE(f.validate().ok());
  std::array<std::byte, 6> bytes{};
  std::uint16_t flags = new_flags(4, 1, 2, 0);
  std::int16_t sp = 24, bp = -8;
  std::memcpy(bytes.data(), &flags, 2);
  std::memcpy(bytes.data() + 2, &bp, 2);
  std::memcpy(bytes.data() + 4, &sp, 2);
  OrcEntry e = decode_orc_entry(f, bytes);
  EXPECT_EQ(e.sp_reg, OrcReg::kBp);
  EXPECT_EQ(e.bp_reg, OrcReg::kPrevSp);
  EXPECT_EQ(e.sp_offset, 24);
  EXPECT_EQ(e.bp_offset, -8);
  EXPECT_EQ(e.type, OrcType::kCall);
}

TEST(X86_64OrcTest, ValidateRejectsFieldsOutsideTheEntry) {
  OrcEntryFormat f = OrcEntryFormat::documented_with_end_bit();
  f.type = {46, 4};  // runs past 48 bits
  EXPECT_EQ(f.validate().error().code(), ErrorCode::kCorrupt);
  f = OrcEntryFormat::documented_with_end_bit();
  f.bp_offset_byte = 5;
  EXPECT_FALSE(f.validate().ok());
  f = OrcEntryFormat::documented_with_end_bit();
  f.end = OrcBitField{42, 2};  // a flag is one bit
  EXPECT_FALSE(f.validate().ok());
}

TEST(X86_64OrcTest, Names) {
  EXPECT_EQ(orc_reg_name(OrcReg::kSpIndirect), "sp_indirect");
  EXPECT_EQ(orc_type_name(OrcType::kRegsPartial), "regs_partial");
}

}  // namespace
}  // namespace vmscope
