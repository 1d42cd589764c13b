#include "debuginfo/type_name.h"

#include <gtest/gtest.h>

namespace vmscope::debuginfo {
namespace {

// Expected spellings follow drgn's Type.type_name() (libdrgn language_c.c).
class TypeNameTest : public ::testing::Test {
 protected:
  TypeRef int_ = Type::make_integer("int", 4, true);
  TypeRef char_ = Type::make_integer("char", 1, true);
  TypeRef void_ = Type::make_void();
  TypeRef list_head_ = Type::make_compound(TypeKind::kStruct, "list_head", 16, {});
  QualifiedType ptr(QualifiedType to, Qualifiers q = 0) { return {Type::make_pointer(to, 8), q}; }
};

TEST_F(TypeNameTest, BasicsAndQualifiers) {
  EXPECT_EQ(type_name({int_, 0}), "int");
  EXPECT_EQ(type_name({void_, 0}), "void");
  EXPECT_EQ(type_name({int_, kConst | kVolatile}), "const volatile int");
  EXPECT_EQ(type_name({list_head_, 0}), "struct list_head");
  EXPECT_EQ(type_name({list_head_, kConst}), "const struct list_head");
}

TEST_F(TypeNameTest, Pointers) {
  EXPECT_EQ(type_name(ptr({list_head_, 0})), "struct list_head *");
  EXPECT_EQ(type_name(ptr({char_, kConst})), "const char *");
  EXPECT_EQ(type_name(ptr({char_, 0}, kConst)), "char * const");
  EXPECT_EQ(type_name(ptr(ptr({void_, 0}))), "void **");
}

TEST_F(TypeNameTest, ArraysAndPointersToArrays) {
  EXPECT_EQ(type_name({Type::make_array({char_, 0}, 16), 0}), "char [16]");
  EXPECT_EQ(type_name({Type::make_array({int_, 0}, std::nullopt), 0}), "int []");
  EXPECT_EQ(type_name({Type::make_array({int_, 0}, 0), 0}), "int [0]");
  auto grid = Type::make_array({Type::make_array({int_, 0}, 3), 0}, 2);
  EXPECT_EQ(type_name({grid, 0}), "int [2][3]");
  EXPECT_EQ(type_name({Type::make_array(ptr({char_, 0}), 4), 0}), "char *[4]");
  EXPECT_EQ(type_name(ptr({Type::make_array({int_, 0}, 3), 0})), "int (*)[3]");
}

TEST_F(TypeNameTest, Functions) {
  auto no_args = Type::make_function({void_, 0}, {}, false);
  EXPECT_EQ(type_name({no_args, 0}), "void (void)");
  EXPECT_EQ(type_name(ptr({no_args, 0})), "void (*)(void)");
  auto variadic = Type::make_function(
      {int_, 0}, {{std::nullopt, ptr({list_head_, 0})}, {std::nullopt, ptr({char_, kConst})}},
      true);
  EXPECT_EQ(type_name(ptr({variadic, 0})), "int (*)(struct list_head *, const char *, ...)");
  auto named = Type::make_function({int_, 0}, {{"count", {int_, 0}}}, false);
  EXPECT_EQ(type_name({named, 0}), "int (int count)");
  auto returns_pointer = Type::make_function(ptr({char_, 0}), {}, false);
  EXPECT_EQ(type_name(ptr({returns_pointer, 0})), "char *(*)(void)");
}

TEST_F(TypeNameTest, TypedefsAndAnonymous) {
  auto u32 = Type::make_typedef("u32", {Type::make_integer("unsigned int", 4, false), 0});
  EXPECT_EQ(type_name({u32, 0}), "u32");
  EXPECT_EQ(type_name(ptr({u32, kConst})), "const u32 *");
  auto anonymous = Type::make_compound(TypeKind::kUnion, std::nullopt, 8, {});
  EXPECT_EQ(type_name({anonymous, 0}), "union <anonymous>");
  EXPECT_EQ(type_name({Type::make_enum(std::nullopt, int_, {}), 0}), "enum <anonymous>");
}

TEST_F(TypeNameTest, QualifierNames) {
  EXPECT_EQ(qualifier_names(0), "");
  EXPECT_EQ(qualifier_names(kAtomic | kRestrict | kConst), "const restrict _Atomic");
}

}  // namespace
}  // namespace vmscope::debuginfo
