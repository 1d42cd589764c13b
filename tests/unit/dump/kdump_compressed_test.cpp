#include "dump/kdump_compressed.h"

#include <gtest/gtest.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <thread>

#include "dump/kdump_header.h"

#include "dump/memory_file.h"

namespace vmscope {
namespace {

using namespace kdump_layout;

template <typename T>
void put(std::vector<std::byte>& bytes, std::size_t at, T value) {
  std::memcpy(bytes.data() + at, &value, sizeof value);
}

constexpr std::uint32_t kBlock = 4096;

enum class Store { kRaw, kZlib, kLzo, kSnappy, kZstd, kZero };

// The contents of page `pfn` in every synthetic dump: compressible, and different per pfn.
std::vector<std::byte> page_content(std::uint64_t pfn) {
  std::vector<std::byte> page(kBlock);
  for (std::size_t i = 0; i < kBlock; ++i) page[i] = std::byte((pfn * 13 + i / 16) & 0xff);
  return page;
}

std::vector<std::byte> encode(Store store, const std::vector<std::byte>& page) {
  std::vector<std::byte> out(page.size() * 2 + 1024);
  switch (store) {
    case Store::kZlib: {
      uLongf n = out.size();
      compress2(reinterpret_cast<Bytef*>(out.data()), &n,
                reinterpret_cast<const Bytef*>(page.data()), page.size(), 6);
      out.resize(n);
      return out;
    }
    case Store::kLzo: {
      lzo_init();
      std::vector<unsigned char> work(LZO1X_1_MEM_COMPRESS);
      lzo_uint n = out.size();
      lzo1x_1_compress(reinterpret_cast<const unsigned char*>(page.data()), page.size(),
                       reinterpret_cast<unsigned char*>(out.data()), &n, work.data());
      out.resize(n);
      return out;
    }
    case Store::kSnappy: {
      std::size_t n = out.size();
      snappy_compress(reinterpret_cast<const char*>(page.data()), page.size(),
                      reinterpret_cast<char*>(out.data()), &n);
      out.resize(n);
      return out;
    }
    case Store::kZstd: {
      out.resize(ZSTD_compress(out.data(), out.size(), page.data(), page.size(), 1));
      return out;
    }
    case Store::kRaw:
    case Store::kZero: return page;
  }
  return page;
}

std::uint32_t flag_of(Store store) {
  switch (store) {
    case Store::kZlib: return kKdumpPageZlib;
    case Store::kLzo: return kKdumpPageLzo;
    case Store::kSnappy: return kKdumpPageSnappy;
    case Store::kZstd: return kKdumpPageZstd;
    default: return 0;
  }
}

void append_note(std::vector<std::byte>& out, const std::string& name, std::uint32_t type,
                 const std::vector<std::byte>& desc) {
  auto pad = [&out] {
    while (out.size() % 4 != 0) out.push_back(std::byte{0});
  };
  std::size_t at = out.size();
  out.resize(at + 12);
  put<std::uint32_t>(out, at, static_cast<std::uint32_t>(name.size() + 1));
  put<std::uint32_t>(out, at + 4, static_cast<std::uint32_t>(desc.size()));
  put<std::uint32_t>(out, at + 8, type);
  for (char c : name) out.push_back(std::byte(c));
  out.push_back(std::byte{0});
  pad();
  out.insert(out.end(), desc.begin(), desc.end());
  pad();
}

// A kdump-compressed file as makedumpfile lays it out (see dump/kdump_header.h).
struct SyntheticKdump {
  std::int32_t version = 6;
  std::uint64_t max_mapnr = 200;
  std::uint32_t status = 0;
  std::map<std::uint64_t, Store> dumped;  // pfn -> how its page is stored
  std::vector<std::uint64_t> excluded;    // in the 1st bitmap only
  bool split = false;
  std::uint64_t start_pfn = 0, end_pfn = 0;
  std::string vmcoreinfo = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n";
  int cpus = 2;

  // Filled by build().
  std::vector<std::byte> bytes;
  std::map<std::uint64_t, std::uint64_t> descriptor_at;  // pfn -> file offset of its page_desc

  std::vector<std::byte> notes() const {
    std::vector<std::byte> out;
    for (int cpu = 0; cpu < cpus; ++cpu) {
      std::vector<std::byte> prstatus(336, std::byte{0});
      put<std::int32_t>(prstatus, 32, cpu + 1);                              // pr_pid
      put<std::uint64_t>(prstatus, 112 + 8 * 12, 0xffffffff81000000 + cpu);  // a register
      append_note(out, "CORE", 1, prstatus);
    }
    std::vector<std::byte> text(vmcoreinfo.size());
    std::memcpy(text.data(), vmcoreinfo.data(), text.size());
    append_note(out, "VMCOREINFO", 0, text);
    return out;
  }

  std::vector<std::byte> build() {
    std::vector<std::byte> note_blob = notes();
    std::uint64_t extra = note_blob.size() + vmcoreinfo.size();
    std::uint32_t sub_blocks = 1 + static_cast<std::uint32_t>((extra + kBlock - 1) / kBlock);
    std::uint64_t bitmap_bytes = (max_mapnr + 7) / 8;
    std::uint32_t bitmap_blocks =
        2 * static_cast<std::uint32_t>((bitmap_bytes + kBlock - 1) / kBlock);
    std::uint64_t bitmap_at = kBlock * (1ull + sub_blocks);
    std::uint64_t desc_at = kBlock * (1ull + sub_blocks + bitmap_blocks);

    std::vector<std::uint64_t> described;  // pfns with a descriptor in this file
    for (const auto& [pfn, store] : dumped) {
      if (!split || (pfn >= start_pfn && pfn < end_pfn)) described.push_back(pfn);
    }
    bytes.assign(desc_at + described.size() * kKdumpPageDescSize, std::byte{0});

    std::memcpy(bytes.data(), "KDUMP   ", 8);
    put<std::int32_t>(bytes, kHeaderVersion, version);
    std::memcpy(bytes.data() + kUtsname + 4 * kUtsFieldSize, "x86_64", 6);
    put<std::uint32_t>(bytes, kStatus, status);
    put<std::int32_t>(bytes, kBlockSize, kBlock);
    put<std::int32_t>(bytes, kSubHdrSize, static_cast<std::int32_t>(sub_blocks));
    put<std::uint32_t>(bytes, kBitmapBlocks, bitmap_blocks);
    put<std::uint32_t>(bytes, kMaxMapnr, static_cast<std::uint32_t>(max_mapnr));
    put<std::int32_t>(bytes, kNrCpus, cpus);
    std::uint64_t sub = kBlock;
    std::uint64_t notes_at = 2 * kBlock;
    std::uint64_t vmcoreinfo_at = notes_at + note_blob.size();
    put<std::int32_t>(bytes, sub + kDumpLevel, 31);
    put<std::int32_t>(bytes, sub + kSplit, split ? 1 : 0);
    put<std::uint64_t>(bytes, sub + kStartPfn, start_pfn);
    put<std::uint64_t>(bytes, sub + kEndPfn, end_pfn);
    put<std::uint64_t>(bytes, sub + kOffsetVmcoreinfo, vmcoreinfo_at);
    put<std::uint64_t>(bytes, sub + kSizeVmcoreinfo, vmcoreinfo.size());
    put<std::uint64_t>(bytes, sub + kOffsetNote, notes_at);
    put<std::uint64_t>(bytes, sub + kSizeNote, note_blob.size());
    put<std::uint64_t>(bytes, sub + kStartPfn64, start_pfn);
    put<std::uint64_t>(bytes, sub + kEndPfn64, end_pfn);
    put<std::uint64_t>(bytes, sub + kMaxMapnr64, max_mapnr);
    std::copy(note_blob.begin(), note_blob.end(), bytes.begin() + static_cast<long>(notes_at));
    std::memcpy(bytes.data() + vmcoreinfo_at, vmcoreinfo.data(), vmcoreinfo.size());

    auto set_bit = [&](std::uint64_t base, std::uint64_t pfn) {
      bytes[base + pfn / 8] |= std::byte(1u << (pfn % 8));
    };
    std::uint64_t second = bitmap_at + std::uint64_t{kBlock} * bitmap_blocks / 2;
    for (const auto& [pfn, store] : dumped) {
      set_bit(bitmap_at, pfn);
      set_bit(second, pfn);
    }
    for (std::uint64_t pfn : excluded) set_bit(bitmap_at, pfn);

    // The shared zero page, then every other page's data.
    std::uint64_t zero_at = bytes.size();
    bytes.resize(bytes.size() + kBlock, std::byte{0});
    for (std::size_t i = 0; i < described.size(); ++i) {
      std::uint64_t pfn = described[i];
      Store store = dumped[pfn];
      std::uint64_t at = desc_at + i * kKdumpPageDescSize;
      descriptor_at[pfn] = at;
      std::uint64_t data_at = zero_at;
      std::vector<std::byte> stored(kBlock, std::byte{0});
      if (store != Store::kZero) {
        stored = encode(store, page_content(pfn));
        data_at = bytes.size();
        bytes.insert(bytes.end(), stored.begin(), stored.end());
      }
      put<std::uint64_t>(bytes, at, data_at);
      put<std::uint32_t>(bytes, at + 8, static_cast<std::uint32_t>(stored.size()));
      put<std::uint32_t>(bytes, at + 12, flag_of(store));
    }
    return bytes;
  }
};

Result<std::unique_ptr<KdumpCompressedDump>> open_bytes(std::vector<std::byte> bytes,
                                                        KdumpOptions options = {}) {
  return KdumpCompressedDump::open(std::make_unique<MemoryFile>(std::move(bytes)), options);
}

Status read_page(const KdumpCompressedDump& dump, std::uint64_t pfn, std::vector<std::byte>& out) {
  out.assign(kBlock, std::byte{0xaa});
  return dump.memory().read(pfn * kBlock, out);
}

SyntheticKdump every_encoding() {
  SyntheticKdump k;
  k.dumped = {{1, Store::kRaw},    {2, Store::kZlib},   {3, Store::kLzo},
              {4, Store::kSnappy}, {5, Store::kZstd},   {6, Store::kZero},
              {7, Store::kZlib},   {100, Store::kZstd}, {199, Store::kLzo}};
  k.excluded = {10, 11, 12};
  return k;
}

TEST(KdumpCompressedTest, ReadsPagesOfEveryEncoding) {
  SyntheticKdump k = every_encoding();
  auto dump = open_bytes(k.build());
  ASSERT_TRUE(dump.ok()) << dump.error().to_string();
  EXPECT_EQ((*dump)->format_name(), "kdump");
  EXPECT_EQ((*dump)->dumped_pages(), k.dumped.size());
  std::vector<std::byte> page;
  for (const auto& [pfn, store] : k.dumped) {
    Status s = read_page(**dump, pfn, page);
    ASSERT_TRUE(s.ok()) << pfn << ": " << s.error().to_string();
    EXPECT_EQ(page, store == Store::kZero ? std::vector<std::byte>(kBlock) : page_content(pfn))
        << pfn;
  }
  EXPECT_TRUE((*dump)->problems().empty());
}

TEST(KdumpCompressedTest, ReadsAcrossPageBoundaries) {
  SyntheticKdump k = every_encoding();
  auto dump = open_bytes(k.build());
  ASSERT_TRUE(dump.ok());
  std::vector<std::byte> out(3 * kBlock);
  ASSERT_TRUE((*dump)->memory().read(2 * kBlock + 100, std::span(out).first(2 * kBlock)).ok());
  std::vector<std::byte> expected = page_content(2);
  for (std::uint64_t pfn : {3, 4}) {  // the read spans pfns 2, 3 and 4
    std::vector<std::byte> next = page_content(pfn);
    expected.insert(expected.end(), next.begin(), next.end());
  }
  EXPECT_TRUE(std::equal(out.begin(), out.begin() + 2 * kBlock, expected.begin() + 100));
  // A read that reaches an excluded page fails as a whole, naming the first bad byte.
  Status s = (*dump)->memory().read(7 * kBlock, out);  // pfns 7, 8 (not in map), 9
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ(s.error().payload().address, 8u * kBlock);
}

TEST(KdumpCompressedTest, ExcludedAbsentAndUnmappedAreDifferentErrors) {
  SyntheticKdump k = every_encoding();
  auto dump = open_bytes(k.build());
  ASSERT_TRUE(dump.ok());
  std::vector<std::byte> page;
  Status excluded = read_page(**dump, 11, page);
  ASSERT_FALSE(excluded.ok());
  EXPECT_EQ(excluded.error().code(), ErrorCode::kPageExcluded);
  EXPECT_EQ(excluded.error().payload().physical, 11u * kBlock);
  EXPECT_EQ((*dump)->page_state(11), KdumpCompressedDump::PageState::kExcluded);

  Status hole = read_page(**dump, 50, page);
  EXPECT_EQ(hole.error().code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ((*dump)->page_state(50), KdumpCompressedDump::PageState::kNotInMap);
  Status beyond = read_page(**dump, 5000, page);  // past max_mapnr
  EXPECT_EQ(beyond.error().code(), ErrorCode::kAddressNotMapped);
  Status wraps = (*dump)->memory().read(UINT64_MAX - 2, std::span(page).first(8));
  EXPECT_EQ(wraps.error().code(), ErrorCode::kAddressNotMapped);
}

TEST(KdumpCompressedTest, RangesCoverDumpedAndExcludedPages) {
  SyntheticKdump k = every_encoding();
  auto dump = open_bytes(k.build());
  ASSERT_TRUE(dump.ok());
  auto ranges = (*dump)->memory().ranges();
  ASSERT_EQ(ranges.size(), 4u);  // pfns 1-7, 10-12, 100, 199
  EXPECT_EQ(ranges[0].start, 1u * kBlock);
  EXPECT_EQ(ranges[0].size, 7u * kBlock);
  EXPECT_EQ(ranges[1].start, 10u * kBlock);
  EXPECT_EQ(ranges[1].size, 3u * kBlock);
  EXPECT_EQ(ranges[3].start, 199u * kBlock);
}

TEST(KdumpCompressedTest, NotesGiveRegistersAndVmcoreinfo) {
  SyntheticKdump k = every_encoding();
  auto dump = open_bytes(k.build());
  ASSERT_TRUE(dump.ok());
  const DumpNotes& notes = (*dump)->notes();
  ASSERT_EQ(notes.prstatus.size(), 2u);
  EXPECT_EQ(notes.prstatus[1].pid, 2);
  EXPECT_EQ(notes.prstatus[1].registers.at(12), 0xffffffff81000001u);
  ASSERT_TRUE(notes.vmcoreinfo.has_value());
  EXPECT_EQ(*notes.vmcoreinfo, k.vmcoreinfo);
}

TEST(KdumpCompressedTest, OlderHeaderVersionsReadTheSameMemory) {
  for (std::int32_t version = 1; version <= 6; ++version) {
    SCOPED_TRACE(version);
    SyntheticKdump k = every_encoding();
    k.version = version;
    auto dump = open_bytes(k.build());
    ASSERT_TRUE(dump.ok()) << dump.error().to_string();
    std::vector<std::byte> page;
    ASSERT_TRUE(read_page(**dump, 100, page).ok());
    EXPECT_EQ(page, page_content(100));
    // VMCOREINFO arrives with version 3 (sub header) and notes with version 4.
    EXPECT_EQ((*dump)->notes().vmcoreinfo.has_value(), version >= 3);
    EXPECT_EQ((*dump)->notes().prstatus.size(), version >= 4 ? 2u : 0u);
  }
}

TEST(KdumpCompressedTest, ZeroPageIsServedWithoutCaching) {
  SyntheticKdump k;
  for (std::uint64_t pfn = 0; pfn < 100; ++pfn) k.dumped[pfn] = Store::kZero;
  auto dump = open_bytes(k.build());
  ASSERT_TRUE(dump.ok());
  std::vector<std::byte> page;
  for (std::uint64_t pfn = 0; pfn < 100; ++pfn) {
    ASSERT_TRUE(read_page(**dump, pfn, page).ok());
    ASSERT_EQ(page, std::vector<std::byte>(kBlock));
  }
  EXPECT_EQ((*dump)->cache().size(), 0u);
}

TEST(KdumpCompressedTest, RepeatedReadsHitTheCache) {
  SyntheticKdump k = every_encoding();
  auto dump = open_bytes(k.build());
  ASSERT_TRUE(dump.ok());
  std::vector<std::byte> page;
  ASSERT_TRUE(read_page(**dump, 2, page).ok());
  std::uint64_t hits = (*dump)->cache().hits();
  ASSERT_TRUE(read_page(**dump, 2, page).ok());
  EXPECT_EQ((*dump)->cache().hits(), hits + 1);
  EXPECT_EQ(page, page_content(2));
}

TEST(KdumpCompressedTest, DataPastTheEndIsTruncatedOrAbsentWhenIncomplete) {
  for (bool incomplete : {false, true}) {
    SCOPED_TRACE(incomplete);
    SyntheticKdump k = every_encoding();
    k.status = incomplete ? kKdumpStatusIncomplete : 0;
    std::vector<std::byte> bytes = k.build();
    std::uint64_t far = bytes.size() + 12345;
    put<std::uint64_t>(bytes, k.descriptor_at[3], far);
    auto dump = open_bytes(bytes);
    ASSERT_TRUE(dump.ok());
    std::vector<std::byte> page;
    Status s = read_page(**dump, 3, page);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), incomplete ? ErrorCode::kPageAbsent : ErrorCode::kTruncated);
    EXPECT_EQ(s.error().payload().offset, far);
    EXPECT_EQ(s.error().payload().physical, 3u * kBlock);
    EXPECT_TRUE(read_page(**dump, 4, page).ok());  // other pages are unaffected
  }
}

TEST(KdumpCompressedTest, FileEndingInsideTheDescriptorsLosesOnlyTheLaterPages) {
  for (bool incomplete : {false, true}) {
    SCOPED_TRACE(incomplete);
    SyntheticKdump k = every_encoding();
    k.status = incomplete ? kKdumpStatusIncomplete : 0;
    std::vector<std::byte> bytes = k.build();
    bytes.resize(k.descriptor_at[100]);  // descriptors of pfns 100 and 199 are gone
    auto dump = open_bytes(bytes);
    ASSERT_TRUE(dump.ok()) << dump.error().to_string();
    std::vector<std::byte> page;
    Status s = read_page(**dump, 100, page);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), incomplete ? ErrorCode::kPageAbsent : ErrorCode::kTruncated);
    EXPECT_EQ(s.error().payload().offset, k.descriptor_at[100]);
    // Page 1's data lay after the descriptors, so it went too; the error says so.
    EXPECT_FALSE(read_page(**dump, 1, page).ok());
  }
}

TEST(KdumpCompressedTest, EmptyDescriptorIsAbsentOnlyInAnIncompleteDump) {
  for (bool incomplete : {false, true}) {
    SCOPED_TRACE(incomplete);
    SyntheticKdump k = every_encoding();
    k.status = incomplete ? kKdumpStatusIncomplete : 0;
    std::vector<std::byte> bytes = k.build();
    std::fill_n(bytes.begin() + static_cast<long>(k.descriptor_at[5]), kKdumpPageDescSize,
                std::byte{0});
    auto dump = open_bytes(bytes);
    ASSERT_TRUE(dump.ok());
    std::vector<std::byte> page;
    Status s = read_page(**dump, 5, page);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), incomplete ? ErrorCode::kPageAbsent : ErrorCode::kCorrupt);
  }
}

TEST(KdumpCompressedTest, BadEncodingFlagAndUndecodableDataNameThePage) {
  SyntheticKdump k = every_encoding();
  std::vector<std::byte> bytes = k.build();
  put<std::uint32_t>(bytes, k.descriptor_at[2] + 12, 0x40);  // no such encoding
  // Page 7 (zlib): garble its data.
  std::uint64_t data7 = 0;
  std::memcpy(&data7, bytes.data() + k.descriptor_at[7], 8);
  for (int i = 0; i < 8; ++i) bytes[data7 + 2 + static_cast<std::uint64_t>(i)] = std::byte{0xee};
  put<std::uint32_t>(bytes, k.descriptor_at[4] + 8, kBlock + 1);  // larger than a page
  auto dump = open_bytes(bytes);
  ASSERT_TRUE(dump.ok());
  std::vector<std::byte> page;

  Status unknown = read_page(**dump, 2, page);
  EXPECT_EQ(unknown.error().code(), ErrorCode::kUnsupported);
  EXPECT_EQ(unknown.error().payload().physical, 2u * kBlock);

  Status garbled = read_page(**dump, 7, page);
  ASSERT_FALSE(garbled.ok());
  EXPECT_EQ(garbled.error().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(garbled.error().payload().physical, 7u * kBlock);
  EXPECT_EQ(garbled.error().payload().offset, data7);
  EXPECT_NE(garbled.error().message().find("pfn 0x7"), std::string::npos)
      << garbled.error().message();

  EXPECT_EQ(read_page(**dump, 4, page).error().code(), ErrorCode::kCorrupt);
}

TEST(KdumpCompressedTest, SplitFileHoldsOnlyItsPfnRange) {
  SyntheticKdump k = every_encoding();
  k.split = true;
  k.start_pfn = 3;
  k.end_pfn = 100;
  auto dump = open_bytes(k.build());
  ASSERT_TRUE(dump.ok()) << dump.error().to_string();
  EXPECT_EQ((*dump)->dumped_pages(), 5u);  // pfns 3..7
  std::vector<std::byte> page;
  ASSERT_TRUE(read_page(**dump, 3, page).ok());
  EXPECT_EQ(page, page_content(3));
  ASSERT_TRUE(read_page(**dump, 7, page).ok());
  EXPECT_EQ(page, page_content(7));
  EXPECT_EQ(read_page(**dump, 2, page).error().code(), ErrorCode::kPageAbsent);
  EXPECT_EQ(read_page(**dump, 100, page).error().code(), ErrorCode::kPageAbsent);
}

TEST(KdumpCompressedTest, UnreadableNotesAreProblemsNotFailures) {
  SyntheticKdump k = every_encoding();
  std::vector<std::byte> bytes = k.build();
  put<std::uint64_t>(bytes, kBlock + kOffsetNote, bytes.size() + 10);
  auto dump = open_bytes(bytes);
  ASSERT_TRUE(dump.ok());
  EXPECT_FALSE((*dump)->problems().empty());
  EXPECT_TRUE((*dump)->notes().prstatus.empty());
  EXPECT_TRUE((*dump)->notes().vmcoreinfo.has_value());  // still from the sub header
}

TEST(KdumpCompressedTest, ConcurrentReadersGetTheRightBytes) {
  SyntheticKdump k;
  for (std::uint64_t pfn = 0; pfn < 200; ++pfn) {
    k.dumped[pfn] = static_cast<Store>(pfn % 6);
  }
  auto dump = open_bytes(k.build(), KdumpOptions{.cache_pages = 32});
  ASSERT_TRUE(dump.ok());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<unsigned>(t));
      std::vector<std::byte> page;
      for (int i = 0; i < 2000; ++i) {
        std::uint64_t pfn = rng() % 200;
        bool zero = static_cast<Store>(pfn % 6) == Store::kZero;
        if (!read_page(**dump, pfn, page).ok() ||
            page != (zero ? std::vector<std::byte>(kBlock) : page_content(pfn))) {
          ++wrong;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(KdumpCompressedTest, OpenErrorsComeFromTheHeader) {
  SyntheticKdump k = every_encoding();
  std::vector<std::byte> bytes = k.build();
  bytes.resize(100);
  auto dump = open_kdump_compressed(std::make_unique<MemoryFile>(bytes));
  ASSERT_FALSE(dump.ok());
  EXPECT_EQ(dump.error().code(), ErrorCode::kTruncated);
}

}  // namespace
}  // namespace vmscope
