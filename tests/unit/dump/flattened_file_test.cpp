#include "dump/flattened_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "dump/memory_file.h"

namespace vmscope {
namespace {

void put_be64(std::vector<std::byte>& out, std::int64_t value) {
  auto v = static_cast<std::uint64_t>(value);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(std::byte(v >> shift));
}

struct Record {
  std::uint64_t offset;
  std::vector<std::byte> data;
};

// A flattened stream as makedumpfile -F writes it.
std::vector<std::byte> flatten(const std::vector<Record>& records, bool end_marker = true) {
  std::vector<std::byte> out(4096, std::byte{0});
  std::memcpy(out.data(), "makedumpfile", 12);
  std::vector<std::byte> type;
  put_be64(type, 1);
  put_be64(type, 1);
  std::copy(type.begin(), type.end(), out.begin() + 16);
  for (const Record& r : records) {
    put_be64(out, static_cast<std::int64_t>(r.offset));
    put_be64(out, static_cast<std::int64_t>(r.data.size()));
    out.insert(out.end(), r.data.begin(), r.data.end());
  }
  if (end_marker) {
    put_be64(out, -1);
    put_be64(out, -1);
  }
  return out;
}

// What `makedumpfile -R` makes of the records: pwrite each in order into a sparse file.
std::vector<std::byte> rearrange(const std::vector<Record>& records) {
  std::vector<std::byte> file;
  for (const Record& r : records) {
    if (file.size() < r.offset + r.data.size()) file.resize(r.offset + r.data.size());
    std::copy(r.data.begin(), r.data.end(), file.begin() + static_cast<std::ptrdiff_t>(r.offset));
  }
  return file;
}

std::vector<std::byte> filled(std::size_t n, int first) {
  std::vector<std::byte> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = std::byte(static_cast<unsigned>(first + i));
  return v;
}

Result<std::unique_ptr<FlattenedFile>> open_bytes(std::vector<std::byte> bytes) {
  return FlattenedFile::open(std::make_unique<MemoryFile>(std::move(bytes)));
}

std::vector<std::byte> read_all(const RandomAccessFile& file) {
  std::vector<std::byte> out(file.size());
  EXPECT_TRUE(file.read_at(0, out).ok());
  return out;
}

TEST(FlattenedFileTest, ServesRecordsAtTheirTargetsInAnyOrderWithHolesAsZeros) {
  std::vector<Record> records = {{8192, filled(100, 1)}, {0, filled(64, 7)}, {300, filled(5, 9)}};
  auto file = open_bytes(flatten(records));
  ASSERT_TRUE(file.ok()) << file.error().to_string();
  EXPECT_TRUE((*file)->has_end_marker());
  EXPECT_EQ((*file)->record_count(), 3u);
  EXPECT_EQ((*file)->size(), 8292u);
  EXPECT_EQ(read_all(**file), rearrange(records));
  // A read inside a hole only.
  std::vector<std::byte> hole(50, std::byte{0xff});
  ASSERT_TRUE((*file)->read_at(1000, hole).ok());
  EXPECT_TRUE(std::all_of(hole.begin(), hole.end(), [](std::byte b) { return b == std::byte{0}; }));
}

TEST(FlattenedFileTest, LaterRecordsWinWhereRecordsOverlap) {
  std::vector<Record> records = {
      {0, filled(100, 1)},    // base
      {10, filled(20, 50)},   // inside the base
      {90, filled(30, 90)},   // overlaps the base's tail, extends it
      {0, filled(5, 200)},    // the base's head again
      {15, filled(2, 222)},   // inside the second record
      {5, filled(200, 111)},  // swallows most of it
  };
  auto file = open_bytes(flatten(records));
  ASSERT_TRUE(file.ok()) << file.error().to_string();
  EXPECT_EQ(read_all(**file), rearrange(records));
  const auto& segments = (*file)->segments();
  for (std::size_t i = 1; i < segments.size(); ++i) {
    EXPECT_LE(segments[i - 1].target + segments[i - 1].size, segments[i].target);
  }
}

TEST(FlattenedFileTest, RandomRecordsReadLikeTheRearrangedFile) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 40; ++round) {
    std::vector<Record> records;
    int count = 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < count; ++i) {
      std::uint64_t offset = rng() % 20000;
      // Odd rounds mix in records big enough for the scanner to skip their data.
      std::size_t max_size = round % 2 == 0 ? 3000 : 40000;
      records.push_back({offset, filled(1 + rng() % max_size, static_cast<int>(rng() % 256))});
    }
    auto file = open_bytes(flatten(records));
    ASSERT_TRUE(file.ok()) << file.error().to_string();
    std::vector<std::byte> expected = rearrange(records);
    ASSERT_EQ((*file)->size(), expected.size());
    for (int read = 0; read < 200; ++read) {
      std::uint64_t at = rng() % expected.size();
      std::size_t n = static_cast<std::size_t>(rng() % (expected.size() - at) + 1);
      std::vector<std::byte> got(n);
      ASSERT_TRUE((*file)->read_at(at, got).ok());
      ASSERT_TRUE(std::equal(got.begin(), got.end(), expected.begin() + static_cast<long>(at)))
          << "round " << round << " read " << n << " at " << at;
    }
  }
}

TEST(FlattenedFileTest, ReadPastTheEndIsTruncatedWithTheEndOffset) {
  auto file = open_bytes(flatten({{0, filled(100, 0)}}));
  ASSERT_TRUE(file.ok());
  std::vector<std::byte> out(10);
  Status s = (*file)->read_at(95, out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kTruncated);
  EXPECT_EQ(s.error().payload().offset, 100u);
}

TEST(FlattenedFileTest, StreamCutShortKeepsWhatItHas) {
  std::vector<Record> records = {{0, filled(100, 0)}, {1000, filled(500, 3)}};
  std::vector<std::byte> stream = flatten(records, /*end_marker=*/false);
  stream.resize(stream.size() - 200);  // the second record loses its last 200 bytes
  auto file = open_bytes(stream);
  ASSERT_TRUE(file.ok()) << file.error().to_string();
  EXPECT_FALSE((*file)->has_end_marker());
  EXPECT_EQ((*file)->size(), 1300u);
  std::vector<std::byte> tail(300);
  ASSERT_TRUE((*file)->read_at(1000, tail).ok());
  EXPECT_EQ(tail, filled(300, 3));

  // Cut inside a record header: the records before it survive.
  std::vector<std::byte> cut_header = flatten(records, false);
  cut_header.resize(4096 + 16 + 100 + 7);
  auto first_only = open_bytes(cut_header);
  ASSERT_TRUE(first_only.ok());
  EXPECT_EQ((*first_only)->size(), 100u);
}

TEST(FlattenedFileTest, RejectsWhatIsNotAFlattenedStream) {
  std::vector<std::byte> stream = flatten({{0, filled(10, 0)}});
  std::vector<std::byte> bad_signature = stream;
  bad_signature[0] = std::byte{'M'};
  auto a = open_bytes(bad_signature);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code(), ErrorCode::kCorrupt);

  std::vector<std::byte> bad_type = stream;
  bad_type[23] = std::byte{2};
  EXPECT_EQ(open_bytes(bad_type).error().code(), ErrorCode::kCorrupt);

  std::vector<std::byte> short_header(stream.begin(), stream.begin() + 2000);
  auto b = open_bytes(short_header);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code(), ErrorCode::kTruncated);
}

TEST(FlattenedFileTest, ImpossibleRecordHeaderIsCorruptWithItsStreamOffset) {
  std::vector<std::byte> stream(4096, std::byte{0});
  std::memcpy(stream.data(), "makedumpfile", 12);
  stream[23] = std::byte{1};
  put_be64(stream, 0);
  put_be64(stream, 4);
  stream.insert(stream.end(), 4, std::byte{1});
  put_be64(stream, -5);  // a negative offset that is not the end marker
  put_be64(stream, 4);
  auto file = open_bytes(stream);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(file.error().payload().offset, 4096u + 16 + 4);

  std::vector<std::byte> overflow(stream.begin(), stream.begin() + 4096);
  put_be64(overflow, INT64_MAX);
  put_be64(overflow, INT64_MAX);
  EXPECT_EQ(open_bytes(overflow).error().code(), ErrorCode::kCorrupt);
}

TEST(FlattenedFileTest, EmptyStreamIsAnEmptyFile) {
  auto file = open_bytes(flatten({}));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*file)->size(), 0u);
  std::vector<std::byte> out(1);
  EXPECT_EQ((*file)->read_at(0, out).error().code(), ErrorCode::kTruncated);
}

TEST(FlattenedFileTest, LooksFlattenedNeedsSignatureAndType) {
  std::vector<std::byte> stream = flatten({});
  EXPECT_TRUE(looks_flattened(std::span(stream).first(24)));
  EXPECT_FALSE(looks_flattened(std::span(stream).first(20)));
  stream[12] = std::byte{'X'};  // "makedumpfileX": not the NUL-terminated signature
  EXPECT_FALSE(looks_flattened(stream));
}

TEST(FlattenedFileTest, OpenFlattenedGivesARandomAccessFile) {
  auto file = open_flattened(std::make_unique<MemoryFile>(flatten({{4, filled(4, 1)}})));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*file)->size(), 8u);
  EXPECT_NE((*file)->name().find("flattened"), std::string::npos);
}

}  // namespace
}  // namespace vmscope
