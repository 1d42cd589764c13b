#include "program/value_tree.h"

#include <gtest/gtest.h>

#include "program/standard_types.h"
#include "synthetic_target.h"

namespace vmscope {
namespace {

using debuginfo::Member;
using debuginfo::QualifiedType;
using debuginfo::Type;
using debuginfo::TypeKind;
using debuginfo::TypeRef;

QualifiedType q(TypeRef type) {
  return {std::move(type), 0};
}

// struct item {                       offset
//   enum state state;                 0
//   char name[8];                     4
//   union { long word; int half; };   16
//   unsigned int ready : 1;           24 (bit 192)
//   struct item *next;                32
//   const char *label;                40
//   int table[250];                   48
//   void *opaque;                     1048
// };                                  size 1056
class ValueTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& st = standard_types();
    structs_ = testing::LazyStructs::create();
    structs_->define(0, [&st](const testing::LazyStructs& s) {
      auto state = Type::make_enum("state", st.unsigned_int_type,
                                   {{"TASK_RUNNING", 0}, {"TASK_STOPPED", 4}});
      auto un =
          Type::make_compound(TypeKind::kUnion, std::nullopt, 8,
                              {{"word", q(st.long_type), 0, 0}, {"half", q(st.int_type), 0, 0}});
      return std::vector<Member>{
          {"state", q(state), 0, 0},
          {"name", q(Type::make_array(q(st.char_type), 8)), 32, 0},
          {std::nullopt, q(un), 128, 0},
          {"ready", q(st.unsigned_int_type), 192, 1},
          {"next", pointer_to(q(s.make(TypeKind::kStruct, "item", 1056, 0))), 256, 0},
          {"label", pointer_to({st.char_type, debuginfo::kConst}), 320, 0},
          {"table", q(Type::make_array(q(st.int_type), 250)), 384, 0},
          {"opaque", pointer_to(q(st.void_type)), 8384, 0}};
    });
    item_ = structs_->make(TypeKind::kStruct, "item", 1056, 0);
    target_.put<std::uint32_t>(0x1000, 4);
    target_.put_string(0x1004, "swapper");
    target_.put<std::int64_t>(0x1010, -5);
    target_.put<std::uint8_t>(0x1018, 1);
    target_.put<std::uint64_t>(0x1020, 0x3000);  // next
    target_.put<std::uint64_t>(0x1028, 0x5000);  // label
    target_.put_string(0x5000, "a label");
    for (int i = 0; i < 250; ++i) target_.put<std::int32_t>(0x1030 + 4 * i, i * i);
    // The item at 0x3000 lies on an excluded page.
    target_.put<std::uint32_t>(0x3000, 0);
    target_.physical().exclude_page(0x3000);
  }

  const ValueNode* child(const ValueNode& node, std::string_view name) {
    for (const auto& c : node.children) {
      if (c.name == name) return &c;
    }
    ADD_FAILURE() << "no child " << name << " under " << node.name;
    return nullptr;
  }

  testing::SyntheticTarget target_;
  std::shared_ptr<testing::LazyStructs> structs_;
  TypeRef item_;
  ObjectHandles handles_;
};

TEST_F(ValueTreeTest, AStructRendersItsMembersInline) {
  ValueTree tree(handles_);
  ValueNode root = tree.render(Object::reference(target_.memory_ptr(), q(item_), 0x1000), "item");
  EXPECT_EQ(root.type_name, "struct item");
  EXPECT_EQ(root.kind, ValueKind::kStruct);
  EXPECT_EQ(root.address, 0x1000u);
  EXPECT_TRUE(root.has_children);
  EXPECT_EQ(root.child_count, 8u);
  ASSERT_TRUE(root.handle);
  ASSERT_EQ(root.children.size(), 8u);

  const ValueNode* state = child(root, "state");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->kind, ValueKind::kEnum);
  EXPECT_EQ(state->display, "TASK_STOPPED");

  const ValueNode* name = child(root, "name");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->string, "swapper");
  EXPECT_EQ(name->display, "\"swapper\"");
  EXPECT_EQ(name->kind, ValueKind::kArray);

  const ValueNode* anonymous = child(root, "<anonymous>");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->kind, ValueKind::kUnion);
  ASSERT_TRUE(anonymous->handle);
  EXPECT_TRUE(anonymous->children.empty());  // beyond inline_depth: fetched by handle
  auto union_members = tree.children(*anonymous->handle, 0, 10);
  ASSERT_TRUE(union_members.ok());
  ASSERT_EQ(union_members->children.size(), 2u);
  EXPECT_EQ(union_members->children[0].display, "-5");
  EXPECT_EQ(union_members->children[1].display, "-5");

  const ValueNode* ready = child(root, "ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->display, "1");
  EXPECT_EQ(ready->bit_field_size, 1u);

  const ValueNode* label = child(root, "label");
  ASSERT_TRUE(label);
  EXPECT_EQ(label->display, "0x5000");
  EXPECT_EQ(label->string, "a label");

  const ValueNode* opaque = child(root, "opaque");
  ASSERT_TRUE(opaque);
  EXPECT_FALSE(opaque->has_children);  // void * and NULL: nothing to expand
}

TEST_F(ValueTreeTest, PointersAreFollowedOnlyOnDemandAndErrorsStayInTheirNode) {
  ValueTree tree(handles_);
  ValueNode root = tree.render(Object::reference(target_.memory_ptr(), q(item_), 0x1000), "item");
  const ValueNode* next = child(root, "next");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->kind, ValueKind::kPointer);
  EXPECT_EQ(next->display, "0x3000");
  EXPECT_TRUE(next->has_children);
  EXPECT_TRUE(next->children.empty());
  ASSERT_TRUE(next->handle);
  auto pointee = tree.children(*next->handle, 0, 1);
  ASSERT_TRUE(pointee.ok());
  ASSERT_EQ(pointee->children.size(), 1u);
  const ValueNode& star = pointee->children[0];
  EXPECT_EQ(star.name, "*");
  EXPECT_EQ(star.address, 0x3000u);
  ASSERT_TRUE(star.handle);
  // The pointee's members are on an excluded page: each node says so, with the address.
  auto members = tree.children(*star.handle, 0, 2);
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->children.size(), 2u);
  const ValueNode& state = members->children[0];
  ASSERT_TRUE(state.error);
  EXPECT_EQ(state.error->code(), ErrorCode::kPageExcluded);
  EXPECT_EQ(state.error->payload().address, 0x3000u);
  EXPECT_EQ(state.display, "<page-excluded>");
}

TEST_F(ValueTreeTest, LongArraysArePaged) {
  ValueTreeOptions options;
  options.page_size = 100;
  ValueTree tree(handles_, options);
  auto table = Object::reference(target_.memory_ptr(), q(item_), 0x1000).member("table");
  ASSERT_TRUE(table.ok());
  ValueNode node = tree.render(*table, "table");
  EXPECT_EQ(node.child_count, 250u);
  EXPECT_EQ(node.children.size(), 100u);
  ASSERT_TRUE(node.handle);
  auto last = tree.children(*node.handle, 200, 1000);  // capped at the page size, and the end
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->total, 250u);
  ASSERT_EQ(last->children.size(), 50u);
  EXPECT_EQ(last->children[0].name, "[200]");
  EXPECT_EQ(last->children[0].display, "40000");
  EXPECT_EQ(last->children[49].display, std::to_string(249 * 249));
  auto beyond = tree.children(*node.handle, 300, 10);
  ASSERT_TRUE(beyond.ok());
  EXPECT_TRUE(beyond->children.empty());
}

TEST_F(ValueTreeTest, SymbolsAndExpiredHandles) {
  ObjectHandles small(1);
  ValueTreeOptions options;
  options.symbolize = [](std::uint64_t address) -> std::optional<std::string> {
    if (address >= 0x5000 && address < 0x5100) return "labels+" + std::to_string(address - 0x5000);
    return std::nullopt;
  };
  options.inline_depth = 0;
  ValueTree tree(small, options);
  auto item = Object::reference(target_.memory_ptr(), q(item_), 0x1000);
  ValueNode label = tree.render(*item.member("label"), "label");
  EXPECT_EQ(label.symbol, "labels+0");
  ValueNode root = tree.render(item, "item");
  EXPECT_TRUE(root.children.empty());
  ValueNode again = tree.render(item, "item");  // evicts root's handle (capacity 1)
  auto expired = tree.children(*root.handle, 0, 1);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(tree.children(*again.handle, 0, 1).ok());
}

TEST(CQuotedTest, EscapesLikeC) {
  EXPECT_EQ(c_quoted("swapper/0"), "\"swapper/0\"");
  EXPECT_EQ(c_quoted("a\"b\\c\n\x01"
                     "7"),
            "\"a\\\"b\\\\c\\n\\0017\"");
}

}  // namespace
}  // namespace vmscope
