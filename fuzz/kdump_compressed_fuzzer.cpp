// libFuzzer target for the kdump-compressed reader (dump/kdump_compressed.h and the header,
// bitmap, codec and cache pieces under it): open the input as a kdump file, then read around
// the ranges it claims and check the PhysicalMemory contract — ranges sorted and disjoint,
// nothing readable outside them, only the documented error codes, and a page read twice
// (the second time from the cache) gives the same bytes.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "dump/kdump_compressed.h"
#include "dump/memory_file.h"

namespace {

using namespace vmscope;

void check(bool condition) {
  if (!condition) std::abort();  // a broken contract: let libFuzzer record the input
}

bool documented(ErrorCode c) {
  return c == ErrorCode::kAddressNotMapped || c == ErrorCode::kPageExcluded ||
         c == ErrorCode::kPageAbsent || c == ErrorCode::kTruncated || c == ErrorCode::kCorrupt ||
         c == ErrorCode::kUnsupported || c == ErrorCode::kIo;
}

void exercise(const KdumpCompressedDump& dump) {
  const PhysicalMemory& memory = dump.memory();
  const std::uint64_t page = dump.header().block_size;
  std::vector<PhysicalRange> ranges = memory.ranges();
  std::vector<std::byte> buf(page + 16), again(page + 16);
  for (std::size_t i = 0; i < ranges.size() && i < 32; ++i) {
    const PhysicalRange& r = ranges[i];
    check(r.size > 0 && r.start % page == 0 && r.size % page == 0);
    if (i > 0) check(ranges[i - 1].end() < r.start);  // runs are maximal
    std::span<std::byte> one(buf.data(), page);
    Status first = memory.read(r.start, one);
    if (first.ok()) {
      Status second = memory.read(r.start, std::span(again.data(), page));
      check(second.ok() && std::memcmp(buf.data(), again.data(), page) == 0);
    } else {
      check(documented(first.error().code()));
      check(first.error().code() != ErrorCode::kAddressNotMapped);  // inside a range
      check(first.error().payload().physical == r.start);
    }
    (void)memory.read(r.end() - 8, buf);  // runs off the end of the range
    Status past = memory.read(r.end(), std::span(buf.data(), 1));
    check(!past.ok() && past.error().code() == ErrorCode::kAddressNotMapped);
  }
  (void)memory.read(0, buf);
  (void)memory.read(~std::uint64_t{0} - 8, buf);
  // Pages outside every range are never readable.
  for (std::uint64_t pfn = 0; pfn < 64; ++pfn) {
    Status s = memory.read(pfn * page, std::span(buf.data(), 1));
    if (dump.page_state(pfn) != KdumpCompressedDump::PageState::kDumped) {
      check(!s.ok());
    }
    if (!s.ok()) check(documented(s.error().code()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto file = std::make_unique<vmscope::MemoryFile>(
      vmscope::MemoryFile::view(std::as_bytes(std::span(data, size)), "fuzz-input"));
  auto dump = KdumpCompressedDump::open(std::move(file), KdumpOptions{.cache_pages = 8});
  if (dump.ok()) exercise(**dump);
  return 0;
}
