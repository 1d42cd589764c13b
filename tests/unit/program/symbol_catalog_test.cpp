#include "program/symbol_catalog.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <climits>
#include <string>

namespace vmscope {
namespace {

TEST(SymbolCatalogTest, NamesAreSortedBytewiseAndUnique) {
  auto catalog = SymbolCatalog::from_names(
      {"jiffies_64", "jiffies", "_text", "jiffies64_to_msecs", "jiffies", "Zed"});
  ASSERT_EQ(catalog->size(), 5u);
  EXPECT_EQ(catalog->name(0), "Zed");  // upper case sorts before '_' and lower case
  EXPECT_EQ(catalog->name(1), "_text");
  EXPECT_EQ(catalog->name(2), "jiffies");
  EXPECT_EQ(catalog->name(3), "jiffies64_to_msecs");  // '6' < '_'
  EXPECT_EQ(catalog->name(4), "jiffies_64");
}

TEST(SymbolCatalogTest, LowerBoundStartsAPrefixRun) {
  auto catalog = SymbolCatalog::from_names({"b", "ab", "abc", "abd", "a"});
  EXPECT_EQ(catalog->lower_bound("ab"), 1u);
  EXPECT_EQ(catalog->name(catalog->lower_bound("abd")), "abd");
  EXPECT_EQ(catalog->lower_bound("zzz"), catalog->size());
  EXPECT_EQ(catalog->lower_bound(""), 0u);
  EXPECT_EQ(SymbolCatalog::from_names({})->lower_bound("x"), 0u);
}

// This test binary is a linked ELF with a .symtab: its own functions are in the catalog.
TEST(SymbolCatalogTest, LoadsTheSymbolTableOfALinkedFile) {
  char self[PATH_MAX] = {};
  ASSERT_GT(readlink("/proc/self/exe", self, sizeof self - 1), 0);
  auto catalog = SymbolCatalog::load(self);
  ASSERT_TRUE(catalog.ok()) << catalog.error().to_string();
  const std::size_t main_at = (*catalog)->lower_bound("main");
  ASSERT_LT(main_at, (*catalog)->size());
  EXPECT_EQ((*catalog)->name(main_at), "main");
  for (std::size_t i = 1; i < (*catalog)->size(); ++i) {
    ASSERT_LT((*catalog)->name(i - 1), (*catalog)->name(i));
  }
}

TEST(SymbolCatalogTest, AFileThatIsNotElfIsAnError) {
  auto catalog = SymbolCatalog::load("/proc/self/status");
  EXPECT_FALSE(catalog.ok());
  EXPECT_FALSE(SymbolCatalog::load("/no/such/file").ok());
}

}  // namespace
}  // namespace vmscope
