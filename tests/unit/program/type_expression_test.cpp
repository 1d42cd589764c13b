#include "program/type_expression.h"

#include <gtest/gtest.h>

#include "debuginfo/type_name.h"
#include "synthetic_target.h"

namespace vmscope {
namespace {

using debuginfo::QualifiedType;
using debuginfo::Type;
using debuginfo::TypeKind;

class TypeExpressionTest : public ::testing::Test {
 protected:
  TypeExpressionTest() {
    auto ulong = Type::make_integer("unsigned long", 8, false);
    auto task =
        Type::make_compound(TypeKind::kStruct, std::string("task_struct"), 16,
                            {debuginfo::Member{std::string("state"), QualifiedType{ulong}, 0, 0}});
    names.types["struct task_struct"] = QualifiedType{task};
    names.types["unsigned long"] = QualifiedType{ulong};
    names.types["pid_t"] = QualifiedType{
        Type::make_typedef("pid_t", QualifiedType{Type::make_integer("int", 4, true)})};
  }
  Result<QualifiedType> resolve(std::string_view text) {
    return resolve_type_name(target.memory(), names, text);
  }
  testing::SyntheticTarget target;
  testing::TableLookup names;
};

TEST_F(TypeExpressionTest, PointersArraysAndQualifiers) {
  auto pointer = resolve("struct task_struct *");
  ASSERT_TRUE(pointer.ok()) << pointer.error().to_string();
  EXPECT_EQ(debuginfo::type_name(*pointer), "struct task_struct *");
  EXPECT_EQ((*pointer)->size(), 8u);
  auto array = resolve("unsigned long[4]");
  ASSERT_TRUE(array.ok()) << array.error().to_string();
  EXPECT_EQ((*array)->kind(), TypeKind::kArray);
  EXPECT_EQ((*array)->size(), 32u);
  auto qualified = resolve("const pid_t *");
  ASSERT_TRUE(qualified.ok()) << qualified.error().to_string();
  EXPECT_EQ(debuginfo::type_name(*qualified), "const pid_t *");
  auto plain = resolve("struct task_struct");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)->kind(), TypeKind::kStruct);
}

TEST_F(TypeExpressionTest, ErrorsNameTheColumnInTheTextGiven) {
  auto unknown = resolve("struct nothing *");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().payload().column, 1u);
  auto syntax = resolve("struct task_struct *[");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.error().code(), ErrorCode::kSyntaxError);
  ASSERT_TRUE(syntax.error().payload().column.has_value());
  EXPECT_LE(*syntax.error().payload().column, 22u);
  EXPECT_GE(*syntax.error().payload().column, 21u);
  // An expression is not a type name.
  auto expression = resolve("1 + 2");
  ASSERT_FALSE(expression.ok());
  EXPECT_EQ(expression.error().code(), ErrorCode::kSyntaxError);
}

}  // namespace
}  // namespace vmscope
