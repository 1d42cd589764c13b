// libFuzzer target for the flattened-format index (dump/flattened_file.h): open the input as a
// flattened stream and, when the rebuilt file is small, compare every byte with a naive
// rebuild that pwrites the records in order into a buffer, as `makedumpfile -R` does. Then
// open the rebuilt file as a kdump dump, the way flattened dumps are read in practice.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "dump/flattened_file.h"
#include "dump/kdump_compressed.h"
#include "dump/memory_file.h"

namespace {

using namespace vmscope;

constexpr std::uint64_t kMaxCompared = 1 << 20;

void check(bool condition) {
  if (!condition) std::abort();
}

std::uint64_t load_be64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

// The rebuilt file, record by record; false if it would exceed kMaxCompared.
bool naive_rebuild(const std::uint8_t* data, std::size_t size, std::vector<std::uint8_t>& out) {
  std::size_t pos = 4096;
  while (size - pos >= 16) {
    auto offset = static_cast<std::int64_t>(load_be64(data + pos));
    auto length = static_cast<std::int64_t>(load_be64(data + pos + 8));
    if (offset == -1 && length == -1) break;
    pos += 16;
    auto n = static_cast<std::uint64_t>(length);
    if (n > size - pos) n = size - pos;  // cut short: what is there
    if (n > 0) {
      std::uint64_t end = static_cast<std::uint64_t>(offset) + n;
      if (end > kMaxCompared) return false;
      if (out.size() < end) out.resize(end, 0);
      std::memcpy(out.data() + offset, data + pos, n);
    }
    pos += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto opened = open_flattened(std::make_unique<vmscope::MemoryFile>(
      vmscope::MemoryFile::view(std::as_bytes(std::span(data, size)), "fuzz-input")));
  if (!opened.ok()) return 0;
  const RandomAccessFile& file = **opened;

  std::vector<std::uint8_t> expected;
  if (naive_rebuild(data, size, expected)) {
    check(file.size() == expected.size());
    std::vector<std::byte> got(expected.size());
    check(file.read_at(0, got).ok());
    check(std::memcmp(got.data(), expected.data(), got.size()) == 0);
    // Short reads at every few offsets, crossing segment and hole boundaries.
    for (std::uint64_t at = 0; at < expected.size(); at += 1 + expected.size() / 64) {
      std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(37, expected.size() - at));
      std::vector<std::byte> piece(n);
      check(file.read_at(at, piece).ok());
      check(std::memcmp(piece.data(), expected.data() + at, n) == 0);
    }
  } else {
    std::vector<std::byte> head(std::min<std::uint64_t>(file.size(), 4096));
    check(file.read_at(0, head).ok());
    std::vector<std::byte> tail(std::min<std::uint64_t>(file.size(), 64));
    check(file.read_at(file.size() - tail.size(), tail).ok());
  }
  std::vector<std::byte> past(1);
  Status beyond = file.read_at(file.size(), past);
  check(!beyond.ok() && beyond.error().code() == ErrorCode::kTruncated);

  auto dump = KdumpCompressedDump::open(std::move(opened).value(), KdumpOptions{.cache_pages = 8});
  if (dump.ok()) {
    std::vector<std::byte> page(64);
    for (const PhysicalRange& r : (*dump)->memory().ranges()) {
      (void)(*dump)->memory().read(r.start, page);
      break;
    }
  }
  return 0;
}
