// The formatting rules sys shares with crash and the kernel; the reading itself is tested on
// the real dumps (tests/fixture/kernel/sys_info_test.cpp).
#include "kernel/sys_info.h"

#include <gtest/gtest.h>

namespace vmscope::kernel {
namespace {

TEST(SysInfoFormatTest, LoadAverageRoundsLikeTheKernel) {
  // avenrun is fixed point with 11 fractional bits; +FIXED_1/200 rounds to hundredths.
  EXPECT_EQ(format_load_average({0, 0, 0}), "0.00, 0.00, 0.00");
  EXPECT_EQ(format_load_average({2048, 4096 + 1024, 471}), "1.00, 2.50, 0.23");
  EXPECT_EQ(format_load_average({2047, 20, 21}), "1.00, 0.01, 0.01");
}

TEST(SysInfoFormatTest, MemoryLikeCrash) {
  constexpr std::uint64_t kMiB = 1ull << 20, kGiB = 1ull << 30;
  EXPECT_EQ(format_memory_size(130942ull * 4096), "511.5 MB");
  EXPECT_EQ(format_memory_size(2 * kGiB), "2 GB");
  EXPECT_EQ(format_memory_size(512 * kMiB), "512 MB");
  EXPECT_EQ(format_memory_size(640 * 1024), "640 KB");
  EXPECT_EQ(format_memory_size(0), "0");
  // crash rounds up to the next GiB when within 64 MiB of it.
  EXPECT_EQ(installed_memory_estimate(2 * kGiB - 60 * kMiB), 2 * kGiB);
  EXPECT_EQ(installed_memory_estimate(2 * kGiB - 65 * kMiB), 2 * kGiB - 65 * kMiB);
  EXPECT_EQ(installed_memory_estimate(130942ull * 4096), 130942ull * 4096);
}

TEST(SysInfoFormatTest, CpusAndOfflineAsCrashPrintsThem) {
  SysInfo sys;
  sys.cpus_possible = 4;
  sys.cpus_present = 2;
  sys.cpus_online = 1;
  EXPECT_EQ(sys.cpus(), 2u);
  EXPECT_EQ(sys.cpus_offline(), 1u);
  sys.cpus_present = 0;
  EXPECT_EQ(sys.cpus(), 4u);
  sys.cpus_online = 0;  // no online mask: nothing is called offline
  EXPECT_EQ(sys.cpus_offline(), 0u);
}

}  // namespace
}  // namespace vmscope::kernel
