#include "dump/memory_file.h"

#include <gtest/gtest.h>

#include <array>
#include <utility>

namespace vmscope {
namespace {

std::vector<std::byte> bytes_0_to(std::size_t n) {
  std::vector<std::byte> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>(i);
  return out;
}

TEST(MemoryFileTest, ReadsInsideAndRefusesPastTheEnd) {
  MemoryFile file(bytes_0_to(16), "sixteen");
  EXPECT_EQ(file.size(), 16u);
  EXPECT_EQ(file.name(), "sixteen");
  std::array<std::byte, 4> out{};
  ASSERT_TRUE(file.read_at(12, out).ok());
  EXPECT_EQ(out[0], std::byte{12});
  EXPECT_EQ(out[3], std::byte{15});
  Status past = file.read_at(13, out);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().code(), ErrorCode::kTruncated);
  EXPECT_EQ(past.error().payload().offset, 16u);
  // An offset far beyond the end must not wrap around.
  EXPECT_FALSE(file.read_at(~0ull - 1, out).ok());
  EXPECT_TRUE(file.read_at(16, std::span<std::byte>()).ok());
}

TEST(MemoryFileTest, AViewReadsTheCallersBytesAndAMovedFileKeepsItsOwn) {
  std::vector<std::byte> mine = bytes_0_to(8);
  MemoryFile view = MemoryFile::view(mine);
  mine[5] = std::byte{0xaa};
  std::array<std::byte, 1> out{};
  ASSERT_TRUE(view.read_at(5, out).ok());
  EXPECT_EQ(out[0], std::byte{0xaa});

  MemoryFile owned(bytes_0_to(8));
  MemoryFile moved = std::move(owned);
  ASSERT_TRUE(moved.read_at(7, out).ok());
  EXPECT_EQ(out[0], std::byte{7});
}

}  // namespace
}  // namespace vmscope
