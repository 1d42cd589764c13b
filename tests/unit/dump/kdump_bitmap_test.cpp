#include "dump/kdump_bitmap.h"

#include <gtest/gtest.h>

#include <random>

namespace vmscope {
namespace {

std::vector<std::byte> random_bytes(std::size_t n, std::mt19937_64& rng, int density_percent) {
  std::vector<std::byte> out(n);
  for (auto& b : out) {
    unsigned v = 0;
    for (int bit = 0; bit < 8; ++bit) {
      if (static_cast<int>(rng() % 100) < density_percent) v |= 1u << bit;
    }
    b = std::byte(v);
  }
  return out;
}

bool naive_test(const std::vector<std::byte>& bytes, std::uint64_t pfn) {
  return ((std::to_integer<unsigned>(bytes[pfn / 8]) >> (pfn % 8)) & 1) != 0;
}

TEST(PageBitmapTest, BitOrderIsLowBitFirst) {
  std::vector<std::byte> bytes = {std::byte{0x01}, std::byte{0x80}};
  PageBitmap bitmap(bytes, 16);
  EXPECT_TRUE(bitmap.test(0));
  EXPECT_FALSE(bitmap.test(1));
  EXPECT_TRUE(bitmap.test(15));
  EXPECT_FALSE(bitmap.test(16));  // past the end
  EXPECT_EQ(bitmap.rank(15), 1u);
  EXPECT_EQ(bitmap.rank(16), 2u);
}

TEST(PageBitmapTest, RankMatchesACountingScan) {
  std::mt19937_64 rng(7);
  for (int density : {0, 3, 50, 97, 100}) {
    for (std::uint64_t bits : {1ull, 63ull, 64ull, 65ull, 511ull, 512ull, 513ull, 5000ull}) {
      auto bytes = random_bytes((bits + 7) / 8 + 3, rng, density);
      PageBitmap bitmap(bytes, bits);
      std::uint64_t count = 0;
      for (std::uint64_t pfn = 0; pfn <= bits; ++pfn) {
        ASSERT_EQ(bitmap.rank(pfn), count) << "bits " << bits << " pfn " << pfn;
        if (pfn < bits) {
          ASSERT_EQ(bitmap.test(pfn), naive_test(bytes, pfn));
          count += naive_test(bytes, pfn) ? 1 : 0;
        }
      }
      EXPECT_EQ(bitmap.popcount(), count);
      EXPECT_EQ(bitmap.rank(bits + 100), count);  // clamped
    }
  }
}

TEST(PageBitmapTest, BitsPastTheCountAreIgnored) {
  std::vector<std::byte> bytes(16, std::byte{0xff});
  PageBitmap bitmap(bytes, 70);
  EXPECT_EQ(bitmap.popcount(), 70u);
  EXPECT_FALSE(bitmap.test(70));
  ASSERT_EQ(bitmap.runs().size(), 1u);
  EXPECT_EQ(bitmap.runs()[0].count, 70u);
}

TEST(PageBitmapTest, ShortInputIsZeroExtended) {
  std::vector<std::byte> bytes = {std::byte{0xff}};
  PageBitmap bitmap(bytes, 1000);
  EXPECT_EQ(bitmap.popcount(), 8u);
}

TEST(PageBitmapTest, RunsMatchAScan) {
  std::mt19937_64 rng(11);
  for (int density : {0, 10, 50, 90, 100}) {
    std::uint64_t bits = 3000;
    auto bytes = random_bytes(bits / 8 + 1, rng, density);
    PageBitmap bitmap(bytes, bits);
    std::vector<PfnRun> expected;
    for (std::uint64_t pfn = 0; pfn < bits; ++pfn) {
      if (!naive_test(bytes, pfn)) continue;
      if (!expected.empty() && expected.back().first + expected.back().count == pfn) {
        ++expected.back().count;
      } else {
        expected.push_back({pfn, 1});
      }
    }
    auto runs = bitmap.runs();
    ASSERT_EQ(runs.size(), expected.size()) << "density " << density;
    for (std::size_t i = 0; i < runs.size(); ++i) {
      EXPECT_EQ(runs[i].first, expected[i].first);
      EXPECT_EQ(runs[i].count, expected[i].count);
    }
  }
}

TEST(PageBitmapTest, UnitedIsBitwiseOr) {
  std::vector<std::byte> a = {std::byte{0x0f}};
  std::vector<std::byte> b = {std::byte{0xf0}, std::byte{0x01}};
  PageBitmap both = PageBitmap::united(PageBitmap(a, 8), PageBitmap(b, 16));
  EXPECT_EQ(both.bit_count(), 16u);
  EXPECT_EQ(both.popcount(), 9u);
  ASSERT_EQ(both.runs().size(), 1u);
  EXPECT_EQ(both.runs()[0].count, 9u);
}

TEST(PageBitmapTest, EmptyBitmap) {
  PageBitmap empty;
  EXPECT_EQ(empty.popcount(), 0u);
  EXPECT_FALSE(empty.test(0));
  EXPECT_TRUE(empty.runs().empty());
}

}  // namespace
}  // namespace vmscope
