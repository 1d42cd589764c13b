// Type names with C declarators (type_expression.h): arrays, pointers to arrays, functions and
// pointers to them, pointers to pointers, qualifiers in every place C allows — each parsed into
// the type graph and printed back as C and drgn print it, with its size; and bad input with
// the column it is about.
#include <gtest/gtest.h>

#include "debuginfo/type_name.h"
#include "program/type_expression.h"
#include "synthetic_target.h"

namespace vmscope {
namespace {

using debuginfo::QualifiedType;
using debuginfo::Type;
using debuginfo::TypeKind;

class TypeDeclaratorsTest : public ::testing::Test {
 protected:
  TypeDeclaratorsTest() {
    auto head = Type::make_compound(TypeKind::kStruct, std::string("list_head"), 16, {});
    auto work = Type::make_compound(TypeKind::kStruct, std::string("work_struct"), 32, {});
    names.types["struct list_head"] = QualifiedType{head};
    names.types["struct work_struct"] = QualifiedType{work};
    names.types["struct opaque"] =
        QualifiedType{Type::make_compound(TypeKind::kStruct, std::string("opaque"), {}, {})};
    names.types["size_t"] = QualifiedType{
        Type::make_typedef("size_t", QualifiedType{Type::make_integer("unsigned long", 8, false)})};
    names.types["u8"] = QualifiedType{
        Type::make_typedef("u8", QualifiedType{Type::make_integer("unsigned char", 1, false)})};
  }
  Result<QualifiedType> resolve(std::string_view text) {
    return resolve_type_name(target.memory(), names, text);
  }
  // Parses `text`, expecting drgn's spelling `printed` back and `size` (0: no size).
  void expect_type(std::string_view text, std::string_view printed, std::uint64_t size) {
    SCOPED_TRACE(std::string(text));
    auto type = resolve(text);
    ASSERT_TRUE(type.ok()) << type.error().to_string();
    EXPECT_EQ(debuginfo::type_name(*type), printed);
    EXPECT_EQ((*type)->size().value_or(0), size);
  }
  void expect_error(std::string_view text, ErrorCode code, std::uint32_t column) {
    SCOPED_TRACE(std::string(text));
    auto type = resolve(text);
    ASSERT_FALSE(type.ok()) << debuginfo::type_name(*type);
    EXPECT_EQ(type.error().code(), code) << type.error().to_string();
    EXPECT_EQ(type.error().payload().column, column) << type.error().to_string();
  }
  testing::SyntheticTarget target;
  testing::TableLookup names;
};

TEST_F(TypeDeclaratorsTest, ArraysAsDrgnPrintsThem) {
  expect_type("int[4]", "int [4]", 16);
  expect_type("int [4]", "int [4]", 16);
  expect_type("int [2][3]", "int [2][3]", 24);
  expect_type("struct list_head[]", "struct list_head []", 0);
  expect_type("unsigned long [0]", "unsigned long [0]", 0);
  expect_type("u8 [16]", "u8 [16]", 16);
  expect_type("char *[4]", "char *[4]", 32);
  expect_type("const int [4]", "const int [4]", 16);
  auto flexible = resolve("struct list_head []");
  ASSERT_TRUE(flexible.ok());
  EXPECT_FALSE((*flexible)->length().has_value());
  EXPECT_FALSE((*flexible)->is_complete());
  auto nested = resolve("int [2][3]");
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ((*nested)->length(), 2u);
  EXPECT_EQ((*nested)->target()->length(), 3u);
}

TEST_F(TypeDeclaratorsTest, PointersQualifiersAndPointersToArrays) {
  expect_type("char **", "char **", 8);
  expect_type("struct list_head * *", "struct list_head **", 8);
  expect_type("char * const", "char * const", 8);
  expect_type("const char * const *", "const char * const *", 8);
  expect_type("int const volatile *", "const volatile int *", 8);
  expect_type("char (*)[16]", "char (*)[16]", 8);
  expect_type("char (*)[]", "char (*)[]", 8);
  expect_type("int (**)[2][3]", "int (**)[2][3]", 8);
  expect_type("struct list_head *[]", "struct list_head *[]", 0);
  auto to_array = resolve("char (*)[16]");
  ASSERT_TRUE(to_array.ok());
  EXPECT_EQ((*to_array)->kind(), TypeKind::kPointer);
  EXPECT_EQ((*to_array)->target()->kind(), TypeKind::kArray);
  EXPECT_EQ((*to_array)->target()->size(), 16u);
}

TEST_F(TypeDeclaratorsTest, FunctionsAndFunctionPointers) {
  expect_type("void (*)(struct work_struct *)", "void (*)(struct work_struct *)", 8);
  expect_type("int (*)(void)", "int (*)(void)", 8);
  expect_type("int (void)", "int (void)", 0);
  expect_type("int ()", "int ()", 0);
  expect_type("int (*)(const char *, ...)", "int (*)(const char *, ...)", 8);
  expect_type("size_t (*)(struct list_head *, u8 [16], int (*)(void))",
              "size_t (*)(struct list_head *, u8 *, int (*)(void))", 8);
  expect_type("void (*[4])(void)", "void (*[4])(void)", 32);
  expect_type("int (*(*)(void))[3]", "int (*(*)(void))[3]", 8);
  expect_type("void (* const)(int)", "void (* const)(int)", 8);
  // A parameter may carry a name; C ignores it for the type. A function parameter is a
  // pointer to that function.
  expect_type("void (*)(struct work_struct *work, int count)",
              "void (*)(struct work_struct *, int)", 8);
  expect_type("void (*)(int handler(void))", "void (*)(int (*)(void))", 8);
  auto pointer = resolve("void (*)(struct work_struct *)");
  ASSERT_TRUE(pointer.ok());
  const Type& function = *(*pointer)->target();
  ASSERT_EQ(function.kind(), TypeKind::kFunction);
  ASSERT_EQ(function.parameters().size(), 1u);
  EXPECT_EQ(debuginfo::type_name(function.parameters()[0].type), "struct work_struct *");
  EXPECT_EQ(function.target()->kind(), TypeKind::kVoid);
}

TEST_F(TypeDeclaratorsTest, BadInputNamesTheColumn) {
  expect_error("struct nothing [4]", ErrorCode::kNotFound, 1);
  expect_error("void (*)(struct nothing *)", ErrorCode::kNotFound, 10);
  expect_error("void (*)(nothing)", ErrorCode::kNotFound, 10);
  expect_error("mystery *", ErrorCode::kNotFound, 1);
  expect_error("int [4", ErrorCode::kSyntaxError, 7);
  expect_error("int [x]", ErrorCode::kSyntaxError, 6);
  expect_error("char (*[16]", ErrorCode::kSyntaxError, 12);
  expect_error("int (*)(int", ErrorCode::kSyntaxError, 12);
  expect_error("int *)", ErrorCode::kSyntaxError, 6);
  expect_error("int x", ErrorCode::kSyntaxError, 5);
  expect_error("int int", ErrorCode::kSyntaxError, 1);
  expect_error("struct list_head int", ErrorCode::kSyntaxError, 18);
  expect_error("int (*)(...)", ErrorCode::kSyntaxError, 9);
  expect_error("void [4]", ErrorCode::kTypeError, 6);
  expect_error("struct opaque [2]", ErrorCode::kTypeError, 15);
  expect_error("int (void)[4]", ErrorCode::kTypeError, 5);
  expect_error("int (*)(void)(void)", ErrorCode::kTypeError, 8);
  expect_error("int [2](void)", ErrorCode::kTypeError, 5);  // an array of functions
  expect_error("void (*)(void, int)", ErrorCode::kTypeError, 10);
  expect_error("", ErrorCode::kSyntaxError, 1);
  expect_error("1 + 2", ErrorCode::kSyntaxError, 1);
}

TEST_F(TypeDeclaratorsTest, DeepNestingIsRefusedNotRecursedInto) {
  std::string deep = "int " + std::string(200, '(') + "*" + std::string(200, ')');
  auto type = resolve(deep);
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.error().code(), ErrorCode::kLimitExceeded);
  EXPECT_TRUE(type.error().payload().column.has_value());
  std::string fine = "int " + std::string(20, '(') + "*" + std::string(20, ')');
  auto ok = resolve(fine);
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(debuginfo::type_name(*ok), "int *");
}

}  // namespace
}  // namespace vmscope
