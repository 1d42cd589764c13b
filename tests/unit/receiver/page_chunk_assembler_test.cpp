#include "receiver/page_chunk_assembler.h"

#include <gtest/gtest.h>

namespace vmscope::dumpwire {
namespace {

PageRecord chunk(std::uint64_t pfn, std::uint16_t index, std::uint16_t count,
                 std::span<const std::byte> bytes,
                 PageCompression compression = PageCompression::kNone) {
  return {RecordKind::kPage, compression, index, count, pfn, 0, bytes};
}

TEST(PageChunkAssemblerTest, ChunksInAnyOrderMakeThePage) {
  std::vector<std::byte> page(4096);
  for (std::size_t i = 0; i < page.size(); ++i) page[i] = static_cast<std::byte>(i * 7);
  PageChunkAssembler a(4096);
  auto s = std::span<const std::byte>(page);
  EXPECT_FALSE(a.add(chunk(9, 2, 3, s.subspan(3000))));
  EXPECT_FALSE(a.add(chunk(9, 0, 3, s.subspan(0, 1000))));
  EXPECT_FALSE(a.add(chunk(9, 0, 3, s.subspan(0, 1000))));  // duplicate chunk
  EXPECT_EQ(a.duplicate_chunks(), 1u);
  auto done = a.add(chunk(9, 1, 3, s.subspan(1000, 2000)));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->pfn, 9u);
  EXPECT_EQ(done->stored, page);
  EXPECT_EQ(a.partial_pages(), 0u);
}

TEST(PageChunkAssemblerTest, InconsistentOrOversizedPagesAreDropped) {
  std::vector<std::byte> bytes(3000);
  PageChunkAssembler a(4096);
  EXPECT_FALSE(a.add(chunk(1, 0, 2, bytes)));
  EXPECT_FALSE(a.add(chunk(1, 1, 3, bytes)));  // another chunk_count
  EXPECT_EQ(a.dropped(), 1u);
  EXPECT_FALSE(a.add(chunk(2, 0, 2, bytes)));
  EXPECT_FALSE(a.add(chunk(2, 1, 2, bytes)));  // 6000 bytes > one page
  EXPECT_EQ(a.dropped(), 2u);
  EXPECT_FALSE(a.add(chunk(3, 0, 2, bytes, PageCompression::kZstd)));
  EXPECT_FALSE(a.add(chunk(3, 1, 2, std::span(bytes).first(10), PageCompression::kLz4)));
  EXPECT_EQ(a.dropped(), 3u);
}

TEST(PageChunkAssemblerTest, BoundsEvictTheOldest) {
  std::vector<std::byte> bytes(100);
  PageChunkAssembler a(4096, {.max_pages = 2, .max_bytes = 1 << 20});
  a.add(chunk(1, 0, 2, bytes));
  a.add(chunk(2, 0, 2, bytes));
  a.add(chunk(3, 0, 2, bytes));  // pfn 1 is given up
  EXPECT_EQ(a.dropped(), 1u);
  EXPECT_EQ(a.partial_pfns(), (std::vector<std::uint64_t>{2, 3}));
  EXPECT_FALSE(a.add(chunk(1, 1, 2, bytes)));  // starts over, incomplete
  EXPECT_TRUE(a.add(chunk(3, 1, 2, bytes)));
}

}  // namespace
}  // namespace vmscope::dumpwire
