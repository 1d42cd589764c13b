#include "program/standard_types.h"

#include <gtest/gtest.h>

#include "debuginfo/type_name.h"

namespace vmscope {
namespace {

TEST(StandardTypesTest, Lp64SizesAndDrgnSpellings) {
  const StandardTypes& st = standard_types();
  EXPECT_EQ(st.int_type->size(), 4u);
  EXPECT_TRUE(st.int_type->is_signed());
  EXPECT_EQ(st.unsigned_long_type->size(), 8u);
  EXPECT_FALSE(st.unsigned_long_type->is_signed());
  EXPECT_TRUE(st.char_type->is_signed());  // x86_64's plain char
  EXPECT_EQ(debuginfo::type_name(unqualified(st.size_type)), "size_t");
  EXPECT_EQ(st.size_type->underlying().name(), "unsigned long");
  EXPECT_EQ(&standard_types(), &st);  // built once
}

TEST(StandardTypesTest, PointersToAnything) {
  const StandardTypes& st = standard_types();
  auto p = pointer_to({st.void_type, debuginfo::kConst});
  EXPECT_EQ(p->size(), kPointerSize);
  EXPECT_EQ(debuginfo::type_name(p), "const void *");
  EXPECT_EQ(debuginfo::type_name(pointer_to(p)), "const void **");
}

}  // namespace
}  // namespace vmscope
