#include "debuginfo/dwarf_index_builder.h"

#include <gtest/gtest.h>

#include "debuginfo/elf_file.h"

#include "test_programs.h"

namespace vmscope::debuginfo {
namespace {

using testing::TempDir;

class DwarfIndexBuilderTest : public ::testing::TestWithParam<int> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    for (int v : {4, 5}) programs_[v] = testing::build_shapes(*dir_, v);
  }
  static void TearDownTestSuite() { delete dir_; }
  std::string program() const { return programs_.at(GetParam()); }
  std::shared_ptr<const DwarfIndex> build(unsigned threads, IndexBuildStats* stats = nullptr) {
    auto index = build_dwarf_index(program(), IndexBuildOptions{threads}, stats);
    EXPECT_TRUE(index.ok()) << index.error().to_string();
    return index.ok() ? *index : nullptr;
  }
  static inline TempDir* dir_ = nullptr;
  static inline std::map<int, std::string> programs_;
};

TEST_P(DwarfIndexBuilderTest, SameIndexWithOneOrTwoThreads) {
  IndexBuildStats one_stats, two_stats;
  auto one = build(1, &one_stats);
  auto two = build(2, &two_stats);
  ASSERT_TRUE(one && two);
  EXPECT_EQ(one_stats.threads, 1u);
  EXPECT_EQ(two_stats.threads, 2u);
  EXPECT_GE(one_stats.units, 2u);
  EXPECT_EQ(one_stats.dies_visited, two_stats.dies_visited);
  EXPECT_TRUE(std::equal(one->bytes().begin(), one->bytes().end(), two->bytes().begin(),
                         two->bytes().end()));
}

TEST_P(DwarfIndexBuilderTest, RecordsTheSourceIdentity) {
  auto index = build(1);
  ASSERT_TRUE(index);
  EXPECT_EQ(hex_bytes(index->source().build_id), testing::kShapesBuildId);
}

TEST_P(DwarfIndexBuilderTest, FoldsRepeatedDefinitionsAndKeepsDistinctOnes) {
  auto index = build(2);
  ASSERT_TRUE(index);
  // list_node is defined in both CUs (from shapes.h): one entry.
  EXPECT_EQ(index->find_types(TypeTag::kStruct, "list_node").size(), 1u);
  EXPECT_EQ(index->find_types(TypeTag::kTypedef, "u32").size(), 1u);
  // Two different `struct clash`es: both kept, shapes.c's (the first CU) first.
  EXPECT_EQ(index->find_types(TypeTag::kStruct, "clash").size(), 2u);
}

TEST_P(DwarfIndexBuilderTest, PrefersDefinitionsOverDeclarations) {
  auto index = build(1);
  ASSERT_TRUE(index);
  auto opaque = index->find_types(TypeTag::kStruct, "opaque");
  ASSERT_EQ(opaque.size(), 1u);  // shapes.c's declaration dropped: other.c defines it
  EXPECT_FALSE(opaque[0].is_declaration);
  auto never = index->find_types(TypeTag::kStruct, "never_defined");
  ASSERT_EQ(never.size(), 1u);
  EXPECT_TRUE(never[0].is_declaration);
}

TEST_P(DwarfIndexBuilderTest, TypesOfEveryTag) {
  auto index = build(1);
  ASSERT_TRUE(index);
  EXPECT_TRUE(index->find_type(TypeTag::kUnion, "number").has_value());
  EXPECT_TRUE(index->find_type(TypeTag::kEnum, "colour").has_value());
  EXPECT_TRUE(index->find_type(TypeTag::kTypedef, "handler_t").has_value());
  // Base types under drgn's spelling only.
  EXPECT_TRUE(index->find_type(TypeTag::kBase, "unsigned int").has_value());
  EXPECT_TRUE(index->find_type(TypeTag::kBase, "unsigned long long").has_value());
  EXPECT_FALSE(index->find_type(TypeTag::kBase, "long long unsigned int").has_value());
}

TEST_P(DwarfIndexBuilderTest, EnumeratorsWithTheProgramsValues) {
  auto index = build(1);
  ASSERT_TRUE(index);
  auto facts = testing::program_facts(program());
  for (const char* name : {"GREEN", "BLUE", "NEGATIVE"}) {
    auto found = index->find_enumerators(name);
    ASSERT_EQ(found.size(), 1u) << name;
    EXPECT_EQ(static_cast<long long>(found[0].value), facts.at(std::string("value ") + name))
        << name;
  }
  EXPECT_TRUE(index->find_enumerators("NEGATIVE")[0].is_signed);
  EXPECT_EQ(index->find_enumerators("BIG")[0].value, 0xffffffffu);
}

TEST_P(DwarfIndexBuilderTest, VariablesAtTheLinkersAddresses) {
  auto index = build(1);
  ASSERT_TRUE(index);
  auto nm = testing::nm_symbols(program());
  for (const char* name :
       {"global_counter", "static_counter", "bits_instance", "opaque_instance"}) {
    auto found = index->find_variables(name);
    ASSERT_EQ(found.size(), 1u) << name;
    ASSERT_TRUE(found[0].address.has_value()) << name;
    EXPECT_EQ(*found[0].address, nm.find(name)->second.value) << name;
  }
  // Declared in C, defined only by an assembler directive: a declaration without address.
  auto alias = index->find_variables("alias_of_counter");
  ASSERT_EQ(alias.size(), 1u);
  EXPECT_FALSE(alias[0].address.has_value());
}

TEST_P(DwarfIndexBuilderTest, FunctionsWithTheirRanges) {
  auto index = build(1);
  ASSERT_TRUE(index);
  auto nm = testing::nm_symbols(program());
  auto marked = index->find_functions("marked_function");
  ASSERT_EQ(marked.size(), 1u);
  const auto& symbol = nm.find("marked_function")->second;
  EXPECT_EQ(marked[0].low_pc, symbol.value);
  EXPECT_EQ(marked[0].high_pc - marked[0].low_pc, symbol.size);
  auto inside = index->function_containing(symbol.value + symbol.size - 1);
  ASSERT_TRUE(inside.has_value());
  EXPECT_EQ(inside->name, "marked_function");
  // Two static functions named same_name, one per CU.
  auto same = index->find_functions("same_name");
  ASSERT_EQ(same.size(), 2u);
  EXPECT_NE(same[0].low_pc, same[1].low_pc);
}

TEST(DwarfIndexBuilderErrorsTest, MissingFileIsAnError) {
  auto index = build_dwarf_index("/nonexistent/vmlinux", {}, nullptr);
  ASSERT_FALSE(index.ok());
  EXPECT_EQ(index.error().code(), ErrorCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(DwarfVersions, DwarfIndexBuilderTest, ::testing::Values(4, 5),
                         [](const auto& p) { return "dwarf" + std::to_string(p.param); });

}  // namespace
}  // namespace vmscope::debuginfo
