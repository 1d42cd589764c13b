#include "receiver/dump_meta_blob.h"

#include <gtest/gtest.h>

#include "receiver/le_bytes.h"

namespace vmscope::dumpwire {
namespace {

DumpMetadata sample() {
  DumpMetadata m;
  m.vmcoreinfo = "OSRELEASE=6.1.0\nPAGESIZE=4096\n";
  m.elf_notes = std::vector<std::byte>(40, std::byte{3});
  m.memory_map = {{0, 0x9f}, {0x100, 0x1ff00}};
  m.dumpable = std::vector<PfnRange>{{0, 0x9f}, {0x100, 0x1000}, {0x2000, 10}};
  m.utsname = Utsname{"Linux", "host", "6.1.0", "#1 SMP", "x86_64", "(none)"};
  m.panic_message = "sysrq triggered crash";
  m.erased = {{0xffff0000, 32}};
  m.command_line = "console=ttyS0";
  return m;
}

TEST(DumpMetaBlobTest, RoundTrips) {
  auto blob = encode_meta_blob(sample());
  auto parsed = parse_meta_blob(blob, 0x20000);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(*parsed, sample());
}

TEST(DumpMetaBlobTest, UnknownTagsAreSkipped) {
  auto blob = encode_meta_blob(sample());
  std::vector<std::byte> with_unknown;
  le::append<std::uint32_t>(with_unknown, 99);
  le::append<std::uint32_t>(with_unknown, 3);
  with_unknown.insert(with_unknown.end(), 3, std::byte{0xff});
  with_unknown.insert(with_unknown.end(), blob.begin(), blob.end());
  auto parsed = parse_meta_blob(with_unknown, 0x20000);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, sample());
}

TEST(DumpMetaBlobTest, ViolationsAreRefused) {
  auto blob = encode_meta_blob(sample());
  EXPECT_FALSE(parse_meta_blob(blob, 0x2000).ok());  // ranges reach past max_pfn
  auto cut = blob;
  cut.resize(cut.size() - 1);
  EXPECT_FALSE(parse_meta_blob(cut, 0x20000).ok());  // last entry runs past the blob
  DumpMetadata unsorted = sample();
  unsorted.dumpable = std::vector<PfnRange>{{0x100, 10}, {0, 10}};
  EXPECT_FALSE(parse_meta_blob(encode_meta_blob(unsorted), 0x20000).ok());
  DumpMetadata overlapping = sample();
  overlapping.dumpable = std::vector<PfnRange>{{0, 10}, {5, 10}};
  EXPECT_FALSE(parse_meta_blob(encode_meta_blob(overlapping), 0x20000).ok());
  DumpMetadata empty_range = sample();
  empty_range.memory_map.push_back({5, 0});
  EXPECT_FALSE(parse_meta_blob(encode_meta_blob(empty_range), 0x20000).ok());
}

}  // namespace
}  // namespace vmscope::dumpwire
