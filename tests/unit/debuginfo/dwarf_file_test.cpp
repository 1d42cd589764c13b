#include "debuginfo/dwarf_file.h"

#include <elfutils/libdw.h>
#include <gtest/gtest.h>

#include "test_programs.h"

namespace vmscope::debuginfo {
namespace {

TEST(DwarfFileTest, OpensDwarfOfBothVersions) {
  testing::TempDir dir;
  for (int version : {4, 5}) {
    auto file = DwarfFile::open(testing::build_shapes(dir, version));
    ASSERT_TRUE(file.ok()) << file.error().to_string();
    ASSERT_NE((*file)->dwarf(), nullptr);
    std::lock_guard lock((*file)->lock());
    Dwarf_Off next = 0;
    size_t header_size = 0;
    Dwarf_Half unit_version = 0;
    ASSERT_EQ(dwarf_next_unit((*file)->dwarf(), 0, &next, &header_size, &unit_version, nullptr,
                              nullptr, nullptr, nullptr, nullptr),
              0);
    EXPECT_EQ(unit_version, version);
  }
}

TEST(DwarfFileTest, AFileWithoutDwarfIsNotFound) {
  testing::TempDir dir;
  std::string stripped = dir.file("stripped");
  testing::run_command("gcc -O0 -o " + stripped + " " + testing::data_dir() +
                       "/module.c -nostdlib -Wl,-e,0 -no-pie");
  auto file = DwarfFile::open(stripped);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace vmscope::debuginfo
