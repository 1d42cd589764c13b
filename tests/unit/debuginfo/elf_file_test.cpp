#include "debuginfo/elf_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "test_programs.h"

namespace vmscope::debuginfo {
namespace {

using testing::TempDir;

class ElfFileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    shapes_ = testing::build_shapes(*dir_, 5);
    module_ = testing::build_module(*dir_, "mod", "aabbccdd");
  }
  static void TearDownTestSuite() { delete dir_; }
  static inline TempDir* dir_ = nullptr;
  static inline std::string shapes_, module_;
};

TEST_F(ElfFileTest, ReadsBuildIdAndFileIdentity) {
  auto file = ElfFile::open(shapes_);
  ASSERT_TRUE(file.ok()) << file.error().to_string();
  EXPECT_EQ(hex_bytes((*file)->build_id()), testing::kShapesBuildId);
  EXPECT_GT((*file)->file_size(), 0u);
  EXPECT_GT((*file)->mtime_ns(), 0);
  EXPECT_FALSE((*file)->is_relocatable());
  auto again = read_build_id(shapes_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, (*file)->build_id());
}

TEST_F(ElfFileTest, ImageRangeCoversTheLoadedCode) {
  auto file = ElfFile::open(shapes_);
  ASSERT_TRUE(file.ok());
  auto nm = testing::nm_symbols(shapes_);
  ASSERT_EQ(nm.count("main"), 1u);
  const AddressRange& image = (*file)->image_range();
  EXPECT_TRUE(image.contains(nm.find("main")->second.value));
  EXPECT_TRUE(image.contains(nm.find("global_counter")->second.value));
  EXPECT_FALSE(image.contains(0));
}

TEST_F(ElfFileTest, Sections) {
  auto file = ElfFile::open(shapes_);
  ASSERT_TRUE(file.ok());
  const ElfSection* text = (*file)->find_section(".text");
  ASSERT_NE(text, nullptr);
  EXPECT_GT(text->size, 0u);
  EXPECT_NE((*file)->find_section(".debug_info"), nullptr);
  EXPECT_EQ((*file)->find_section(".no_such_section"), nullptr);
}

TEST_F(ElfFileTest, RelocatableModule) {
  auto file = ElfFile::open(module_);
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE((*file)->is_relocatable());
  EXPECT_EQ(hex_bytes((*file)->build_id()), "aabbccdd");
  EXPECT_EQ((*file)->image_range().begin, (*file)->image_range().end);  // no loaded image
}

TEST_F(ElfFileTest, Errors) {
  EXPECT_EQ(ElfFile::open(dir_->file("missing")).error().code(), ErrorCode::kNotFound);
  std::string junk = dir_->file("junk");
  std::ofstream(junk) << "this is not an ELF file";
  auto not_elf = ElfFile::open(junk);
  ASSERT_FALSE(not_elf.ok());
  EXPECT_EQ(not_elf.error().code(), ErrorCode::kCorrupt);
}

TEST(HexTest, RoundTrip) {
  std::vector<std::uint8_t> bytes{0x00, 0x1f, 0xab, 0xff};
  EXPECT_EQ(hex_bytes(bytes), "001fabff");
  EXPECT_EQ(from_hex("001FabfF"), bytes);
  EXPECT_FALSE(from_hex("abc").has_value());
  EXPECT_FALSE(from_hex("zz").has_value());
}

}  // namespace
}  // namespace vmscope::debuginfo
