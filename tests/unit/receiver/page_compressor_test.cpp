#include "receiver/page_compressor.h"

#include <gtest/gtest.h>

#include <random>

namespace vmscope {
namespace {

std::vector<std::byte> text_page() {
  std::vector<std::byte> page(4096);
  for (std::size_t i = 0; i < page.size(); ++i) page[i] = static_cast<std::byte>("kernel "[i % 7]);
  return page;
}

TEST(PageCompressorTest, EveryCodecRoundTrips) {
  PageCompressor c;
  auto page = text_page();
  for (PageCodec codec : {PageCodec::kLz4, PageCodec::kZstd, PageCodec::kZlib}) {
    std::vector<std::byte> stored;
    ASSERT_TRUE(c.compress(codec, page, stored));
    EXPECT_LT(stored.size(), 200u);
    std::vector<std::byte> back(4096);
    ASSERT_TRUE(c.decompress(codec, stored, back).ok());
    EXPECT_EQ(back, page);
  }
}

TEST(PageCompressorTest, IncompressiblePagesAreRefused) {
  PageCompressor c;
  std::vector<std::byte> page(4096);
  std::mt19937 rng(1);
  for (auto& b : page) b = static_cast<std::byte>(rng());
  std::vector<std::byte> stored;
  EXPECT_FALSE(c.compress(PageCodec::kLz4, page, stored));
  EXPECT_FALSE(c.compress(PageCodec::kZstd, page, stored));
  EXPECT_FALSE(c.compress(PageCodec::kZlib, page, stored));
}

TEST(PageCompressorTest, WrongSizesAndGarbageAreCorrupt) {
  PageCompressor c;
  auto page = text_page();
  std::vector<std::byte> stored;
  ASSERT_TRUE(c.compress(PageCodec::kZstd, page, stored));
  std::vector<std::byte> small(2048);
  EXPECT_EQ(c.decompress(PageCodec::kZstd, stored, small).error().code(), ErrorCode::kCorrupt);
  ASSERT_TRUE(c.compress(PageCodec::kLz4, page, stored));
  std::vector<std::byte> big(8192);
  EXPECT_FALSE(c.decompress(PageCodec::kLz4, stored, big).ok());
  std::vector<std::byte> garbage(100, std::byte{0x77});
  std::vector<std::byte> out(4096);
  EXPECT_FALSE(c.decompress(PageCodec::kLz4, garbage, out).ok());
  EXPECT_FALSE(c.decompress(PageCodec::kZstd, garbage, out).ok());
  EXPECT_FALSE(c.decompress(PageCodec::kZlib, garbage, out).ok());
}

}  // namespace
}  // namespace vmscope
