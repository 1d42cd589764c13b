// libFuzzer target for the ELF readers (dump/elf_vmcore.h, dump/kcore.h, dump/elf_notes.h):
// open the input as an ELF core, then read around every range it claims and check the
// PhysicalMemory contract — ranges sorted and disjoint, nothing readable outside them.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "dump/elf_vmcore.h"
#include "dump/kcore.h"
#include "dump/memory_file.h"
#include "dump/vmcoreinfo.h"

namespace {

using namespace vmscope;

void check(bool condition) {
  if (!condition) std::abort();  // a broken contract: let libFuzzer record the input
}

void exercise(const Dump& dump) {
  const PhysicalMemory& memory = dump.memory();
  std::vector<PhysicalRange> ranges = memory.ranges();
  std::vector<std::byte> buf(64);
  std::size_t visited = 0;
  for (std::size_t i = 0; i < ranges.size() && visited < 64; ++i, ++visited) {
    const PhysicalRange& r = ranges[i];
    check(r.size > 0);
    if (i > 0) check(ranges[i - 1].end() < r.start);  // merged when adjacent
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(r.size, buf.size()));
    Status first = memory.read(r.start, std::span(buf.data(), n));
    if (!first.ok()) {
      ErrorCode c = first.error().code();
      check(c == ErrorCode::kPageExcluded || c == ErrorCode::kPageAbsent ||
            c == ErrorCode::kTruncated || c == ErrorCode::kIo);
    }
    (void)memory.read(r.end() - 1, std::span(buf.data(), 1));
    (void)memory.read(r.end() - std::min<std::uint64_t>(r.size, 8), buf);  // runs off the end
    if (r.end() != 0) {
      Status past = memory.read(r.end(), std::span(buf.data(), 1));
      check(!past.ok() && past.error().code() == ErrorCode::kAddressNotMapped);
    }
  }
  (void)memory.read(0, buf);
  (void)memory.read(~std::uint64_t{0} - 8, buf);
  if (dump.notes().vmcoreinfo) (void)Vmcoreinfo::parse(*dump.notes().vmcoreinfo);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto file = std::make_unique<vmscope::MemoryFile>(
      vmscope::MemoryFile::view(std::as_bytes(std::span(data, size)), "fuzz-input"));
  auto header = read_elf_core_header(*file);
  if (!header.ok()) return 0;
  if (looks_like_kcore(*header)) {
    auto kcore = Kcore::open(std::move(file), std::move(header).value());
    if (kcore.ok()) exercise(**kcore);
  } else {
    auto vmcore = ElfVmcore::open(std::move(file), std::move(header).value());
    if (vmcore.ok()) exercise(**vmcore);
  }
  return 0;
}
