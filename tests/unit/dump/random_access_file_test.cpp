#include "dump/random_access_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>

namespace vmscope {
namespace {

class PosixFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/" + std::to_string(::getpid()) + "-posix_file_test.bin";
    std::ofstream out(path_, std::ios::binary);
    out << "0123456789";
  }
  void TearDown() override { std::remove(path_.c_str()); }
  std::string path_;
};

TEST_F(PosixFileTest, ReadsExactRanges) {
  auto file = PosixFile::open(path_);
  ASSERT_TRUE(file.ok()) << file.error().to_string();
  EXPECT_EQ((*file)->size(), 10u);
  std::array<std::byte, 4> buf{};
  ASSERT_TRUE((*file)->read_at(3, buf).ok());
  EXPECT_EQ(static_cast<char>(buf[0]), '3');
  EXPECT_EQ(static_cast<char>(buf[3]), '6');
}

TEST_F(PosixFileTest, ReadPastEndIsTruncatedWithOffset) {
  auto file = PosixFile::open(path_);
  ASSERT_TRUE(file.ok());
  std::array<std::byte, 4> buf{};
  Status s = (*file)->read_at(8, buf);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kTruncated);
  EXPECT_EQ(s.error().payload().offset, 10u);
}

TEST(PosixFileOpenTest, MissingFileAndDirectoryAreClearErrors) {
  auto missing = PosixFile::open("/nonexistent/vmcore");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  auto dir = PosixFile::open("/tmp");
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace vmscope
