#include "kernel/memory_summary.h"

#include <gtest/gtest.h>

namespace vmscope::kernel {
namespace {

TEST(MemorySummaryTest, SizeTextFollowsCrash) {
  EXPECT_EQ(crash_size_text(0, 4096), "0");
  EXPECT_EQ(crash_size_text(32, 4096), "128 KB");
  EXPECT_EQ(crash_size_text(775, 4096), "3 MB");  // 3.03 MB: ".0" dropped
  EXPECT_EQ(crash_size_text(120262, 4096), "469.8 MB");
  EXPECT_EQ(crash_size_text(4273, 4096), "16.7 MB");
  EXPECT_EQ(crash_size_text(256, 4096), "1 MB");
  EXPECT_EQ(crash_size_text(393216, 4096), "1.5 GB");
  EXPECT_EQ(crash_size_text(262144, 4096), "1 GB");
  EXPECT_EQ(crash_size_text(1, 4096), "4 KB");
}

TEST(MemorySummaryTest, PercentageTruncates) {
  EXPECT_EQ(crash_percentage(112429, 120262), 93u);
  EXPECT_EQ(crash_percentage(7833, 120262), 6u);
  EXPECT_EQ(crash_percentage(1, 3), 33u);
  EXPECT_EQ(crash_percentage(5, 0), 0u);
}

}  // namespace
}  // namespace vmscope::kernel
