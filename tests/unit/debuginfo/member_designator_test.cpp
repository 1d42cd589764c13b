// Positional designators ("#N") reaching anonymous members (member_designator.h), on real
// DWARF: struct with_anonymous of the shapes program, whose offsets the compiled program prints.
#include "debuginfo/member_designator.h"

#include <gtest/gtest.h>

#include "debuginfo/dwarf_index_builder.h"
#include "debuginfo/dwarf_types.h"
#include "debuginfo/type_name.h"
#include "test_programs.h"

namespace vmscope::debuginfo {
namespace {

using testing::TempDir;

class MemberDesignatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    program_ = testing::build_shapes(*dir_, 5);
    facts_ = testing::program_facts(program_);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    auto file = DwarfFile::open(program_);
    ASSERT_TRUE(file.ok()) << file.error().to_string();
    auto index = build_dwarf_index(program_, {}, nullptr);
    ASSERT_TRUE(index.ok());
    types_ = DwarfTypes::create(std::move(file).value(), *index);
    auto t = types_->find_type(TypeTag::kStruct, "with_anonymous");
    ASSERT_TRUE(t.ok()) << t.error().to_string();
    outer_ = *t;
  }
  long long fact(const std::string& key) {
    auto it = facts_.find(key);
    EXPECT_NE(it, facts_.end()) << key;
    return it == facts_.end() ? -1 : it->second;
  }
  MemberLocation resolve(std::string_view designator) {
    auto found = resolve_member_designator(outer_, designator);
    EXPECT_TRUE(found.ok()) << designator << ": " << found.error().to_string();
    return found.ok() ? *found : MemberLocation{};
  }
  void expect_error(std::string_view designator, ErrorCode code, std::uint32_t column) {
    auto found = resolve_member_designator(outer_, designator);
    ASSERT_FALSE(found.ok()) << designator;
    EXPECT_EQ(found.error().code(), code) << designator << ": " << found.error().to_string();
    EXPECT_EQ(found.error().payload().column, column)
        << designator << ": " << found.error().to_string();
  }

  static inline TempDir* dir_ = nullptr;
  static inline std::string program_;
  static inline std::map<std::string, long long> facts_;
  std::shared_ptr<DwarfTypes> types_;
  QualifiedType outer_;
};

TEST_F(MemberDesignatorTest, PositionsReachAnonymousMembers) {
  // #1 is the anonymous union after `head`.
  MemberLocation the_union = resolve("#1");
  ASSERT_TRUE(the_union.type.type);
  EXPECT_EQ(type_name(the_union.type), "union <anonymous>");
  EXPECT_EQ(static_cast<long long>(the_union.bit_offset / 8),
            fact("offset struct with_anonymous as_long"));
  // #1.#1 is the struct {lo, hi}; #1.#2.#1 the union {deep, deep_bytes} inside the third.
  MemberLocation lo_hi = resolve("#1.#1");
  EXPECT_EQ(type_name(lo_hi.type), "struct <anonymous>");
  auto members = lo_hi.type->members();
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[1].name, "hi");
  EXPECT_EQ(static_cast<long long>(resolve("#1.#1.hi").bit_offset / 8),
            fact("offset struct with_anonymous hi"));
  EXPECT_EQ(static_cast<long long>(resolve("#1 . #2 . #1").bit_offset / 8),
            fact("offset struct with_anonymous deep"));
  EXPECT_EQ(type_name(resolve("#1.#2.#1").type), "union <anonymous>");
  // Positions mix with names and subscripts; a named member by position is that member.
  EXPECT_EQ(type_name(resolve("#1.#2.pad").type), "char [3]");
  EXPECT_EQ(static_cast<long long>(resolve("#1.#2.#1.deep_bytes[2]").bit_offset / 8),
            fact("offset struct with_anonymous deep_bytes") + 2);
  EXPECT_EQ(static_cast<long long>(resolve("#1.#2.#0[1]").bit_offset / 8),
            fact("offset struct with_anonymous as_long") + 1);  // pad starts the union
  EXPECT_EQ(type_name(resolve("#0").type), "int");
  EXPECT_EQ(static_cast<long long>(resolve("named_inner.#1").bit_offset / 8),
            fact("offset struct with_anonymous named_inner.y"));
  // Plain designators still work as offsetof's.
  EXPECT_EQ(static_cast<long long>(resolve("deep").bit_offset / 8),
            fact("offset struct with_anonymous deep"));
}

TEST_F(MemberDesignatorTest, PositionalDesignatorsAreWhatTypesGetHandsOut) {
  EXPECT_EQ(positional_designator("", 1), "#1");
  EXPECT_EQ(positional_designator("#1", 2), "#1.#2");
  EXPECT_EQ(positional_designator("pids[1]", 0), "pids[1].#0");
}

TEST_F(MemberDesignatorTest, BadDesignatorsNameTheColumn) {
  expect_error("#9", ErrorCode::kNotFound, 1);
  expect_error("#1.#7", ErrorCode::kNotFound, 4);
  expect_error("#", ErrorCode::kSyntaxError, 2);
  expect_error("#x", ErrorCode::kSyntaxError, 2);
  expect_error("#0.#0", ErrorCode::kTypeError, 4);  // int has no members
  expect_error("#1.nothing", ErrorCode::kNotFound, 4);
  expect_error("#1.", ErrorCode::kSyntaxError, 4);
  expect_error("#1 x", ErrorCode::kSyntaxError, 4);
  expect_error("head#1", ErrorCode::kSyntaxError, 5);
  expect_error("", ErrorCode::kSyntaxError, 1);
}

}  // namespace
}  // namespace vmscope::debuginfo
