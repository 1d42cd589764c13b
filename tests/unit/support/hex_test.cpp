#include "support/hex.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

namespace vmscope {
namespace {

// The text printf's "0x%llx" gives, the format every copy this helper replaced used.
std::string printf_hex(std::uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

TEST(HexTest, U64IsPrefixedLowercaseWithoutLeadingZeros) {
  EXPECT_EQ(hex_u64(0), "0x0");
  EXPECT_EQ(hex_u64(0xa), "0xa");
  EXPECT_EQ(hex_u64(0x10), "0x10");
  EXPECT_EQ(hex_u64(0xffffffff81000000), "0xffffffff81000000");
  EXPECT_EQ(hex_u64(0xffffffffffffffff), "0xffffffffffffffff");
  EXPECT_EQ(hex_u64(0x8000000000000000), "0x8000000000000000");
}

TEST(HexTest, U64AgreesWithPrintfAcrossBitPatterns) {
  std::uint64_t v = 0x9e3779b97f4a7c15;
  for (int i = 0; i < 4096; ++i) {
    v ^= v << 13;
    v ^= v >> 7;
    v ^= v << 17;
    const std::uint64_t value = v >> (i % 64);  // every length of number
    ASSERT_EQ(hex_u64(value), printf_hex(value)) << i;
  }
  for (int bit = 0; bit < 64; ++bit) {
    const std::uint64_t value = std::uint64_t{1} << bit;
    ASSERT_EQ(hex_u64(value), printf_hex(value));
    ASSERT_EQ(hex_u64(value - 1), printf_hex(value - 1));
  }
}

TEST(HexTest, BytesAreTwoDigitsEachInOrder) {
  const std::vector<std::uint8_t> id = {0x00, 0x0f, 0xde, 0xad, 0xbe, 0xef, 0xf0};
  EXPECT_EQ(hex_bytes(id), "000fdeadbeeff0");
  const std::vector<std::byte> raw = {std::byte{0x01}, std::byte{0xab}};
  EXPECT_EQ(hex_bytes(raw), "01ab");
  EXPECT_EQ(hex_bytes(std::span<const std::uint8_t>()), "");
}

}  // namespace
}  // namespace vmscope
