// types/get's anonymous members carry the designator that reaches them (#N, nested #N.#M,
// prefixed by the request's member), and only anonymous members do.
#include <gtest/gtest.h>

#include "rpc/type_json.h"

namespace vmscope::rpc {
namespace {

using debuginfo::Member;
using debuginfo::Type;
using debuginfo::TypeKind;

TEST(TypeJsonDesignatorTest, AnonymousMembersSayHowToReachThem) {
  auto integer = Type::make_integer("int", 4, true);
  auto deepest =
      Type::make_compound(TypeKind::kStruct, std::nullopt, 4, {Member{"z", {integer, 0}, 0, 0}});
  auto inner = Type::make_compound(
      TypeKind::kUnion, std::nullopt, 4,
      {Member{"a", {integer, 0}, 0, 0}, Member{std::nullopt, {deepest, 0}, 0, 0}});
  auto outer = Type::make_compound(
      TypeKind::kStruct, "s", 8,
      {Member{"x", {integer, 0}, 0, 0}, Member{std::nullopt, {inner, 0}, 32, 0}});
  auto j = type_json({outer, 0});
  ASSERT_TRUE(j.ok()) << j.error().to_string();
  EXPECT_FALSE((*j)["members"][0].contains("designator"));
  EXPECT_EQ((*j)["members"][1]["designator"], "#1");
  EXPECT_FALSE((*j)["members"][1]["members"][0].contains("designator"));
  EXPECT_EQ((*j)["members"][1]["members"][1]["designator"], "#1.#1");
  // Described as reached through a member designator, the designators continue from it.
  auto reached = type_json({inner, 0}, "#1");
  ASSERT_TRUE(reached.ok());
  EXPECT_EQ((*reached)["members"][1]["designator"], "#1.#1");
  auto named = type_json({inner, 0}, "pids[1]");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ((*named)["members"][1]["designator"], "pids[1].#1");
}

}  // namespace
}  // namespace vmscope::rpc
