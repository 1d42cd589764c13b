#include "arch/x86_64_kernel_layout.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "testing/sparse_physical_memory.h"

namespace vmscope {
namespace {

constexpr std::uint64_t kP = 1, kPS = 0x80;
std::uint64_t index(std::uint64_t v, int level) {
  return (v >> (12 + 9 * (level - 1))) & 0x1ff;
}

// A miniature kernel: image linked at __START_KERNEL_map + 16 MiB, slid by KASLR; phys_base
// places it at 64 MiB of RAM. init_top_pgt maps the image with one 2 MiB page and a direct map
// whose base is itself randomised, as on a real 6.x kernel.
class KernelLayoutTest : public ::testing::Test {
 protected:
  static constexpr std::uint64_t kKaslr = 0x2a000000;
  static constexpr std::uint64_t kPhysBase = 0x3000000;  // image_phys = vaddr - map + phys_base
  static constexpr std::uint64_t kText = kX86_64StartKernelMap + 0x1000000 + kKaslr;
  static constexpr std::uint64_t kPageOffsetBase = 0xffff9b4c40000000;
  static constexpr std::uint64_t kTopPgtV = kText + 0x100000;
  static constexpr std::uint64_t kPobVar = kText + 0x200000;  // &page_offset_base
  static constexpr std::uint64_t kEnd = kText + 0x400000;

  static std::uint64_t image_phys(std::uint64_t v) { return v - kX86_64StartKernelMap + kPhysBase; }

  void SetUp() override {
    const std::uint64_t root = image_phys(kTopPgtV);
    // Kernel image: PML4 -> PDPT (0x10000) -> PD (0x11000) -> 2 MiB pages.
    mem_.write_u64(root + index(kText, 4) * 8, 0x10000 | kP);
    mem_.write_u64(0x10000 + index(kText, 3) * 8, 0x11000 | kP);
    for (std::uint64_t v = kText & ~0x1fffffull; v < kEnd; v += 0x200000) {
      mem_.write_u64(0x11000 + index(v, 2) * 8, image_phys(v) | kP | kPS);
    }
    // Direct map of the first 1 GiB: PML4 -> PDPT (0x12000) -> one 1 GiB page at phys 0.
    mem_.write_u64(root + index(kPageOffsetBase, 4) * 8, 0x12000 | kP);
    mem_.write_u64(0x12000 + index(kPageOffsetBase, 3) * 8, 0 | kP | kPS);
    mem_.write_u64(image_phys(kPobVar), kPageOffsetBase);
    mem_.write_u64(0x5000, 0x1122334455667788);  // a word reachable through the direct map
  }

  X86_64LayoutInputs inputs() const {
    X86_64LayoutInputs in;
    in.kernel_offset = kKaslr;
    in.phys_base = kPhysBase;
    in.init_top_pgt = kTopPgtV;
    in.pgtable_l5_enabled = 0;
    in.symbol = [](std::string_view name) -> std::optional<std::uint64_t> {
      static const std::map<std::string, std::uint64_t, std::less<>> symbols = {
          {"page_offset_base", kPobVar}, {"_end", kEnd}};
      auto it = symbols.find(name);
      if (it == symbols.end()) return std::nullopt;
      return it->second;
    };
    return in;
  }

  testing::SparsePhysicalMemory mem_;
};

TEST_F(KernelLayoutTest, DiscoversRootAndRandomisedBases) {
  auto layout = discover_x86_64_layout(mem_, inputs());
  ASSERT_TRUE(layout.ok()) << layout.error().to_string();
  EXPECT_EQ(layout->page_table_root, image_phys(kTopPgtV));
  EXPECT_EQ(layout->page_offset_base, kPageOffsetBase);
  EXPECT_FALSE(layout->vmalloc_base.has_value());  // symbol unknown: stays unknown
  EXPECT_EQ(layout->image_end, kEnd);
  EXPECT_FALSE(layout->five_level);
}

TEST_F(KernelLayoutTest, ShortcutAgreesWithTheWalkInsideTheImage) {
  auto layout = discover_x86_64_layout(mem_, inputs());
  ASSERT_TRUE(layout.ok());
  X86_64KernelTranslator translator(mem_, *layout);
  for (std::uint64_t v = kText; v < kEnd; v += 0x1357) {
    auto fast = translator.translate(v);
    auto walked = translator.walk(v);
    ASSERT_TRUE(fast.ok() && walked.ok()) << std::hex << v;
    EXPECT_EQ(fast->physical, walked->physical) << std::hex << v;
  }
}

TEST_F(KernelLayoutTest, DirectMapAndBeyondTheImageAreWalked) {
  auto layout = discover_x86_64_layout(mem_, inputs());
  ASSERT_TRUE(layout.ok());
  X86_64KernelTranslator translator(mem_, *layout);
  auto direct = translator.translate(kPageOffsetBase + 0x5000);
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(direct->physical, 0x5000u);
  // Past _end the image window is not assumed mapped: the walk decides (and fails here).
  auto past_end = translator.translate(kEnd + 0x10000000);
  ASSERT_FALSE(past_end.ok());
  EXPECT_EQ(past_end.error().code(), ErrorCode::kAddressNotMapped);
}

TEST_F(KernelLayoutTest, MissingVmcoreinfoFactsAreNamed) {
  X86_64LayoutInputs in = inputs();
  in.init_top_pgt.reset();
  auto layout = discover_x86_64_layout(mem_, in);
  ASSERT_FALSE(layout.ok());
  EXPECT_EQ(layout.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(layout.error().payload().name, "SYMBOL(init_top_pgt)");
}

TEST_F(KernelLayoutTest, UnreadableBaseVariableIsAnError) {
  mem_.exclude_page(image_phys(kPobVar));
  auto layout = discover_x86_64_layout(mem_, inputs());
  ASSERT_FALSE(layout.ok());
  EXPECT_EQ(layout.error().code(), ErrorCode::kPageExcluded);
  EXPECT_NE(layout.error().message().find("page_offset_base"), std::string::npos);
}

}  // namespace
}  // namespace vmscope
