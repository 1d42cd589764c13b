// SymbolCatalog::merge: the vmlinux's names plus those only the kernel's tables in memory have
// (symbols/search lists both), sorted and de-duplicated as one list.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "program/symbol_catalog.h"

namespace vmscope {
namespace {

TEST(SymbolCatalogMergeTest, ExtraNamesJoinTheSortedUniqueList) {
  auto base = SymbolCatalog::from_names({"jiffies", "schedule", "init_task"});
  const std::vector<std::string> owned = {"tun_chr_open", "jiffies", "loop_init", "", "schedule"};
  const std::vector<std::string_view> extra(owned.begin(), owned.end());
  auto merged = SymbolCatalog::merge(std::move(base), extra);
  ASSERT_EQ(merged->size(), 5u);  // duplicates and the empty name dropped
  const std::vector<std::string_view> expected = {"init_task", "jiffies", "loop_init", "schedule",
                                                  "tun_chr_open"};
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(merged->name(i), expected[i]);
  EXPECT_EQ(merged->lower_bound("loop"), 2u);
}

TEST(SymbolCatalogMergeTest, WithoutABaseTheExtraNamesAreTheCatalog) {
  const std::vector<std::string_view> names = {"b", "a", "b"};
  auto merged = SymbolCatalog::merge(nullptr, names);
  ASSERT_EQ(merged->size(), 2u);
  EXPECT_EQ(merged->name(0), "a");
  EXPECT_EQ(merged->name(1), "b");
  EXPECT_EQ(SymbolCatalog::merge(nullptr, {})->size(), 0u);
}

}  // namespace
}  // namespace vmscope
