#include "program/walk.h"

#include <gtest/gtest.h>

#include "program/standard_types.h"
#include "synthetic_target.h"

namespace vmscope {
namespace {

TEST(WalkTest, VisitedNodesSeeEachNodeOnce) {
  VisitedNodes visited;
  EXPECT_TRUE(visited.insert(0x1000));
  EXPECT_TRUE(visited.insert(0x2000));
  EXPECT_FALSE(visited.insert(0x1000));
  EXPECT_EQ(visited.size(), 2u);
}

TEST(WalkTest, ErrorsSayWhatAndWhere) {
  Error loop = loop_detected("the list", 0xffff888001234560);
  EXPECT_EQ(loop.code(), ErrorCode::kLoopDetected);
  EXPECT_EQ(loop.payload().address, 0xffff888001234560u);
  EXPECT_NE(loop.message().find("0xffff888001234560"), std::string::npos);
  Error limit = limit_exceeded("the rbtree", 10);
  EXPECT_EQ(limit.code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(limit.message().find("10"), std::string::npos);
}

TEST(WalkTest, MemberOffsetsComeFromTheTypes) {
  const auto& st = standard_types();
  testing::TableLookup names;
  names.types["struct pair"] = {
      debuginfo::Type::make_compound(
          debuginfo::TypeKind::kStruct, "pair", 16,
          {{"a", {st.long_type, 0}, 0, 0}, {"b", {st.long_type, 0}, 64, 0}}),
      0};
  EXPECT_EQ(*member_offset(names, "struct pair", "b"), 8u);
  EXPECT_EQ(member_offset(names, "struct pair", "c").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(member_offset(names, "struct none", "a").error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace vmscope
