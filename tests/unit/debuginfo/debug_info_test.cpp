#include "debuginfo/debug_info.h"

#include <gtest/gtest.h>

#include "debuginfo/type_name.h"
#include "test_programs.h"

namespace vmscope::debuginfo {
namespace {

using testing::TempDir;

constexpr std::uint64_t kOffset = 0x1c000000;  // a KASLR slide

class DebugInfoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    program_ = testing::build_shapes(*dir_, 5);
    nm_ = new std::multimap<std::string, testing::NmSymbol>(testing::nm_symbols(program_));
    facts_ = new std::map<std::string, long long>(testing::program_facts(program_));
  }
  static void TearDownTestSuite() {
    delete facts_;
    delete nm_;
    delete dir_;
  }
  void SetUp() override {
    DebugInfoOptions options;
    options.load_offset = kOffset;
    options.index.cache.directory = cache_.path();
    auto info = DebugInfo::open(program_, options);
    ASSERT_TRUE(info.ok()) << info.error().to_string();
    info_ = std::move(info).value();
  }
  std::uint64_t runtime(const std::string& name) { return nm_->find(name)->second.value + kOffset; }

  static inline TempDir* dir_ = nullptr;
  static inline std::string program_;
  static inline std::multimap<std::string, testing::NmSymbol>* nm_ = nullptr;
  static inline std::map<std::string, long long>* facts_ = nullptr;
  TempDir cache_;
  std::unique_ptr<DebugInfo> info_;
};

TEST_F(DebugInfoTest, VariablesAtRunTimeAddresses) {
  auto counter = info_->find_variable("global_counter");
  ASSERT_TRUE(counter.ok()) << counter.error().to_string();
  EXPECT_EQ(counter->address, runtime("global_counter"));
  EXPECT_EQ(type_name(counter->type), "int");
  EXPECT_FALSE(counter->address_from_symbol);
  auto list = info_->find_variable("list_head_instance");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(type_name(list->type), "list_node_t");
}

TEST_F(DebugInfoTest, DeclaredOnlyVariableTakesItsAddressFromTheSymbolTable) {
  auto alias = info_->find_variable("alias_of_counter");
  ASSERT_TRUE(alias.ok()) << alias.error().to_string();
  EXPECT_TRUE(alias->address_from_symbol);
  EXPECT_EQ(alias->address, runtime("global_counter"));
  EXPECT_EQ(type_name(alias->type), "int");
}

TEST_F(DebugInfoTest, TypesByCSpelling) {
  EXPECT_EQ((*info_->find_type("struct bits"))->size(), 16u);
  EXPECT_EQ((*info_->find_type("  union   number "))->kind(), TypeKind::kUnion);
  EXPECT_EQ((*info_->find_type("enum colour"))->kind(), TypeKind::kEnum);
  EXPECT_EQ((*info_->find_type("id_t32"))->kind(), TypeKind::kTypedef);
  EXPECT_EQ((*info_->find_type("long unsigned int"))->name(), "unsigned long");
  EXPECT_EQ((*info_->find_type("int"))->size(), 4u);
  auto missing = info_->find_type("struct nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(info_->find_type("nope_t").error().code(), ErrorCode::kNotFound);
}

TEST_F(DebugInfoTest, FunctionsConstantsSymbolsAndLines) {
  auto fn = info_->find_function("marked_function");
  ASSERT_TRUE(fn.ok()) << fn.error().to_string();
  EXPECT_EQ(fn->address, runtime("marked_function"));
  ASSERT_EQ(fn->ranges.size(), 1u);
  EXPECT_EQ(fn->ranges[0].end - fn->ranges[0].begin, nm_->find("marked_function")->second.size);
  EXPECT_EQ(type_name(fn->type), "int (int x)");

  auto green = info_->find_constant("GREEN");
  ASSERT_TRUE(green.ok());
  EXPECT_EQ(static_cast<long long>(green->value), facts_->at("value GREEN"));
  EXPECT_EQ(type_name(green->type), "enum colour");
  EXPECT_EQ(info_->find_constant("NOT_AN_ENUMERATOR").error().code(), ErrorCode::kNotFound);

  auto symbol = info_->symbolize(fn->address + 3);
  ASSERT_TRUE(symbol.has_value());
  EXPECT_EQ(symbol->to_string(), "marked_function+0x3");
  auto line = info_->source_location(fn->address + 3);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(line->line, facts_->at("line marked_function"));
}

TEST_F(DebugInfoTest, AddressTranslation) {
  std::uint64_t link = nm_->find("main")->second.value;
  EXPECT_EQ(info_->to_runtime(link), link + kOffset);
  EXPECT_EQ(info_->to_link(link + kOffset), link);
  EXPECT_EQ(info_->to_runtime(0x40), 0x40u);  // outside the image: not moved
}

TEST_F(DebugInfoTest, SecondOpenUsesTheCache) {
  EXPECT_FALSE(info_->index_report().from_cache);
  DebugInfoOptions options;
  options.load_offset = kOffset;
  options.index.cache.directory = cache_.path();
  auto again = DebugInfo::open(program_, options);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)->index_report().from_cache);
  EXPECT_EQ((*(*again)->find_variable("global_counter")).address, runtime("global_counter"));
}

TEST(DebugInfoErrorsTest, MissingVmlinux) {
  auto info = DebugInfo::open("/nonexistent/vmlinux", {});
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace vmscope::debuginfo
