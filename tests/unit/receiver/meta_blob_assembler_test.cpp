#include "receiver/meta_blob_assembler.h"

#include <gtest/gtest.h>

namespace vmscope::dumpwire {
namespace {

TEST(MetaBlobAssemblerTest, ChunksInAnyOrderRepeatsAndConflicts) {
  SessionStart s;
  s.meta_chunk = 4;
  s.meta_length = 10;  // chunks of 4, 4, 2
  std::vector<std::byte> blob(10);
  for (std::size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<std::byte>(i + 1);
  MetaBlobAssembler a(s);
  using O = MetaBlobAssembler::Outcome;
  EXPECT_EQ(a.add({0, 2, std::span(blob).subspan(8, 2)}), O::kAdded);
  EXPECT_EQ(a.add({0, 0, std::span(blob).subspan(0, 4)}), O::kAdded);
  EXPECT_FALSE(a.complete());
  EXPECT_EQ(a.add({0, 0, std::span(blob).subspan(0, 4)}), O::kRepeat);
  std::vector<std::byte> other(4, std::byte{0x77});
  EXPECT_EQ(a.add({0, 0, other}), O::kConflict);  // the first copy wins
  EXPECT_EQ(a.add({0, 3, other}), O::kConflict);  // no such chunk
  EXPECT_EQ(a.add({0, 1, std::span(blob).subspan(4, 4)}), O::kAdded);
  ASSERT_TRUE(a.complete());
  EXPECT_TRUE(std::equal(blob.begin(), blob.end(), a.blob().begin()));
  EXPECT_EQ(a.chunks_received(), 3u);
}

}  // namespace
}  // namespace vmscope::dumpwire
