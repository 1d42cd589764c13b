#include "rpc/symbol_json.h"

#include <gtest/gtest.h>

namespace vmscope::rpc {
namespace {

TEST(SymbolJsonTest, ASymbolHasAHexAddressAndASizeInBytes) {
  debuginfo::Symbol s{"init_task", 0xffffffffa6c1aa40, 9728, debuginfo::SymbolKind::kObject,
                      debuginfo::SymbolBinding::kGlobal};
  EXPECT_EQ(symbol_json(s), Json::parse(R"({"name":"init_task","address":"0xffffffffa6c1aa40",
      "size":9728,"kind":"object","binding":"global"})"));
}

TEST(SymbolJsonTest, AnAddressLookupAddsOffsetAndText) {
  debuginfo::SymbolOffset found{
      {"pmu_name_show", 0xffffffffa520fda0, 39, debuginfo::SymbolKind::kFunction,
       debuginfo::SymbolBinding::kLocal},
      28};
  Json j = symbol_offset_json(found);
  EXPECT_EQ(j["offset"], 28);
  EXPECT_EQ(j["text"], "pmu_name_show+0x1c");
  EXPECT_EQ(j["address"], "0xffffffffa520fda0");
  EXPECT_EQ(j["kind"], "func");
  found.offset = 0;
  EXPECT_EQ(symbol_offset_json(found)["text"], "pmu_name_show");
}

TEST(SymbolJsonTest, AModuleSymbolNamesItsModuleAndHasNoSize) {
  Json j = module_symbol_json("loop_queue_rq", 0xffffffffc0200000, 0x10, "loop");
  EXPECT_EQ(j, Json::parse(R"({"name":"loop_queue_rq","address":"0xffffffffc0200000",
      "kind":"func","offset":16,"text":"loop_queue_rq+0x10 [loop]","module":"loop"})"));
}

}  // namespace
}  // namespace vmscope::rpc
