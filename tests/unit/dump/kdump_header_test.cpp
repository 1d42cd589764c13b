#include "dump/kdump_header.h"

#include <gtest/gtest.h>

#include <cstring>

#include "dump/memory_file.h"

namespace vmscope {
namespace {

using namespace kdump_layout;

template <typename T>
void put(std::vector<std::byte>& bytes, std::size_t at, T value) {
  std::memcpy(bytes.data() + at, &value, sizeof value);
}

template <typename T>
T get(const std::vector<std::byte>& bytes, std::size_t at) {
  T value;
  std::memcpy(&value, bytes.data() + at, sizeof value);
  return value;
}

constexpr std::uint32_t kBlock = 4096;

// Header blocks of a kdump file of `version`: 1 header block, 1 sub header block, 2 bitmap
// blocks (32768 pfns each), every sub-header field set to a recognisable value.
std::vector<std::byte> headers(std::int32_t version) {
  std::vector<std::byte> bytes(kBlock * 4, std::byte{0});
  std::memcpy(bytes.data(), "KDUMP   ", 8);
  put<std::int32_t>(bytes, kHeaderVersion, version);
  std::memcpy(bytes.data() + kUtsname + 2 * kUtsFieldSize, "6.1.0-test", 10);
  std::memcpy(bytes.data() + kUtsname + 4 * kUtsFieldSize, "x86_64", 6);
  put<std::uint32_t>(bytes, kStatus, 0);
  put<std::int32_t>(bytes, kBlockSize, kBlock);
  put<std::int32_t>(bytes, kSubHdrSize, 1);
  put<std::uint32_t>(bytes, kBitmapBlocks, 2);
  put<std::uint32_t>(bytes, kMaxMapnr, 1000);
  put<std::int32_t>(bytes, kNrCpus, 2);
  std::size_t sub = kBlock;
  put<std::uint64_t>(bytes, sub + kPhysBase, 0x1000000);
  put<std::int32_t>(bytes, sub + kDumpLevel, 31);
  put<std::int32_t>(bytes, sub + kSplit, 0);
  put<std::uint64_t>(bytes, sub + kStartPfn, 1);
  put<std::uint64_t>(bytes, sub + kEndPfn, 2);
  put<std::uint64_t>(bytes, sub + kOffsetVmcoreinfo, 0x2000);
  put<std::uint64_t>(bytes, sub + kSizeVmcoreinfo, 0x10);
  put<std::uint64_t>(bytes, sub + kOffsetNote, 0x2100);
  put<std::uint64_t>(bytes, sub + kSizeNote, 0x20);
  put<std::uint64_t>(bytes, sub + kOffsetEraseinfo, 0x2200);
  put<std::uint64_t>(bytes, sub + kSizeEraseinfo, 0x30);
  put<std::uint64_t>(bytes, sub + kStartPfn64, 3);
  put<std::uint64_t>(bytes, sub + kEndPfn64, 4);
  put<std::uint64_t>(bytes, sub + kMaxMapnr64, 2000);
  return bytes;
}

Result<KdumpHeader> parse(std::vector<std::byte> bytes) {
  MemoryFile file(std::move(bytes));
  return read_kdump_header(file);
}

TEST(KdumpHeaderTest, EachVersionReadsTheFieldsItDefines) {
  for (std::int32_t version = 1; version <= 7; ++version) {
    SCOPED_TRACE(version);
    auto h = parse(headers(version));
    ASSERT_TRUE(h.ok()) << h.error().to_string();
    EXPECT_EQ(h->header_version, version);
    EXPECT_EQ(h->release, "6.1.0-test");
    EXPECT_EQ(h->machine, "x86_64");
    EXPECT_EQ(h->block_size, kBlock);
    EXPECT_EQ(h->nr_cpus, 2);
    EXPECT_EQ(h->phys_base, 0x1000000u);
    EXPECT_EQ(h->dump_level, 31);
    EXPECT_EQ(h->bitmap_offset(), 2u * kBlock);
    EXPECT_EQ(h->bitmap_size(), kBlock);
    EXPECT_EQ(h->descriptors_offset(), 4u * kBlock);
    EXPECT_EQ(h->vmcoreinfo.has_value(), version >= 3);
    EXPECT_EQ(h->notes.has_value(), version >= 4);
    EXPECT_EQ(h->eraseinfo.has_value(), version >= 5);
    if (version >= 4) {
      EXPECT_EQ(h->notes->offset, 0x2100u);
      EXPECT_EQ(h->notes->size, 0x20u);
    }
    // The 64-bit max_mapnr and pfn range replace the 32-bit ones from version 6 on.
    EXPECT_EQ(h->max_mapnr, version >= 6 ? 2000u : 1000u);
    if (version >= 2) {
      EXPECT_EQ(h->start_pfn, version >= 6 ? 3u : 1u);
    }
  }
}

TEST(KdumpHeaderTest, StatusFlagsAndSplit) {
  auto bytes = headers(6);
  put<std::uint32_t>(bytes, kStatus, kKdumpStatusIncomplete);
  put<std::int32_t>(bytes, kBlock + kSplit, 1);
  auto h = parse(bytes);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->incomplete());
  EXPECT_TRUE(h->split);
  EXPECT_EQ(h->start_pfn, 3u);
  EXPECT_EQ(h->end_pfn, 4u);

  put<std::uint64_t>(bytes, kBlock + kStartPfn64, 10);  // start after end
  EXPECT_EQ(parse(bytes).error().code(), ErrorCode::kCorrupt);
}

TEST(KdumpHeaderTest, TruncatedHeadersSayWhereTheFileEnds) {
  auto bytes = headers(6);
  bytes.resize(300);
  auto a = parse(bytes);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code(), ErrorCode::kTruncated);
  EXPECT_EQ(a.error().payload().offset, 300u);

  bytes = headers(6);
  bytes.resize(kBlock + 50);  // inside the sub header
  auto b = parse(bytes);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code(), ErrorCode::kTruncated);
  EXPECT_EQ(b.error().payload().offset, kBlock + 50u);
}

TEST(KdumpHeaderTest, BitmapsPastTheEndOfFileAreTruncated) {
  auto bytes = headers(6);
  bytes.resize(kBlock * 3);  // the 2nd bitmap is missing
  auto h = parse(bytes);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code(), ErrorCode::kTruncated);
  EXPECT_NE(h.error().message().find("bitmaps"), std::string::npos);
}

// 1 + sub_hdr_size + bitmap_blocks wraps in 32 bits here; computed in 32 bits the bitmaps
// would seem to end at block 2 and a huge max_mapnr would pass (found by the fuzzer).
TEST(KdumpHeaderTest, BitmapBlockCountNearTwoToThe32IsTruncatedNotWrapped) {
  auto bytes = headers(6);
  put<std::uint32_t>(bytes, kBitmapBlocks, 0xffffffffu);
  put<std::uint64_t>(bytes, kBlock + kMaxMapnr64, std::uint64_t{1} << 35);
  auto h = parse(bytes);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code(), ErrorCode::kTruncated);
}

TEST(KdumpHeaderTest, SignatureAndVersionChecks) {
  auto bad_signature = headers(6);
  bad_signature[0] = std::byte{'X'};
  EXPECT_EQ(parse(bad_signature).error().code(), ErrorCode::kCorrupt);

  auto diskdump = headers(6);
  std::memcpy(diskdump.data(), "DISKDUMP", 8);
  EXPECT_EQ(parse(diskdump).error().code(), ErrorCode::kUnsupported);

  EXPECT_EQ(parse(headers(0)).error().code(), ErrorCode::kUnsupported);
  EXPECT_EQ(parse(headers(0x06000000)).error().code(), ErrorCode::kUnsupported);  // big-endian
}

TEST(KdumpHeaderTest, ImpossibleSizesAreCorrupt) {
  for (std::int32_t block : {0, -4096, 1000, 512, 1 << 20}) {
    auto bytes = headers(6);
    put<std::int32_t>(bytes, kBlockSize, block);
    auto h = parse(bytes);
    ASSERT_FALSE(h.ok()) << block;
    EXPECT_EQ(h.error().code(), ErrorCode::kCorrupt) << block;
    EXPECT_EQ(h.error().payload().offset, kBlockSize);
  }
  auto no_sub = headers(6);
  put<std::int32_t>(no_sub, kSubHdrSize, 0);
  EXPECT_EQ(parse(no_sub).error().code(), ErrorCode::kCorrupt);

  auto too_many_pfns = headers(6);  // 2 bitmap blocks hold 32768 pfns each
  put<std::uint64_t>(too_many_pfns, kBlock + kMaxMapnr64, 32769);
  EXPECT_EQ(parse(too_many_pfns).error().code(), ErrorCode::kCorrupt);
  put<std::uint64_t>(too_many_pfns, kBlock + kMaxMapnr64, 32768);
  EXPECT_TRUE(parse(too_many_pfns).ok());
}

TEST(KdumpHeaderTest, LooksKdumpCompressed) {
  auto bytes = headers(6);
  EXPECT_TRUE(looks_kdump_compressed(bytes));
  EXPECT_FALSE(looks_kdump_compressed(std::span(bytes).first(7)));
  EXPECT_EQ(get<std::int32_t>(bytes, kHeaderVersion), 6);
}

}  // namespace
}  // namespace vmscope
