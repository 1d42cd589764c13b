#include "kernel/per_cpu.h"

#include <gtest/gtest.h>

#include "testing/sparse_physical_memory.h"

namespace vmscope::kernel {
namespace {

class DirectMap : public AddressTranslator {
 public:
  static constexpr std::uint64_t kBase = 0xffff888000000000;
  Result<Translation> translate(std::uint64_t vaddr) const override {
    if (vaddr < kBase) return Error(ErrorCode::kAddressNotMapped, "unmapped", {.address = vaddr});
    return Translation{vaddr - kBase, 4096};
  }
};

std::uint64_t v(std::uint64_t p) {
  return DirectMap::kBase + p;
}

TEST(CpuMaskTest, CountsAndListsBitsAcrossWords) {
  CpuMask mask({0b1011, 0, 1ull << 63});
  EXPECT_EQ(mask.count(), 4u);
  EXPECT_EQ(mask.cpus(), (std::vector<std::uint32_t>{0, 1, 3, 191}));
  EXPECT_TRUE(mask.contains(191));
  EXPECT_FALSE(mask.contains(2));
  EXPECT_FALSE(mask.contains(5000));
  EXPECT_TRUE(CpuMask().empty());
}

class PerCpuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::uint8_t> zeros(0x1000);
    physical_.write(0x1000, zeros.data(), zeros.size());
    for (int i = 0; i < 8; ++i) physical_.write_u64(0x1000 + 8 * i, 0x100000 * (i + 1));
    physical_.write_u64(0x1100, 0b1111);  // possible
    physical_.write_u64(0x1110, 0b0111);  // present
    physical_.write_u64(0x1120, 0b0001);  // online
    const std::uint32_t nr = 4;
    physical_.write(0x1200, &nr, 4);
    layout_.offsets_address = v(0x1000);
    layout_.offsets_length = 8;  // NR_CPUS
    layout_.possible_mask = v(0x1100);
    layout_.present_mask = v(0x1110);
    layout_.online_mask = v(0x1120);
    layout_.mask_bytes = 8;
    layout_.nr_cpu_ids = v(0x1200);
  }
  testing::SparsePhysicalMemory physical_;
  DirectMap translator_;
  VirtualMemory memory_{physical_, translator_};
  PerCpuLayout layout_;
};

TEST_F(PerCpuTest, ReadsMasksAndOffsetsUpToNrCpuIds) {
  auto info = read_cpu_info(memory_, layout_);
  ASSERT_TRUE(info.ok()) << info.error().to_string();
  EXPECT_EQ(info->possible.count(), 4u);
  EXPECT_EQ(info->present.count(), 3u);
  EXPECT_EQ(info->online.count(), 1u);
  EXPECT_TRUE(info->active.empty());  // no active mask in this kernel
  EXPECT_EQ(info->nr_cpu_ids, 4u);
  ASSERT_EQ(info->offsets.size(), 4u);
  EXPECT_EQ(info->address(0x2f000, 2).value_or(0), 0x2f000u + 0x300000u);
  EXPECT_FALSE(info->address(0x2f000, 4).ok());
  EXPECT_EQ(info->possible_cpus(), (std::vector<std::uint32_t>{0, 1, 2, 3}));
}

TEST_F(PerCpuTest, ImpossibleNrCpuIdsIsCorrupt) {
  const std::uint32_t nr = 9;  // more than NR_CPUS
  physical_.write(0x1200, &nr, 4);
  auto info = read_cpu_info(memory_, layout_);
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code(), ErrorCode::kCorrupt);
}

TEST_F(PerCpuTest, UniprocessorKernelHasOneCopy) {
  PerCpuLayout up;
  up.mask_bytes = 8;
  auto info = read_cpu_info(memory_, up);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->address(0xffffffff81234000, 0).value_or(0), 0xffffffff81234000u);
  EXPECT_EQ(info->possible_cpus(), (std::vector<std::uint32_t>{0}));
}

}  // namespace
}  // namespace vmscope::kernel
