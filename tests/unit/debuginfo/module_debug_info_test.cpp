// ModuleDebugInfo and the relocated copy of a module's debug file, on a relocatable object
// compiled at test time (data/module.c, ET_REL with a build-id like a .ko): globals and
// functions at their section's run-time address plus nm's section offset, line numbers equal to
// binutils' addr2line at the same section offset, sections the target did not load reported as
// such, a file of another build refused, malformed ELF bytes rejected.
#include "debuginfo/module_debug_info.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "test_programs.h"

namespace vmscope::debuginfo {
namespace {

constexpr std::uint64_t kText = 0xffffffffc0a01000;
constexpr std::uint64_t kData = 0xffffffffc0a05000;
constexpr std::uint64_t kRodata = 0xffffffffc0a03000;

class ModuleDebugInfoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    module_ = testing::build_module(dir_, "mod", "0badc0de");
    options_.relocated_directory = dir_.file("relocated");
    options_.index.cache.enabled = false;
  }
  Result<std::unique_ptr<ModuleDebugInfo>> open(std::map<std::string, std::uint64_t> sections,
                                                std::vector<std::uint8_t> build_id = {0x0b, 0xad,
                                                                                      0xc0, 0xde}) {
    return ModuleDebugInfo::open("mod", module_, build_id, std::move(sections), options_);
  }
  std::uint64_t nm_value(const std::string& name) {
    auto symbols = testing::nm_symbols(module_);
    auto it = symbols.find(name);
    EXPECT_NE(it, symbols.end()) << name;
    return it == symbols.end() ? 0 : it->second.value;
  }
  // Where the test places the section nm says a data symbol is in (GCC may put a constant
  // static table in .rodata).
  std::uint64_t data_base(const std::string& name) {
    auto symbols = testing::nm_symbols(module_);
    auto it = symbols.find(name);
    return it != symbols.end() && (it->second.type == 'r' || it->second.type == 'R') ? kRodata
                                                                                     : kData;
  }

  testing::TempDir dir_;
  std::string module_;
  ModuleDebugOpenOptions options_;
};

TEST_F(ModuleDebugInfoTest, GlobalsAndFunctionsAreAtTheirSectionsRunTimeAddresses) {
  auto info = open({{".text", kText}, {".data", kData}, {".rodata", kRodata}});
  ASSERT_TRUE(info.ok()) << info.error().to_string();
  EXPECT_FALSE((*info)->relocation().reused);
  EXPECT_GT((*info)->relocation().stats.applied, 0u);
  EXPECT_EQ((*info)->relocation().stats.unsupported, 0u);

  auto counter = (*info)->find_variable("module_counter");
  ASSERT_TRUE(counter.ok()) << counter.error().to_string();
  EXPECT_EQ(counter->address, data_base("module_counter") + nm_value("module_counter"));
  EXPECT_EQ(counter->type.type->name(), "int");
  auto table = (*info)->find_variable("module_table");
  ASSERT_TRUE(table.ok()) << table.error().to_string();
  EXPECT_EQ(table->address, data_base("module_table") + nm_value("module_table"));

  for (const char* name : {"module_function_a", "module_function_b"}) {
    auto function = (*info)->find_function(name);
    ASSERT_TRUE(function.ok()) << function.error().to_string();
    EXPECT_EQ(function->address, kText + nm_value(name)) << name;
    auto at = (*info)->function_at(function->address + 1);
    ASSERT_TRUE(at.has_value()) << name;
    EXPECT_EQ(at->name, name);
    EXPECT_EQ(at->entry, function->address);
    auto symbol = (*info)->symbolize(function->address + 1);
    ASSERT_TRUE(symbol.has_value());
    EXPECT_EQ(symbol->symbol.name, name);
    EXPECT_EQ(symbol->offset, 1u);
  }
  auto type = (*info)->find_type("int");
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(type->type->size().value_or(0), 4u);
  EXPECT_FALSE((*info)->contains(kText - 1));
  EXPECT_TRUE((*info)->contains(kText));
}

TEST_F(ModuleDebugInfoTest, LinesEqualAddr2lineAtTheSameSectionOffset) {
  auto info = open({{".text", kText}, {".data", kData}});
  ASSERT_TRUE(info.ok()) << info.error().to_string();
  auto function = (*info)->find_function("module_function_b");
  ASSERT_TRUE(function.ok());
  for (std::uint64_t delta = 0; delta < function->ranges.front().end - function->address; ++delta) {
    const std::uint64_t address = function->address + delta;
    auto line = (*info)->source_location(address);
    ASSERT_TRUE(line.ok()) << line.error().to_string();
    auto expected = testing::run_command("addr2line -e " + module_ + " -j .text 0x" + [&] {
      char hex[32];
      std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(address - kText));
      return std::string(hex);
    }());
    ASSERT_TRUE(expected.has_value());
    const auto colon = expected->rfind(':');
    ASSERT_NE(colon, std::string::npos);
    EXPECT_EQ(std::filesystem::path(line->file).filename(),
              std::filesystem::path(expected->substr(0, colon)).filename());
    EXPECT_EQ(line->line, std::atoi(expected->c_str() + colon + 1)) << delta;
  }
}

TEST_F(ModuleDebugInfoTest, TheRelocatedCopyIsReusedAndGivesTheSameAnswers) {
  auto first = open({{".text", kText}, {".data", kData}});
  ASSERT_TRUE(first.ok());
  // Another dump placing the module elsewhere shares the copy (its layout is synthetic).
  auto second = open({{".text", kText + 0x10000}, {".data", kData + 0x10000}});
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE((*second)->relocation().reused);
  EXPECT_EQ((*second)->relocated_file(), (*first)->relocated_file());
  EXPECT_EQ((*second)->find_variable("module_counter")->address,
            (*first)->find_variable("module_counter")->address + 0x10000);
}

TEST_F(ModuleDebugInfoTest, ASectionTheTargetDidNotLoadIsSaidSo) {
  auto info = open({{".text", kText}});  // no .data
  ASSERT_TRUE(info.ok());
  auto counter = (*info)->find_variable("module_counter");
  ASSERT_FALSE(counter.ok());
  EXPECT_EQ(counter.error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(ModuleDebugInfo::is_not_loaded(counter.error())) << counter.error().message();
  EXPECT_NE(counter.error().message().find(".data"), std::string::npos);
  EXPECT_FALSE(ModuleDebugInfo::is_not_loaded((*info)->find_variable("no_such_variable").error()));
}

TEST_F(ModuleDebugInfoTest, AFileOfAnotherBuildIsRefused) {
  auto info = open({{".text", kText}}, {0x12, 0x34});
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(info.error().message().find("0badc0de"), std::string::npos);
  EXPECT_NE(info.error().message().find("1234"), std::string::npos);
}

TEST(RelocateModuleDebugSections, RejectsMalformedBytes) {
  std::string empty;
  EXPECT_EQ(relocate_module_debug_sections(empty).error().code(), ErrorCode::kCorrupt);
  std::string text = "not an ELF file at all, just text";
  EXPECT_EQ(relocate_module_debug_sections(text).error().code(), ErrorCode::kCorrupt);

  testing::TempDir dir;
  const std::string module = testing::build_module(dir, "mod", "0badc0de");
  auto whole = testing::run_command("cat " + module);
  ASSERT_TRUE(whole.has_value());
  // Every truncation is an error or a success, never a crash (the headers are checked).
  for (std::size_t size = 0; size < whole->size(); size += whole->size() / 97 + 1) {
    std::string cut = whole->substr(0, size);
    (void)relocate_module_debug_sections(cut);
  }
  std::string linked = *whole;
  linked[16] = 2;  // e_type = ET_EXEC
  EXPECT_EQ(relocate_module_debug_sections(linked).error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace vmscope::debuginfo
