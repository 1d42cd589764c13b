#include "program/kernel_symbols.h"

#include <gtest/gtest.h>

namespace vmscope {
namespace {

KallsymsTable kernel_table() {
  KallsymsTable t;
  t.addressing = KallsymsAddressing::kAbsolutePerCpu;
  t.symbols = {
      {"fixed_percpu_data", 'D', 0x0}, {"_stext", 'T', 0x1000},      {"startup_64", 'T', 0x1000},
      {"helper", 't', 0x1040},         {"helper", 't', 0x1080},      {"weak_thing", 'W', 0x10c0},
      {"common_name", 't', 0x1100},    {"common_name", 'T', 0x1140}, {"_end", 'B', 0x2000},
  };
  return t;
}

ModulesKallsyms modules() {
  ModulesKallsyms m;
  ModuleKallsyms mod;
  mod.name = "dummy";
  mod.module = 0x9000;
  mod.ranges = {{0x8000, 0x8100}};
  mod.symbols = {
      {"dummy_init", 't', 0x8000}, {"dummy_xmit", 't', 0x8040}, {"common_name", 't', 0x8080}};
  mod.sizes = {0x20, 0, 0x10};
  m.modules.push_back(mod);
  m.problems.push_back("module gone: unreadable");
  return m;
}

TEST(KernelSymbolsTest, NamesFollowBindingThenKernelThenTableOrder) {
  auto symbols = KernelSymbols::build(kernel_table(), modules(), "test");
  EXPECT_EQ(symbols->kernel_symbol_count(), 9u);
  EXPECT_EQ(symbols->size(), 12u);
  EXPECT_EQ(symbols->problems().size(), 1u);
  auto common = symbols->find("common_name");
  ASSERT_TRUE(common.has_value());
  EXPECT_EQ(common->address, 0x1140u);  // the global one
  EXPECT_EQ(common->binding(), debuginfo::SymbolBinding::kGlobal);
  EXPECT_EQ(symbols->find_all("common_name").size(), 3u);
  auto helper = symbols->find("helper");
  ASSERT_TRUE(helper.has_value());
  EXPECT_EQ(helper->address, 0x1040u);  // first in table order
  EXPECT_EQ(helper->kind(), debuginfo::SymbolKind::kFunction);
  auto weak = symbols->find("weak_thing");
  EXPECT_EQ(weak->binding(), debuginfo::SymbolBinding::kWeak);
  auto in_module = symbols->find("dummy_xmit");
  ASSERT_TRUE(in_module.has_value());
  EXPECT_EQ(in_module->module, "dummy");
  EXPECT_FALSE(symbols->find("nothing").has_value());
}

TEST(KernelSymbolsTest, AddressesFollowTheKernelsRules) {
  auto symbols = KernelSymbols::build(kernel_table(), modules(), "test");
  // Aliases: the first in the table; the size runs to the next address.
  auto start = symbols->symbolize(0x1010);
  ASSERT_TRUE(start.has_value());
  EXPECT_EQ(start->symbol.name, "_stext");
  EXPECT_EQ(start->offset, 0x10u);
  EXPECT_EQ(start->symbol.size, 0x40u);
  EXPECT_EQ(start->to_string(), "_stext+0x10");
  // Outside [_stext, _end]: per-CPU offsets and addresses past the image are not named.
  EXPECT_FALSE(symbols->symbolize(0x10).has_value());
  EXPECT_FALSE(symbols->symbolize(0x3000).has_value());
  // In a module: its own symbols; a symbol without st_size runs to the next one.
  auto xmit = symbols->symbolize(0x8044);
  ASSERT_TRUE(xmit.has_value());
  EXPECT_EQ(xmit->symbol.name, "dummy_xmit");
  EXPECT_EQ(xmit->symbol.size, 0x40u);
  EXPECT_EQ(xmit->to_string(), "dummy_xmit+0x4 [dummy]");
  auto last = symbols->symbolize(0x80f0);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->symbol.name, "common_name");
  EXPECT_EQ(last->symbol.module, "dummy");
  EXPECT_EQ(symbols->symbol(0).name, "fixed_percpu_data");
}

}  // namespace
}  // namespace vmscope
