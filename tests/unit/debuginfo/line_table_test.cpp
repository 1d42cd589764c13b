#include "debuginfo/line_table.h"

#include <gtest/gtest.h>

#include "test_programs.h"

namespace vmscope::debuginfo {
namespace {

class LineTableTest : public ::testing::TestWithParam<int> {};

TEST_P(LineTableTest, FunctionAddressesMapToTheirSourceLine) {
  testing::TempDir dir;
  std::string program = testing::build_shapes(dir, GetParam());
  auto facts = testing::program_facts(program);
  auto nm = testing::nm_symbols(program);
  auto file = DwarfFile::open(program);
  ASSERT_TRUE(file.ok());
  LineTable lines(std::move(file).value());
  const auto& marked = nm.find("marked_function")->second;
  // marked_function is written on one line, so every instruction of it maps there.
  for (std::uint64_t address = marked.value; address < marked.value + marked.size; ++address) {
    auto location = lines.find(address);
    ASSERT_TRUE(location.ok()) << location.error().to_string();
    EXPECT_EQ(location->line, facts.at("line marked_function"));
    EXPECT_TRUE(location->file.ends_with("shapes.c")) << location->file;
  }
  auto other = lines.find(nm.find("call_same_name")->second.value);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->file.ends_with("other.c")) << other->file;
}

TEST_P(LineTableTest, AddressesWithoutCodeAreNotFound) {
  testing::TempDir dir;
  auto file = DwarfFile::open(testing::build_shapes(dir, GetParam()));
  ASSERT_TRUE(file.ok());
  LineTable lines(std::move(file).value());
  auto none = lines.find(0x10);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(none.error().payload().address, 0x10u);
}

INSTANTIATE_TEST_SUITE_P(DwarfVersions, LineTableTest, ::testing::Values(4, 5),
                         [](const auto& p) { return "dwarf" + std::to_string(p.param); });

}  // namespace
}  // namespace vmscope::debuginfo
