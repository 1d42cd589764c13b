#include "rpc/value_json.h"

#include <gtest/gtest.h>

namespace vmscope::rpc {
namespace {

ValueNode scalar(std::string name, std::string display) {
  ValueNode node;
  node.name = std::move(name);
  node.type_name = "unsigned long";
  node.kind = ValueKind::kScalar;
  node.display = std::move(display);
  node.address = 0xffffffffa6c079c0;
  return node;
}

TEST(ValueJsonTest, AScalarIsItsPlainTextWithAHexAddress) {
  Json j = value_node_json(scalar("jiffies", "4294895771"));
  EXPECT_EQ(j, Json::parse(R"({"name":"jiffies","type":"unsigned long","kind":"scalar",
      "address":"0xffffffffa6c079c0","value":{"display":"4294895771"},
      "hasChildren":false,"childCount":0})"));
}

TEST(ValueJsonTest, ACharArrayCarriesItsStringAndAHandle) {
  ValueNode node;
  node.name = "init_task.comm";
  node.type_name = "char [16]";
  node.kind = ValueKind::kArray;
  node.display = "\"swapper/0\"";
  node.string = "swapper/0";
  node.has_children = true;
  node.child_count = 16;
  node.handle = 7;
  Json j = value_node_json(node);
  EXPECT_EQ(j["value"], Json::parse(R"({"display":"\"swapper/0\"","string":"swapper/0"})"));
  EXPECT_EQ(j["handle"], 7);
  EXPECT_EQ(j["childCount"], 16);
  EXPECT_FALSE(j.contains("address"));  // a computed value has none
  EXPECT_FALSE(j.contains("children"));
}

TEST(ValueJsonTest, InlineChildrenBitFieldsAndSymbols) {
  ValueNode root;
  root.name = "s";
  root.type_name = "struct s";
  root.kind = ValueKind::kStruct;
  root.display = "{...}";
  root.has_children = true;
  root.child_count = 2;
  root.handle = 1;
  ValueNode bits = scalar("flags", "5");
  bits.bit_field_size = 3;
  ValueNode pointer;
  pointer.name = "ops";
  pointer.type_name = "const struct file_operations *";
  pointer.kind = ValueKind::kPointer;
  pointer.display = "0xffffffffa6a2e1c0";
  pointer.symbol = "ext4_file_operations";
  root.children = {bits, pointer};
  Json j = value_node_json(root);
  ASSERT_EQ(j["children"].size(), 2u);
  EXPECT_EQ(j["children"][0]["bitFieldSize"], 3);
  EXPECT_EQ(j["children"][1]["value"]["symbol"], "ext4_file_operations");
  EXPECT_FALSE(j["children"][1].contains("bitFieldSize"));
}

TEST(ValueJsonTest, AnUnreadableNodeCarriesTheErrorObjectARequestWould) {
  ValueNode node = scalar("x", "<page-excluded>");
  node.error = Error(ErrorCode::kPageExcluded, "page excluded",
                     {.address = 0xffff8d7712345000, .physical = 0x12345000});
  Json j = value_node_json(node);
  EXPECT_EQ(j["error"]["code"], -32011);
  EXPECT_EQ(j["error"]["message"], "page excluded");
  EXPECT_EQ(j["error"]["data"], Json::parse(R"({"kind":"page-excluded",
      "address":"0xffff8d7712345000","physical":"0x12345000"})"));
}

TEST(ValueJsonTest, APageSaysWhereItStartsAndHowManyThereAre) {
  ChildrenPage page;
  page.start = 100;
  page.total = 244;
  page.children = {scalar("a", "1")};
  Json j = children_page_json(page);
  EXPECT_EQ(j["offset"], 100);
  EXPECT_EQ(j["total"], 244);
  ASSERT_EQ(j["children"].size(), 1u);
  EXPECT_EQ(j["children"][0]["name"], "a");
  EXPECT_TRUE(children_page_json(ChildrenPage{}).at("children").is_array());
}

}  // namespace
}  // namespace vmscope::rpc
