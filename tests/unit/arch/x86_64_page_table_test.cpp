#include "arch/x86_64_page_table.h"

#include <gtest/gtest.h>

#include "testing/sparse_physical_memory.h"

namespace vmscope {
namespace {

using SparseMemory = testing::SparsePhysicalMemory;

constexpr std::uint64_t kP = 1, kRW = 2, kPS = 0x80, kNX = 1ull << 63;

std::uint64_t index(std::uint64_t vaddr, int level) {
  return (vaddr >> (12 + 9 * (level - 1))) & 0x1ff;
}

class PageTableTest : public ::testing::Test {
 protected:
  // Tables at fixed physical pages: root 0x1000, then 0x2000, 0x3000, 0x4000 (and 0x5000).
  void map_4k(std::uint64_t vaddr, std::uint64_t phys, bool five) {
    std::uint64_t table = 0x1000;
    for (int level = five ? 5 : 4; level > 1; --level) {
      std::uint64_t next = table + 0x1000;
      mem_.write_u64(table + index(vaddr, level) * 8, next | kP | kRW);
      table = next;
    }
    mem_.write_u64(table + index(vaddr, 1) * 8, phys | kP | kRW | kNX);
  }
  SparseMemory mem_;
};

TEST_F(PageTableTest, FourLevel4KPage) {
  const std::uint64_t v = 0xffffc90000123456;
  map_4k(v, 0x7654000, false);
  X86_64PageTable pt(mem_, 0x1000, false);
  auto t = pt.translate(v);
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->physical, 0x7654456u);
  EXPECT_EQ(t->page_size, 4096u);
  EXPECT_EQ(t->bytes_to_page_end(v), 4096u - 0x456);
}

TEST_F(PageTableTest, FiveLevelUsesTheExtraLevel) {
  const std::uint64_t v = 0xff11000000abc123;  // canonical only with 57-bit addresses
  map_4k(v, 0x99000, true);
  X86_64PageTable five(mem_, 0x1000, true);
  auto t = five.translate(v);
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->physical, 0x99123u);
  X86_64PageTable four(mem_, 0x1000, false);
  auto bad = four.translate(v);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(PageTableTest, LargePages) {
  const std::uint64_t v2m = 0xffff888000345678, v1g = 0xffff888040345678;
  // PML4 -> PDPT at 0x2000; PDPT[index(v2m)] -> PD at 0x3000 with a 2 MiB page;
  // PDPT[index(v1g)] is a 1 GiB page.
  mem_.write_u64(0x1000 + index(v2m, 4) * 8, 0x2000 | kP);
  mem_.write_u64(0x2000 + index(v2m, 3) * 8, 0x3000 | kP);
  mem_.write_u64(0x3000 + index(v2m, 2) * 8, 0x40200000 | kP | kPS | 0x1000 /* PAT */);
  mem_.write_u64(0x2000 + index(v1g, 3) * 8, 0x80000000 | kP | kPS);
  X86_64PageTable pt(mem_, 0x1000, false);
  auto t2 = pt.translate(v2m);
  ASSERT_TRUE(t2.ok());
  EXPECT_EQ(t2->physical, 0x40200000u + (v2m & 0x1fffff));
  EXPECT_EQ(t2->page_size, 2u << 20);
  auto t1 = pt.translate(v1g);
  ASSERT_TRUE(t1.ok());
  EXPECT_EQ(t1->physical, 0x80000000u + (v1g & 0x3fffffff));
  EXPECT_EQ(t1->page_size, 1u << 30);
}

TEST_F(PageTableTest, NotPresentReportsLevelAndAddress) {
  const std::uint64_t v = 0xffffc90000123456;
  map_4k(v, 0x7654000, false);
  mem_.write_u64(0x3000 + index(v, 2) * 8, 0);  // clear the PDE
  X86_64PageTable pt(mem_, 0x1000, false);
  auto t = pt.translate(v);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ(t.error().payload().level, 2);
  EXPECT_EQ(t.error().payload().address, v);
}

TEST_F(PageTableTest, TableOutsideTheDumpIsAnErrorWithTheLevel) {
  const std::uint64_t v = 0xffffc90000123456;
  map_4k(v, 0x7654000, false);
  // The PDPTE points to a page directory far outside "RAM".
  mem_.write_u64(0x2000 + index(v, 3) * 8, 0x7fff00000000 | kP);
  X86_64PageTable pt(mem_, 0x1000, false);
  auto t = pt.translate(v);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ(t.error().payload().level, 2);
  EXPECT_EQ(t.error().payload().physical, 0x7fff00000000u + index(v, 2) * 8);
  EXPECT_NE(t.error().message().find("PDE"), std::string::npos);
}

TEST_F(PageTableTest, EncryptionMaskIsStripped) {
  const std::uint64_t c_bit = 1ull << 47;
  const std::uint64_t v = 0xffffc90000001000;
  mem_.write_u64(0x1000 + index(v, 4) * 8, 0x2000 | c_bit | kP);
  mem_.write_u64(0x2000 + index(v, 3) * 8, 0x3000 | c_bit | kP);
  mem_.write_u64(0x3000 + index(v, 2) * 8, 0x4000 | c_bit | kP);
  mem_.write_u64(0x4000 + index(v, 1) * 8, 0x5000 | c_bit | kP);
  X86_64PageTable pt(mem_, 0x1000 | c_bit, false, c_bit);
  auto t = pt.translate(v);
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->physical, 0x5000u);
}

TEST(CanonicalTest, FourAndFiveLevel) {
  EXPECT_TRUE(X86_64PageTable::is_canonical(0x00007fffffffffff, false));
  EXPECT_FALSE(X86_64PageTable::is_canonical(0x0000800000000000, false));
  EXPECT_TRUE(X86_64PageTable::is_canonical(0xffff800000000000, false));
  EXPECT_TRUE(X86_64PageTable::is_canonical(0x0000800000000000, true));
  EXPECT_FALSE(X86_64PageTable::is_canonical(0x0100000000000000, true));
  EXPECT_TRUE(X86_64PageTable::is_canonical(0xff00000000000000, true));
}

}  // namespace
}  // namespace vmscope
