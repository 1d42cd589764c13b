#include "arch/virtual_memory.h"

#include <gtest/gtest.h>

#include <cstring>

#include "testing/sparse_physical_memory.h"

namespace vmscope {
namespace {

// Maps virtual page N of a 16-page window at kBase to physical page kPhysOf[N]; other pages
// are unmapped. Scrambled so a read crossing pages must translate each one.
class ScrambledTranslator : public AddressTranslator {
 public:
  static constexpr std::uint64_t kBase = 0xffffc90000000000;
  Result<Translation> translate(std::uint64_t vaddr) const override {
    const std::uint64_t page = (vaddr - kBase) >> 12;
    if (vaddr < kBase || page >= 16 || kPhysOf[page] == 0) {
      return Error(ErrorCode::kAddressNotMapped, "unmapped", {.address = vaddr, .level = 1});
    }
    return Translation{kPhysOf[page] + (vaddr & 0xfff), 4096};
  }
  static constexpr std::uint64_t kPhysOf[16] = {0x9000, 0x3000, 0x7000, 0, 0x4000};
};

class VirtualMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (std::uint64_t p : {0x9000, 0x3000, 0x7000, 0x4000}) {
      std::vector<unsigned char> fill(4096, static_cast<unsigned char>(p >> 12));
      phys_.write(p, fill.data(), fill.size());
    }
    const char text[] = "swapper/0";
    phys_.write(0x3000 + 0xff8, text, 8);  // "swapper/" ends page 1 ...
    phys_.write(0x7000, "0", 2);           // ... "0\0" starts page 2
  }
  testing::SparsePhysicalMemory phys_;
  ScrambledTranslator translator_;
};

TEST_F(VirtualMemoryTest, ReadsAcrossPagesTranslateEachPage) {
  VirtualMemory vm(phys_, translator_);
  std::vector<std::byte> out(4096 + 200);
  ASSERT_TRUE(vm.read(ScrambledTranslator::kBase + 0xff0, out).ok());
  EXPECT_EQ(out[0], std::byte{9});           // page 0 -> 0x9000
  EXPECT_EQ(out[16], std::byte{3});          // page 1 -> 0x3000
  EXPECT_EQ(out[4096 + 116], std::byte{7});  // page 2 -> 0x7000 (offset 0x64)
}

TEST_F(VirtualMemoryTest, CStringAcrossPages) {
  VirtualMemory vm(phys_, translator_);
  auto s = vm.read_c_string(ScrambledTranslator::kBase + 0x1ff8, 16);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(*s, "swapper/0");
  auto capped = vm.read_c_string(ScrambledTranslator::kBase + 0x1ff8, 4);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(*capped, "swap");
}

TEST_F(VirtualMemoryTest, FailureNamesTheVirtualAddressThatFailed) {
  VirtualMemory vm(phys_, translator_);
  std::vector<std::byte> out(64);
  // Page 2 is mapped, page 3 is not: the error is at the start of page 3.
  Status s = vm.read(ScrambledTranslator::kBase + 0x3000 - 32, out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ(s.error().payload().address, ScrambledTranslator::kBase + 0x3000);
}

TEST_F(VirtualMemoryTest, ExcludedPhysicalPageKeepsBothAddresses) {
  phys_.exclude_page(0x4000);
  VirtualMemory vm(phys_, translator_);
  auto v = vm.read_u64(ScrambledTranslator::kBase + 0x4010);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), ErrorCode::kPageExcluded);
  EXPECT_EQ(v.error().payload().address, ScrambledTranslator::kBase + 0x4010);
  EXPECT_EQ(v.error().payload().physical, 0x4010u);
}

}  // namespace
}  // namespace vmscope
