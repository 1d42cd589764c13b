#include "receiver/dump_source.h"

#include <elf.h>

#include <cstring>
#include <optional>

#include "dump/elf_vmcore.h"
#include "dump/flattened_file.h"
#include "dump/kdump_compressed.h"
#include "dump/kdump_header.h"
#include "dump/open_dump.h"
#include "dump/vmcoreinfo.h"

namespace vmscope {
namespace {

constexpr std::uint64_t kMaxNotesBytes = std::uint64_t{64} << 20;

Result<std::vector<std::byte>> read_bytes(const RandomAccessFile& file, std::uint64_t offset,
                                          std::uint64_t size) {
  if (size > kMaxNotesBytes) {
    return Error(ErrorCode::kLimitExceeded,
                 file.name() + ": notes of " + std::to_string(size) + " bytes are over the limit");
  }
  std::vector<std::byte> bytes(size);
  VMSCOPE_CHECK(file.read_at(offset, bytes));
  return bytes;
}

constexpr std::size_t kUtsField = 65;
constexpr std::size_t kUtsnameSize = 6 * kUtsField;
constexpr std::uint64_t kX86KernelMap = 0xffffffff80000000;  // __START_KERNEL_map

// struct new_utsname from its 390 bytes, if it looks like one (every field NUL-terminated,
// sysname "Linux", release, version and machine set — what libkdumpfile also requires).
std::optional<dumpwire::Utsname> parse_utsname(std::span<const std::byte> bytes) {
  std::string fields[6];
  for (std::size_t i = 0; i < 6; ++i) {
    auto field = bytes.subspan(i * kUtsField, kUtsField);
    if (field.back() != std::byte{0}) return std::nullopt;
    const char* p = reinterpret_cast<const char*>(field.data());
    fields[i] = std::string(p, strnlen(p, kUtsField));
  }
  if (fields[0] != "Linux" || fields[2].empty() || fields[3].empty() || fields[4].empty()) {
    return std::nullopt;
  }
  return dumpwire::Utsname{fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]};
}

// An ELF vmcore has no utsname of its own; the kernel's init_uts_ns does. VMCOREINFO gives its
// address (SYMBOL(init_uts_ns), a kernel-image address: physical = virtual −
// __START_KERNEL_map + phys_base on x86_64). struct uts_namespace begins with the utsname in
// 6.x and after a 4-byte kref (padded to 8) in older kernels; both places are tried and the
// content is checked (release must equal OSRELEASE), so a wrong guess is never used.
std::optional<dumpwire::Utsname> utsname_from_memory(const Dump& dump, const Vmcoreinfo& info,
                                                     std::uint64_t phys_base,
                                                     const std::string& release) {
  auto symbol = info.symbol("init_uts_ns");
  if (!symbol.ok() || *symbol < kX86KernelMap) return std::nullopt;
  std::uint64_t phys = *symbol - kX86KernelMap + phys_base;
  for (std::uint64_t skip : {0, 8}) {
    std::vector<std::byte> bytes(kUtsnameSize);
    if (!dump.memory().read(phys + skip, bytes).ok()) continue;
    auto uts = parse_utsname(bytes);
    if (uts && uts->release == release) return uts;
  }
  return std::nullopt;
}

// Runs of consecutive pfns for which `test` holds, below `max_pfn`.
template <typename Test>
std::vector<dumpwire::PfnRange> runs_of(std::uint64_t max_pfn, Test test) {
  std::vector<dumpwire::PfnRange> runs;
  for (std::uint64_t pfn = 0; pfn < max_pfn; ++pfn) {
    if (!test(pfn)) continue;
    if (!runs.empty() && runs.back().start + runs.back().count == pfn) {
      ++runs.back().count;
    } else {
      runs.push_back({pfn, 1});
    }
  }
  return runs;
}

Status open_kdump(std::unique_ptr<RandomAccessFile> file, DumpSource& out) {
  VMSCOPE_TRY(KdumpHeader header, read_kdump_header(*file));
  if (header.notes) {
    VMSCOPE_TRY(out.metadata.elf_notes,
                read_bytes(*file, header.notes->offset, header.notes->size));
  }
  std::vector<std::byte> uts(kUtsnameSize);
  VMSCOPE_CHECK(file->read_at(kdump_layout::kUtsname, uts));
  out.metadata.utsname = parse_utsname(uts).value_or(
      dumpwire::Utsname{"Linux", "", header.release, "", header.machine, ""});
  VMSCOPE_TRY(auto dump, KdumpCompressedDump::open(std::move(file)));
  out.format = "kdump";
  out.page_size = header.block_size;
  out.max_pfn = header.max_mapnr;
  out.phys_base = header.phys_base;
  out.nr_cpus = static_cast<std::uint32_t>(header.nr_cpus);
  out.dump_level = static_cast<std::uint8_t>(header.dump_level & 0xff);
  const KdumpCompressedDump& kdump = *dump;
  using State = KdumpCompressedDump::PageState;
  out.metadata.memory_map = runs_of(
      out.max_pfn, [&](std::uint64_t pfn) { return kdump.page_state(pfn) != State::kNotInMap; });
  out.metadata.dumpable = runs_of(
      out.max_pfn, [&](std::uint64_t pfn) { return kdump.page_state(pfn) == State::kDumped; });
  out.dump = std::move(dump);
  return ok_status();
}

Status open_elf(std::unique_ptr<RandomAccessFile> file, DumpSource& out) {
  VMSCOPE_TRY(ElfCoreHeader header, read_elf_core_header(*file));
  for (const ElfSegment& seg : header.segments) {
    if (seg.type != PT_NOTE || seg.filesz == 0) continue;
    VMSCOPE_TRY(auto bytes, read_bytes(*file, seg.offset, seg.filesz));
    out.metadata.elf_notes.insert(out.metadata.elf_notes.end(), bytes.begin(), bytes.end());
  }
  out.e_machine = header.machine;
  VMSCOPE_TRY(auto dump, ElfVmcore::open(std::move(file), std::move(header)));
  out.format = "elf";
  out.nr_cpus = static_cast<std::uint32_t>(dump->notes().prstatus.size());
  out.dump = std::move(dump);
  return ok_status();
}

}  // namespace

std::uint64_t DumpSource::dumpable_pages() const {
  std::uint64_t pages = 0;
  for (const auto& r : *metadata.dumpable) pages += r.count;
  return pages;
}

Result<DumpSource> open_dump_source(const std::string& path) {
  DumpSource out;
  out.path = path;
  VMSCOPE_TRY(auto posix, PosixFile::open(path));
  std::unique_ptr<RandomAccessFile> file = std::move(posix);
  std::vector<std::byte> head(std::min<std::uint64_t>(kDumpSignatureBytes, file->size()));
  VMSCOPE_CHECK(file->read_at(0, head));
  if (detect_dump_format(head) == DumpFormat::kFlattened) {
    VMSCOPE_TRY(file, open_flattened(std::move(file)));
    head.assign(std::min<std::uint64_t>(kDumpSignatureBytes, file->size()), std::byte{0});
    VMSCOPE_CHECK(file->read_at(0, head));
  }
  switch (detect_dump_format(head)) {
    case DumpFormat::kKdumpCompressed: VMSCOPE_CHECK(open_kdump(std::move(file), out)); break;
    case DumpFormat::kElf: VMSCOPE_CHECK(open_elf(std::move(file), out)); break;
    default:
      return Error(ErrorCode::kUnsupported, path + ": " + describe_leading_bytes(head),
                   {.name = path});
  }

  const DumpNotes& notes = out.dump->notes();
  out.metadata.vmcoreinfo = notes.vmcoreinfo;
  out.panic_task = notes.panic_task.value_or(0);
  Vmcoreinfo info = Vmcoreinfo::parse(notes.vmcoreinfo.value_or(""));
  if (out.format == "elf") {
    if (auto size = info.page_size(); size.ok()) out.page_size = static_cast<std::uint32_t>(*size);
    std::uint64_t end = 0;
    for (const PhysicalRange& r : out.dump->memory().ranges()) end = std::max(end, r.end());
    out.max_pfn = (end + out.page_size - 1) / out.page_size;
    for (const PhysicalRange& r : out.dump->memory().ranges()) {
      std::uint64_t first = r.start / out.page_size;
      std::uint64_t last = (r.end() + out.page_size - 1) / out.page_size;
      out.metadata.memory_map.push_back({first, last - first});
    }
    out.metadata.dumpable = out.metadata.memory_map;
    if (auto base = info.number("phys_base"); base.ok()) {
      out.phys_base = static_cast<std::uint64_t>(*base);
    }
    std::string release = info.osrelease().value_or("");
    if (out.e_machine == EM_X86_64) {
      out.metadata.utsname = utsname_from_memory(*out.dump, info, out.phys_base, release);
    }
    if (!out.metadata.utsname) {
      out.metadata.utsname = dumpwire::Utsname{
          "Linux", "", release, "", out.e_machine == EM_X86_64 ? "x86_64" : "", ""};
    }
  } else {
    out.e_machine = EM_X86_64;  // the only layout the kdump reader handles
    if (out.metadata.utsname->release.empty()) {
      out.metadata.utsname->release = info.osrelease().value_or("");  // QEMU leaves it empty
    }
    if (out.metadata.utsname->machine.empty()) out.metadata.utsname->machine = "x86_64";
  }
  if (out.page_size < 4096 || out.page_size > 65536 || out.max_pfn == 0) {
    return Error(ErrorCode::kUnsupported,
                 path + ": page size " + std::to_string(out.page_size) + ", max pfn " +
                     std::to_string(out.max_pfn) + " cannot be sent",
                 {.name = path});
  }
  return out;
}

}  // namespace vmscope
