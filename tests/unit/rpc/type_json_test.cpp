#include "rpc/type_json.h"

#include <gtest/gtest.h>

namespace vmscope::rpc {
namespace {

using debuginfo::Member;
using debuginfo::QualifiedType;
using debuginfo::Type;
using debuginfo::TypeKind;

debuginfo::TypeRef int_type() {
  return Type::make_integer("int", 4, true);
}
debuginfo::TypeRef uint_type() {
  return Type::make_integer("unsigned int", 4, false);
}

TEST(TypeJsonTest, AStructListsMembersWithByteAndBitOffsets) {
  auto self = Type::make_compound(TypeKind::kStruct, "list_head", 16, {});
  auto pointer = Type::make_pointer({self, 0}, 8);
  auto list = Type::make_compound(
      TypeKind::kStruct, "list_head", 16,
      {Member{"next", {pointer, 0}, 0, 0}, Member{"prev", {pointer, 0}, 64, 0}});
  auto j = type_json({list, 0});
  ASSERT_TRUE(j.ok()) << j.error().to_string();
  EXPECT_EQ(*j, Json::parse(R"({"name":"struct list_head","kind":"struct","complete":true,
      "size":16,"members":[
        {"name":"next","type":"struct list_head *","offset":0,"bitOffset":0},
        {"name":"prev","type":"struct list_head *","offset":8,"bitOffset":64}]})"));
}

TEST(TypeJsonTest, BitFieldsAndAnonymousMembersInline) {
  auto inner = Type::make_compound(
      TypeKind::kUnion, std::nullopt, 4,
      {Member{"a", {uint_type(), 0}, 0, 0}, Member{"b", {uint_type(), 0}, 3, 5}});
  auto outer = Type::make_compound(
      TypeKind::kStruct, "s", 12,
      {Member{"x", {int_type(), 0}, 0, 0}, Member{std::nullopt, {inner, 0}, 64, 0}});
  auto j = type_json({outer, 0});
  ASSERT_TRUE(j.ok());
  const Json& anonymous = (*j)["members"][1];
  EXPECT_FALSE(anonymous.contains("name"));
  EXPECT_EQ(anonymous["type"], "union <anonymous>");
  EXPECT_EQ(anonymous["offset"], 8);
  ASSERT_EQ(anonymous["members"].size(), 2u);
  // Nested offsets count from the start of the outer type.
  EXPECT_EQ(anonymous["members"][1], Json::parse(R"({"name":"b","type":"unsigned int",
      "offset":8,"bitOffset":67,"bitFieldSize":5})"));
}

TEST(TypeJsonTest, ATypedefNamesItsTargetAndDescribesWhatItFinallyIs) {
  auto kernel_pid = Type::make_typedef("__kernel_pid_t", {int_type(), 0});
  auto pid = Type::make_typedef("pid_t", {kernel_pid, 0});
  auto j = type_json({pid, 0});
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(*j, Json::parse(R"({"name":"pid_t","kind":"typedef","complete":true,"size":4,
      "target":"__kernel_pid_t",
      "underlying":{"name":"int","kind":"integer","complete":true,"size":4,"signed":true}})"));
}

TEST(TypeJsonTest, EnumeratorValuesAreExactDecimalStrings) {
  auto e = Type::make_enum("big", Type::make_integer("unsigned long", 8, false),
                           {{"SMALL", 1}, {"HUGE", 0xffffffffffffffffull}});
  auto j = type_json({e, 0});
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["compatibleType"], "unsigned long");
  EXPECT_EQ((*j)["enumerators"][1],
            Json::parse(R"({"name":"HUGE","value":"18446744073709551615"})"));
  auto s = Type::make_enum("neg", int_type(), {{"MINUS", static_cast<std::uint64_t>(-1)}});
  EXPECT_EQ((*type_json({s, 0}))["enumerators"][0]["value"], "-1");
}

TEST(TypeJsonTest, PointersArraysFunctionsAndQualifiers) {
  auto array = Type::make_array({Type::make_integer("char", 1, true), 0}, 16);
  auto j = type_json({array, debuginfo::kConst});
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["target"], "char");
  EXPECT_EQ((*j)["length"], 16);
  EXPECT_EQ((*j)["qualifiers"], "const");
  auto flexible = Type::make_array({int_type(), 0}, std::nullopt);
  EXPECT_FALSE((*type_json({flexible, 0})).contains("length"));
  EXPECT_EQ((*type_json({flexible, 0}))["complete"], false);
  auto function = Type::make_function({int_type(), 0}, {{"n", {uint_type(), 0}}}, true);
  auto f = type_json({function, 0});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)["target"], "int");
  EXPECT_EQ((*f)["parameters"], Json::parse(R"([{"name":"n","type":"unsigned int"}])"));
  EXPECT_EQ((*f)["variadic"], true);
}

TEST(TypeJsonTest, AnIncompleteStructHasNoMembers) {
  auto declared = Type::make_compound(TypeKind::kStruct, "opaque", std::nullopt, {});
  auto j = type_json({declared, 0});
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["complete"], false);
  EXPECT_FALSE(j->contains("members"));
  EXPECT_FALSE(j->contains("size"));
}

}  // namespace
}  // namespace vmscope::rpc
