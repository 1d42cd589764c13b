#include "debuginfo/symbol_table.h"

#include <gtest/gtest.h>

#include "test_programs.h"

namespace vmscope::debuginfo {
namespace {

using testing::TempDir;

constexpr std::uint64_t kKaslr = 0x2a000000;

class SymbolTableTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    symbols_path_ = testing::build_symbols(*dir_);
    nm_ = new std::multimap<std::string, testing::NmSymbol>(testing::nm_symbols(symbols_path_));
  }
  static void TearDownTestSuite() {
    delete nm_;
    delete dir_;
  }
  void SetUp() override {
    auto table = SymbolTable::load(symbols_path_, kKaslr);
    ASSERT_TRUE(table.ok()) << table.error().to_string();
    table_ = std::move(table).value();
  }
  // nm's (link-time) address of `name`, moved by the KASLR offset.
  std::uint64_t at(const std::string& name) {
    auto it = nm_->find(name);
    EXPECT_NE(it, nm_->end()) << name;
    return it == nm_->end() ? 0 : it->second.value + kKaslr;
  }
  std::string lookup(std::uint64_t address) {
    auto found = table_->symbolize(address);
    return found ? found->to_string() : "<none>";
  }

  static inline TempDir* dir_ = nullptr;
  static inline std::string symbols_path_;
  static inline std::multimap<std::string, testing::NmSymbol>* nm_ = nullptr;
  std::unique_ptr<SymbolTable> table_;
};

TEST_F(SymbolTableTest, NameLookupAppliesTheLoadOffset) {
  auto outer = table_->find("outer");
  ASSERT_TRUE(outer.has_value());
  EXPECT_EQ(outer->address, at("outer"));
  EXPECT_EQ(outer->size, 64u);
  EXPECT_EQ(outer->kind, SymbolKind::kFunction);
  EXPECT_EQ(outer->binding, SymbolBinding::kGlobal);
  auto data = table_->find("data_object");
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(data->kind, SymbolKind::kObject);
  EXPECT_FALSE(table_->find("no_such_symbol").has_value());
  EXPECT_EQ(table_->load_offset(), kKaslr);
}

TEST_F(SymbolTableTest, NestedSymbolWinsInsideItsRange) {
  EXPECT_EQ(lookup(at("outer") + 16 + 4), "inner+0x4");
  EXPECT_EQ(lookup(at("outer") + 30), "outer+0x1e");
  EXPECT_EQ(lookup(at("outer")), "outer");
}

TEST_F(SymbolTableTest, TiesAreBrokenBySizeThenBinding) {
  EXPECT_EQ(lookup(at("tie_local") + 5), "tie_global+0x5");
  EXPECT_EQ(lookup(at("short_and_long_short") + 4), "short_and_long_short+0x4");
  EXPECT_EQ(lookup(at("short_and_long_short") + 12), "short_and_long_long+0xc");
}

TEST_F(SymbolTableTest, SizelessLabelsCoverUpToTheNextSymbol) {
  EXPECT_EQ(lookup(at("sizeless_label") + 5), "sizeless_label+0x5");
  EXPECT_EQ(lookup(at("sizeless_label") + 23), "sizeless_label+0x17");
  EXPECT_EQ(lookup(at("after_sizeless") + 2), "after_sizeless+0x2");
}

TEST_F(SymbolTableTest, AddressesOutsideAnySymbol) {
  EXPECT_EQ(lookup(at("_start") - 1), "<none>");          // below everything
  EXPECT_EQ(lookup(at("after_sizeless") + 8), "<none>");  // past the last sized symbol
  EXPECT_EQ(lookup(at("outer")), "outer");
  EXPECT_EQ(lookup(at("outer") - kKaslr), "<none>");  // the link-time address is not mapped
}

TEST_F(SymbolTableTest, NameLookupPrefersStrongBindings) {
  auto all = table_->find_all("tie_weak");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].binding, SymbolBinding::kWeak);
  EXPECT_EQ(table_->find("tie_local")->binding, SymbolBinding::kLocal);
}

TEST_F(SymbolTableTest, ALinkedCProgramAgreesWithNm) {
  TempDir dir;
  std::string program = testing::build_shapes(dir, 5);
  auto table = SymbolTable::load(program, 0);
  ASSERT_TRUE(table.ok());
  int checked = 0;
  for (const auto& [name, symbol] : testing::nm_symbols(program)) {
    if (symbol.size == 0 || (symbol.type != 'T' && symbol.type != 't' && symbol.type != 'D' &&
                             symbol.type != 'd' && symbol.type != 'B' && symbol.type != 'b')) {
      continue;
    }
    auto all = (*table)->find_all(name);
    bool present = false;
    for (const Symbol& s : all) present |= s.address == symbol.value && s.size == symbol.size;
    EXPECT_TRUE(present) << name;
    auto inside = (*table)->symbolize(symbol.value + symbol.size - 1);
    ASSERT_TRUE(inside.has_value()) << name;
    EXPECT_EQ(inside->symbol.address + inside->offset, symbol.value + symbol.size - 1);
    ++checked;
  }
  EXPECT_GT(checked, 10);
}

TEST(SymbolTableModuleTest, ModuleSymbolsSitAtTheGivenSectionAddresses) {
  TempDir dir;
  std::string module = testing::build_module(dir, "mod", "0badc0de");
  auto nm = testing::nm_symbols(module);
  const std::uint64_t text = 0xffffffffc0a00000, data = 0xffffffffc0a08000;
  auto table = SymbolTable::load_module(module, {{".text", text}, {".data", data}});
  ASSERT_TRUE(table.ok()) << table.error().to_string();
  auto a = (*table)->find("module_function_a");
  auto b = (*table)->find("module_function_b");
  auto counter = (*table)->find("module_counter");
  ASSERT_TRUE(a && b && counter);
  EXPECT_EQ(a->address, text + nm.find("module_function_a")->second.value);
  EXPECT_EQ(b->address, text + nm.find("module_function_b")->second.value);
  EXPECT_EQ(counter->address, data + nm.find("module_counter")->second.value);
  auto inside = (*table)->symbolize(b->address + 1);
  ASSERT_TRUE(inside.has_value());
  EXPECT_EQ(inside->to_string(), "module_function_b+0x1");

  // Without a .data address, .data's symbols have nowhere to be.
  auto text_only = load_module_symbols(module, {{".text", text}});
  ASSERT_TRUE(text_only.ok());
  EXPECT_FALSE((*text_only)->find("module_counter").has_value());
  EXPECT_TRUE((*text_only)->find("module_function_a").has_value());
}

TEST(SymbolTableModuleTest, WrongKindOfFileIsRefused) {
  TempDir dir;
  std::string module = testing::build_module(dir, "mod", "0badc0de");
  EXPECT_EQ(SymbolTable::load(module, 0).error().code(), ErrorCode::kInvalidArgument);
  std::string program = testing::build_symbols(dir);
  EXPECT_EQ(SymbolTable::load_module(program, {}).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(SymbolTable::load(dir.file("absent"), 0).error().code(), ErrorCode::kNotFound);
}

TEST(SymbolNamesTest, KindAndBindingNames) {
  EXPECT_EQ(symbol_kind_name(SymbolKind::kFunction), "func");
  EXPECT_EQ(symbol_binding_name(SymbolBinding::kWeak), "weak");
  EXPECT_EQ((SymbolOffset{Symbol{"f", 0, 1}, 0}).to_string(), "f");
  EXPECT_EQ((SymbolOffset{Symbol{"f", 0, 100}, 0x1c}).to_string(), "f+0x1c");
}

}  // namespace
}  // namespace vmscope::debuginfo
