#include "debuginfo/primitive_type_names.h"

#include <gtest/gtest.h>

namespace vmscope::debuginfo {
namespace {

TEST(PrimitiveTypeNamesTest, GccSpellingsBecomeDrgnSpellings) {
  EXPECT_EQ(canonical_type_spelling("long unsigned int"), "unsigned long");
  EXPECT_EQ(canonical_type_spelling("long int"), "long");
  EXPECT_EQ(canonical_type_spelling("short unsigned int"), "unsigned short");
  EXPECT_EQ(canonical_type_spelling("long long int"), "long long");
  EXPECT_EQ(canonical_type_spelling("long long unsigned int"), "unsigned long long");
  EXPECT_EQ(canonical_type_spelling("char"), "char");
  EXPECT_EQ(canonical_type_spelling("signed char"), "signed char");
  EXPECT_EQ(canonical_type_spelling("unsigned char"), "unsigned char");
  EXPECT_EQ(canonical_type_spelling("_Bool"), "_Bool");
  EXPECT_EQ(canonical_type_spelling("long double"), "long double");
}

TEST(PrimitiveTypeNamesTest, AnyOrderAndImplicitInt) {
  EXPECT_EQ(parse_primitive_type("int unsigned long"), PrimitiveType::kUnsignedLong);
  EXPECT_EQ(parse_primitive_type("unsigned"), PrimitiveType::kUnsignedInt);
  EXPECT_EQ(parse_primitive_type("signed"), PrimitiveType::kInt);
  EXPECT_EQ(parse_primitive_type("  short   signed "), PrimitiveType::kShort);
  EXPECT_EQ(parse_primitive_type("double long"), PrimitiveType::kLongDouble);
}

TEST(PrimitiveTypeNamesTest, NonPrimitivesAreLeftAlone) {
  EXPECT_FALSE(parse_primitive_type("u32").has_value());
  EXPECT_FALSE(parse_primitive_type("__int128").has_value());
  EXPECT_FALSE(parse_primitive_type("").has_value());
  EXPECT_FALSE(parse_primitive_type("long long long").has_value());
  EXPECT_FALSE(parse_primitive_type("signed unsigned").has_value());
  EXPECT_FALSE(parse_primitive_type("short long").has_value());
  EXPECT_FALSE(parse_primitive_type("unsigned float").has_value());
  EXPECT_EQ(canonical_type_spelling("__int128 unsigned"), "__int128 unsigned");
}

TEST(PrimitiveTypeNamesTest, Signedness) {
  EXPECT_TRUE(primitive_type_is_signed(PrimitiveType::kLong));
  EXPECT_FALSE(primitive_type_is_signed(PrimitiveType::kUnsignedChar));
  EXPECT_FALSE(primitive_type_is_signed(PrimitiveType::kBool));
}

}  // namespace
}  // namespace vmscope::debuginfo
