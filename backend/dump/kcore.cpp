#include "dump/kcore.h"

#include <elf.h>

#include <cstdint>

namespace vmscope {
namespace {

constexpr std::uint64_t kNoPhysicalAddress = ~std::uint64_t{0};

}  // namespace

bool looks_like_kcore(const ElfCoreHeader& header) {
  std::size_t loads = 0, at_zero = 0;
  for (const ElfSegment& seg : header.segments) {
    if (seg.type != PT_LOAD) continue;
    ++loads;
    if (seg.paddr == kNoPhysicalAddress) return true;
    if (seg.paddr == 0) ++at_zero;
  }
  return loads > 1 && at_zero == loads;
}

bool is_live_kernel(const Dump& dump) {
  return dynamic_cast<const Kcore*>(&dump) != nullptr;
}

Result<std::unique_ptr<Kcore>> Kcore::open(std::unique_ptr<RandomAccessFile> file) {
  VMSCOPE_TRY(auto header, read_elf_core_header(*file));
  return open(std::move(file), std::move(header));
}

Result<std::unique_ptr<Kcore>> Kcore::open(std::unique_ptr<RandomAccessFile> file,
                                           ElfCoreHeader header) {
  std::unique_ptr<Kcore> kcore(new Kcore());
  VMSCOPE_TRY(kcore->notes_, read_elf_dump_notes(*file, header, kcore->problems_));
  kcore->notes_.prstatus.clear();
  kcore->notes_.panic_task.reset();

  std::vector<ElfSegment> physical;
  std::size_t loads = 0;
  for (const ElfSegment& seg : header.segments) {
    if (seg.type != PT_LOAD) continue;
    ++loads;
    if (seg.paddr != kNoPhysicalAddress) physical.push_back(seg);
  }
  if (loads > 1 && physical.size() == loads) {
    bool all_zero = true;
    for (const ElfSegment& seg : physical) all_zero = all_zero && seg.paddr == 0;
    if (all_zero) {
      return Error(ErrorCode::kUnsupported,
                   file->name() +
                       " gives no physical addresses (every p_paddr is 0): this kernel's "
                       "/proc/kcore predates p_paddr for RAM segments",
                   {.name = file->name()});
    }
  }
  if (physical.empty()) {
    return Error(ErrorCode::kUnsupported, file->name() + " has no segment with a physical address",
                 {.name = file->name()});
  }
  ElfSegmentMemory::Options options;
  options.verify_aliases = false;  // live memory: two copies can differ by the second read
  VMSCOPE_TRY(kcore->memory_, ElfSegmentMemory::build(*file, physical, options, kcore->problems_));
  kcore->file_ = std::move(file);
  kcore->header_ = std::move(header);
  return kcore;
}

}  // namespace vmscope
