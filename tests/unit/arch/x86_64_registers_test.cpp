#include "arch/x86_64_registers.h"

#include <gtest/gtest.h>

namespace vmscope {
namespace {

std::vector<std::uint64_t> numbered_words() {
  std::vector<std::uint64_t> words;
  for (std::uint64_t i = 0; i < X86_64Registers::kCount; ++i) words.push_back(0x1000 + i);
  return words;
}

TEST(X86_64RegistersTest, FollowsUserRegsStructOrder) {
  auto r = X86_64Registers::from_prstatus(numbered_words());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->r15, 0x1000u);
  EXPECT_EQ(r->rbp, 0x1004u);
  EXPECT_EQ(r->rip, 0x1010u);
  EXPECT_EQ(r->rsp, 0x1013u);
  EXPECT_EQ(r->gs, 0x101au);
  EXPECT_EQ(r->by_name("rip"), 0x1010u);
  EXPECT_EQ(r->by_name("eflags"), 0x1012u);
  EXPECT_FALSE(r->by_name("xmm0").has_value());
}

TEST(X86_64RegistersTest, DwarfNumbering) {
  auto r = X86_64Registers::from_prstatus(numbered_words());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->by_dwarf_number(0), r->rax);
  EXPECT_EQ(r->by_dwarf_number(1), r->rdx);
  EXPECT_EQ(r->by_dwarf_number(6), r->rbp);
  EXPECT_EQ(r->by_dwarf_number(7), r->rsp);
  EXPECT_EQ(r->by_dwarf_number(16), r->rip);
  EXPECT_FALSE(r->by_dwarf_number(17).has_value());
}

TEST(X86_64RegistersTest, TooFewWordsIsCorrupt) {
  auto words = numbered_words();
  words.pop_back();
  auto r = X86_64Registers::from_prstatus(words);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace vmscope
