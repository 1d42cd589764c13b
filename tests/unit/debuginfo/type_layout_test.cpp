#include "debuginfo/type_layout.h"

#include <gtest/gtest.h>

namespace vmscope::debuginfo {
namespace {

// struct outer {
//   int head;                         // 0
//   union {                           // 8
//     long as_long;
//     struct { short lo; short hi; }; // lo 8, hi 10
//   };
//   struct inner { int x; int y; } named;   // 16 (x 16, y 20)
//   unsigned flags : 3;               // bit 192
//   unsigned mode : 4;                // bit 195
//   int grid[2][3];                   // 28
//   long tail[];                      // 56
// };
class TypeLayoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto i = Type::make_integer("int", 4, true);
    auto s = Type::make_integer("short", 2, true);
    auto l = Type::make_integer("long", 8, true);
    auto u = Type::make_integer("unsigned int", 4, false);
    auto lohi = Type::make_compound(TypeKind::kStruct, std::nullopt, 4,
                                    {{"lo", {s, 0}, 0, 0}, {"hi", {s, 0}, 16, 0}});
    auto un = Type::make_compound(TypeKind::kUnion, std::nullopt, 8,
                                  {{"as_long", {l, 0}, 0, 0}, {std::nullopt, {lohi, 0}, 0, 0}});
    inner_ = Type::make_compound(TypeKind::kStruct, "inner", 8,
                                 {{"x", {i, 0}, 0, 0}, {"y", {i, 0}, 32, 0}});
    auto grid = Type::make_array({Type::make_array({i, 0}, 3), 0}, 2);
    outer_ = Type::make_compound(TypeKind::kStruct, "outer", 56,
                                 {{"head", {i, 0}, 0, 0},
                                  {std::nullopt, {un, 0}, 64, 0},
                                  {"named", {inner_, 0}, 128, 0},
                                  {"flags", {u, 0}, 192, 3},
                                  {"mode", {u, 0}, 195, 4},
                                  {"grid", {grid, 0}, 224, 0},
                                  {"tail", {Type::make_array({l, 0}, std::nullopt), 0}, 448, 0}});
    typedef_ = Type::make_typedef("outer_t", {outer_, kConst});
  }
  TypeRef inner_, outer_, typedef_;
};

TEST_F(TypeLayoutTest, SizeofAndItsErrors) {
  EXPECT_EQ(*sizeof_type({outer_, 0}), 56u);
  EXPECT_EQ(*sizeof_type({typedef_, 0}), 56u);
  auto v = sizeof_type({Type::make_void(), 0});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), ErrorCode::kTypeError);
  auto incomplete = sizeof_type({Type::make_compound(TypeKind::kStruct, "x", std::nullopt, {}), 0});
  ASSERT_FALSE(incomplete.ok());
  EXPECT_NE(incomplete.error().message().find("struct x"), std::string::npos);
}

TEST_F(TypeLayoutTest, FindMemberDescendsIntoAnonymousMembers) {
  auto hi = find_member({outer_, 0}, "hi");
  ASSERT_TRUE(hi.ok()) << hi.error().to_string();
  EXPECT_EQ(hi->bit_offset, 80u);
  auto as_long = find_member({typedef_, 0}, "as_long");  // through the typedef
  ASSERT_TRUE(as_long.ok());
  EXPECT_EQ(as_long->bit_offset, 64u);
  auto mode = find_member({outer_, 0}, "mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(mode->bit_offset, 195u);
  EXPECT_EQ(mode->bit_field_size, 4u);
}

TEST_F(TypeLayoutTest, FindMemberErrors) {
  auto missing = find_member({outer_, 0}, "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().payload().name, "nope");
  EXPECT_NE(missing.error().message().find("struct outer"), std::string::npos);
  auto not_compound = find_member({Type::make_integer("int", 4, true), 0}, "x");
  ASSERT_FALSE(not_compound.ok());
  EXPECT_EQ(not_compound.error().code(), ErrorCode::kTypeError);
}

TEST_F(TypeLayoutTest, DesignatorsWalkMembersAndElements) {
  EXPECT_EQ(*offset_of({outer_, 0}, "named.y"), 20u);
  EXPECT_EQ(*offset_of({outer_, 0}, "grid[1][2]"), 28u + 12u + 8u);
  EXPECT_EQ(*offset_of({outer_, 0}, "grid[1]"), 40u);
  EXPECT_EQ(*offset_of({outer_, 0}, " tail [ 0x3 ] "), 56u + 24u);  // flexible: not bounded
  EXPECT_EQ(*offset_of({outer_, 0}, "hi"), 10u);
  auto location = resolve_designator({outer_, 0}, "named");
  ASSERT_TRUE(location.ok());
  EXPECT_EQ(location->type.type, inner_);
}

TEST_F(TypeLayoutTest, DesignatorErrorsCarryTheColumn) {
  auto bad = offset_of({outer_, 0}, "named..y");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kSyntaxError);
  EXPECT_EQ(bad.error().payload().column, 7u);
  auto unknown = offset_of({outer_, 0}, "named.z");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().payload().column, 7u);
  auto subscript = offset_of({outer_, 0}, "head[1]");
  ASSERT_FALSE(subscript.ok());
  EXPECT_EQ(subscript.error().code(), ErrorCode::kTypeError);
  EXPECT_EQ(offset_of({outer_, 0}, "").error().code(), ErrorCode::kSyntaxError);
  EXPECT_EQ(offset_of({outer_, 0}, "grid[x]").error().code(), ErrorCode::kSyntaxError);
  EXPECT_EQ(offset_of({outer_, 0}, "grid[1").error().code(), ErrorCode::kSyntaxError);
}

TEST_F(TypeLayoutTest, OffsetOfAMisalignedBitFieldIsAnError) {
  auto flags = offset_of({outer_, 0}, "flags");
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(*flags, 24u);
  auto mode = offset_of({outer_, 0}, "mode");
  ASSERT_FALSE(mode.ok());
  EXPECT_EQ(mode.error().code(), ErrorCode::kTypeError);
}

TEST_F(TypeLayoutTest, SelfContainingAnonymousMembersAreBounded) {
  // A corrupt type whose anonymous member is a compound that again has an anonymous member,
  // 100 levels deep: the lookup gives up instead of recursing without end.
  TypeRef t = Type::make_compound(TypeKind::kStruct, std::nullopt, 4, {});
  for (int i = 0; i < 100; ++i) {
    t = Type::make_compound(TypeKind::kStruct, std::nullopt, 4, {{std::nullopt, {t, 0}, 0, 0}});
  }
  auto found = find_member({t, 0}, "x");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code(), ErrorCode::kLimitExceeded);
}

}  // namespace
}  // namespace vmscope::debuginfo
