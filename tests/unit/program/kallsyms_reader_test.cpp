#include "program/kallsyms_reader.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "synthetic_target.h"

namespace vmscope {
namespace {

// Hand-built kallsyms tables in a synthetic address space, laid out as scripts/kallsyms
// writes them: tokens 0..255 are single characters except token 1 = "abc" and token 2 = "_x".
class KallsymsTables {
 public:
  static constexpr std::uint64_t kNumSyms = 0x1000;
  static constexpr std::uint64_t kNames = 0x2000;
  static constexpr std::uint64_t kTokenTable = 0x8000;
  static constexpr std::uint64_t kTokenIndex = 0x9000;
  static constexpr std::uint64_t kOffsets = 0xa000;
  static constexpr std::uint64_t kRelativeBase = 0xb000;
  static constexpr std::uint64_t kAddresses = 0xc000;

  KallsymsTables() {
    std::string table;
    std::vector<std::uint16_t> index(256);
    for (int i = 0; i < 256; ++i) {
      index[i] = static_cast<std::uint16_t>(table.size());
      if (i == 1) {
        table += "abc";
      } else if (i == 2) {
        table += "_x";
      } else {
        table += static_cast<char>(i == 0 ? 'Z' : i);
      }
      table.push_back('\0');
    }
    target.write(kTokenTable, table.data(), table.size());
    target.write(kTokenIndex, index.data(), index.size() * 2);
  }

  // Names as token strings; each name's first character is its type letter.
  void names(const std::vector<std::vector<std::uint8_t>>& encoded) {
    std::vector<std::uint8_t> bytes;
    for (const auto& tokens : encoded) {
      if (tokens.size() < 0x80) {
        bytes.push_back(static_cast<std::uint8_t>(tokens.size()));
      } else {
        bytes.push_back(static_cast<std::uint8_t>((tokens.size() & 0x7f) | 0x80));
        bytes.push_back(static_cast<std::uint8_t>(tokens.size() >> 7));
      }
      bytes.insert(bytes.end(), tokens.begin(), tokens.end());
    }
    target.write(kNames, bytes.data(), bytes.size());
    target.put<std::uint32_t>(kNumSyms, static_cast<std::uint32_t>(encoded.size()));
  }
  static std::vector<std::uint8_t> chars(const std::string& text) {
    return std::vector<std::uint8_t>(text.begin(), text.end());
  }

  KallsymsLocations relative() const {
    std::map<std::string, std::uint64_t> at = {
        {"kallsyms_num_syms", kNumSyms},       {"kallsyms_names", kNames},
        {"kallsyms_token_table", kTokenTable}, {"kallsyms_token_index", kTokenIndex},
        {"kallsyms_offsets", kOffsets},        {"kallsyms_relative_base", kRelativeBase}};
    return locate(at);
  }
  KallsymsLocations absolute() const {
    std::map<std::string, std::uint64_t> at = {{"kallsyms_num_syms", kNumSyms},
                                               {"kallsyms_names", kNames},
                                               {"kallsyms_token_table", kTokenTable},
                                               {"kallsyms_token_index", kTokenIndex},
                                               {"kallsyms_addresses", kAddresses}};
    return locate(at);
  }
  static KallsymsLocations locate(const std::map<std::string, std::uint64_t>& at) {
    auto where = locate_kallsyms(
        [&](std::string_view name) -> std::optional<std::uint64_t> {
          auto it = at.find(std::string(name));
          return it == at.end() ? std::nullopt : std::optional<std::uint64_t>(it->second);
        },
        "test");
    EXPECT_TRUE(where.ok());
    return where.ok() ? *where : KallsymsLocations{};
  }

  testing::SyntheticTarget target;
};

TEST(KallsymsReaderTest, DecodesTokensTypesAndAbsolutePerCpuOffsets) {
  KallsymsTables t;
  // "Aper_cpu_var" (absolute per-CPU), "Tabc_x", "tfoo" (tokens 1 and 2 expand).
  t.names({KallsymsTables::chars("Aper_cpu_var"), {'T', 1, 2}, KallsymsTables::chars("tfoo")});
  const std::uint64_t base = 0xffff000000100000;
  t.target.put<std::uint64_t>(KallsymsTables::kRelativeBase, base);
  const std::int32_t offsets[] = {0x2a000, -1, -1 - 0x40};
  t.target.write(KallsymsTables::kOffsets, offsets, sizeof offsets);
  auto table = read_kallsyms(t.target.memory(), t.relative());
  ASSERT_TRUE(table.ok()) << table.error().to_string();
  EXPECT_EQ(table->addressing, KallsymsAddressing::kAbsolutePerCpu);
  ASSERT_EQ(table->symbols.size(), 3u);
  EXPECT_EQ(table->symbols[0].name, "per_cpu_var");
  EXPECT_EQ(table->symbols[0].type, 'A');
  EXPECT_EQ(table->symbols[0].address, 0x2a000u);
  EXPECT_EQ(table->symbols[1].name, "abc_x");
  EXPECT_EQ(table->symbols[1].type, 'T');
  EXPECT_EQ(table->symbols[1].address, base);
  EXPECT_EQ(table->symbols[2].name, "foo");
  EXPECT_EQ(table->symbols[2].type, 't');
  EXPECT_EQ(table->symbols[2].address, base + 0x40);
}

TEST(KallsymsReaderTest, AllNonNegativeOffsetsAreRelativeToTheBase) {
  KallsymsTables t;
  t.names({KallsymsTables::chars("T_stext"), KallsymsTables::chars("Dbar")});
  const std::uint64_t base = 0xffffffff81000000;
  t.target.put<std::uint64_t>(KallsymsTables::kRelativeBase, base);
  const std::int32_t offsets[] = {0, 0x1234};
  t.target.write(KallsymsTables::kOffsets, offsets, sizeof offsets);
  auto table = read_kallsyms(t.target.memory(), t.relative());
  ASSERT_TRUE(table.ok()) << table.error().to_string();
  EXPECT_EQ(table->addressing, KallsymsAddressing::kRelative);
  EXPECT_EQ(table->symbols[0].address, base);
  EXPECT_EQ(table->symbols[1].address, base + 0x1234);
}

TEST(KallsymsReaderTest, AbsoluteAddressesWithoutOffsets) {
  KallsymsTables t;
  t.names({KallsymsTables::chars("Tone"), KallsymsTables::chars("Ttwo")});
  const std::uint64_t addresses[] = {0xffffffff81000000, 0xffffffff81000010};
  t.target.write(KallsymsTables::kAddresses, addresses, sizeof addresses);
  auto table = read_kallsyms(t.target.memory(), t.absolute());
  ASSERT_TRUE(table.ok()) << table.error().to_string();
  EXPECT_EQ(table->addressing, KallsymsAddressing::kAbsolute);
  EXPECT_EQ(table->symbols[1].name, "two");
  EXPECT_EQ(table->symbols[1].address, 0xffffffff81000010u);
}

TEST(KallsymsReaderTest, BigSymbolsHaveTwoLengthBytes) {
  KallsymsTables t;
  std::vector<std::uint8_t> big = {'t'};
  big.insert(big.end(), 200, 'x');
  t.names({big, KallsymsTables::chars("Tafter")});
  t.target.put<std::uint64_t>(KallsymsTables::kRelativeBase, 0x1000000);
  const std::int32_t offsets[] = {0, 8};
  t.target.write(KallsymsTables::kOffsets, offsets, sizeof offsets);
  auto table = read_kallsyms(t.target.memory(), t.relative());
  ASSERT_TRUE(table.ok()) << table.error().to_string();
  EXPECT_EQ(table->symbols[0].name, std::string(200, 'x'));
  EXPECT_EQ(table->symbols[1].name, "after");
}

TEST(KallsymsReaderTest, BadTablesAreErrorsNotHangs) {
  KallsymsTables t;
  t.names({KallsymsTables::chars("Tone")});
  t.target.put<std::uint64_t>(KallsymsTables::kRelativeBase, 0x1000000);
  const std::int32_t offsets[] = {0};
  t.target.write(KallsymsTables::kOffsets, offsets, sizeof offsets);
  // A count beyond the limit.
  t.target.put<std::uint32_t>(KallsymsTables::kNumSyms, 0xffffffff);
  auto huge = read_kallsyms(t.target.memory(), t.relative());
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code(), ErrorCode::kCorrupt);
  // No symbols at all.
  t.target.put<std::uint32_t>(KallsymsTables::kNumSyms, 0);
  EXPECT_EQ(read_kallsyms(t.target.memory(), t.relative()).error().code(), ErrorCode::kCorrupt);
  // A name longer than the limit.
  std::vector<std::uint8_t> long_name = {'t'};
  long_name.insert(long_name.end(), 100, 1);  // 300 characters
  t.names({long_name});
  auto too_long = read_kallsyms(t.target.memory(), t.relative(), {.max_name_length = 64});
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code(), ErrorCode::kCorrupt);
  // Names in unmapped memory: the reader's error, naming the address.
  KallsymsLocations where = t.relative();
  where.names = 1ull << 50;
  t.names({KallsymsTables::chars("Tone")});
  auto unmapped = read_kallsyms(t.target.memory(), where);
  ASSERT_FALSE(unmapped.ok());
  EXPECT_EQ(unmapped.error().code(), ErrorCode::kAddressNotMapped);
  // Names that run past the byte limit.
  auto past = read_kallsyms(t.target.memory(), t.relative(), {.max_names_bytes = 3});
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().code(), ErrorCode::kCorrupt);
}

TEST(KallsymsReaderTest, LocatingNeedsTheTablesAndAnAddressFlavour) {
  auto none = locate_kallsyms([](std::string_view) { return std::nullopt; }, "nowhere");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(none.error().payload().name, "kallsyms_num_syms");
  auto no_flavour = locate_kallsyms(
      [](std::string_view name) -> std::optional<std::uint64_t> {
        if (name == "kallsyms_offsets" || name == "kallsyms_addresses") return std::nullopt;
        return 0x1000;
      },
      "partial");
  ASSERT_FALSE(no_flavour.ok());
  EXPECT_EQ(no_flavour.error().code(), ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace vmscope
