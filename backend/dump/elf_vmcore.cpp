#include "dump/elf_vmcore.h"

#include <elf.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "dump/elf_notes.h"
#include "support/hex.h"

namespace vmscope {

// The ELF structs are read by memcpy from the file: the file is little-endian, so must the
// host be (every host vmscope builds for is).
static_assert(std::endian::native == std::endian::little);

namespace {

using Piece = ElfSegmentMemory::Piece;

template <typename T>
Result<T> read_struct(const RandomAccessFile& file, std::uint64_t offset, std::string_view what) {
  T value;
  std::byte raw[sizeof(T)];
  Status s = file.read_at(offset, raw);
  if (!s.ok()) return s.error().with_context(std::string("reading the ") + std::string(what));
  std::memcpy(&value, raw, sizeof(T));
  return value;
}

// Bytes at [paddr, paddr + out.size()) from sorted, non-overlapping pieces of `file`.
Status read_pieces(const RandomAccessFile& file, const std::vector<Piece>& pieces,
                   std::uint64_t paddr, std::span<std::byte> out) {
  auto it = std::upper_bound(pieces.begin(), pieces.end(), paddr,
                             [](std::uint64_t a, const Piece& p) { return a < p.start; });
  if (it != pieces.begin()) --it;
  std::uint64_t addr = paddr;
  std::size_t done = 0;
  // Each turn consumes one piece, so the loop is bounded by the number of pieces.
  while (done < out.size()) {
    if (it == pieces.end() || addr < it->start || addr >= it->end()) {
      return Error(ErrorCode::kAddressNotMapped,
                   "physical address " + hex_u64(addr) + " is not in the dump",
                   {.address = addr, .physical = addr});
    }
    std::uint64_t n = std::min<std::uint64_t>(out.size() - done, it->end() - addr);
    if (!it->stored) {
      return Error(ErrorCode::kPageExcluded,
                   "physical address " + hex_u64(addr) + " is described by program header " +
                       std::to_string(it->segment) + " but not stored in the file",
                   {.address = addr, .physical = addr});
    }
    std::uint64_t file_offset = it->offset + (addr - it->start);
    std::uint64_t file_size = file.size();
    std::uint64_t available = file_offset < file_size ? file_size - file_offset : 0;
    std::uint64_t now = std::min(n, available);
    if (now > 0) {
      VMSCOPE_CHECK(file.read_at(file_offset, out.subspan(done, now)));
    }
    if (now < n) {
      return Error(ErrorCode::kPageAbsent,
                   "physical address " + hex_u64(addr + now) + " lies past the end of the file (" +
                       hex_u64(file_size) + " bytes): the dump is truncated",
                   {.address = addr + now, .physical = addr + now, .offset = file_offset + now});
    }
    done += n;
    addr += n;
    ++it;
  }
  return ok_status();
}

struct Extent {
  std::uint64_t start;
  std::uint64_t size;
  std::uint64_t offset;
  std::uint32_t segment;
  std::uint64_t end() const { return start + size; }
};

bool by_start_then_segment(const Extent& a, const Extent& b) {
  return a.start != b.start ? a.start < b.start : a.segment < b.segment;
}

// Compares the start of an overlap between `extent` and what `pieces` already hold.
Status check_alias(const RandomAccessFile& file, const std::vector<Piece>& pieces,
                   const Extent& extent, std::uint64_t overlap) {
  std::size_t n = static_cast<std::size_t>(
      std::min<std::uint64_t>(overlap, ElfSegmentMemory::kAliasCheckBytes));
  std::vector<std::byte> first(n), second(n);
  if (!read_pieces(file, pieces, extent.start, first).ok()) return ok_status();  // absent part
  std::uint64_t file_size = file.size();
  if (extent.offset >= file_size || file_size - extent.offset < n) return ok_status();
  VMSCOPE_CHECK(file.read_at(extent.offset, second));
  if (first != second) {
    return Error(ErrorCode::kCorrupt,
                 "program header " + std::to_string(extent.segment) +
                     " describes physical memory at " + hex_u64(extent.start) +
                     " that an earlier segment also holds, with different contents",
                 {.address = extent.start, .physical = extent.start, .offset = extent.offset});
  }
  return ok_status();
}

}  // namespace

Result<ElfCoreHeader> read_elf_core_header(const RandomAccessFile& file) {
  VMSCOPE_TRY(auto ehdr, read_struct<Elf64_Ehdr>(file, 0, "ELF header"));
  if (std::memcmp(ehdr.e_ident, ELFMAG, SELFMAG) != 0) {
    return Error(ErrorCode::kUnsupported, file.name() + " is not an ELF file", {.offset = 0});
  }
  if (ehdr.e_ident[EI_CLASS] != ELFCLASS64) {
    return Error(ErrorCode::kUnsupported,
                 file.name() + " is a 32-bit ELF file; only ELF64 (x86_64) dumps are supported",
                 {.offset = EI_CLASS});
  }
  if (ehdr.e_ident[EI_DATA] != ELFDATA2LSB) {
    return Error(ErrorCode::kUnsupported,
                 file.name() + " is a big-endian ELF file; only x86_64 dumps are supported",
                 {.offset = EI_DATA});
  }
  if (ehdr.e_type != ET_CORE) {
    return Error(ErrorCode::kUnsupported,
                 file.name() + " is ELF type " + std::to_string(ehdr.e_type) +
                     ", not a core dump (ET_CORE); a vmlinux is debug info, not a dump",
                 {.offset = offsetof(Elf64_Ehdr, e_type)});
  }
  if (ehdr.e_machine != EM_X86_64) {
    return Error(ErrorCode::kUnsupported,
                 file.name() + " is a dump of ELF machine " + std::to_string(ehdr.e_machine) +
                     "; only x86_64 (62) is supported",
                 {.offset = offsetof(Elf64_Ehdr, e_machine)});
  }
  if (ehdr.e_phentsize != sizeof(Elf64_Phdr)) {
    return Error(ErrorCode::kCorrupt,
                 "ELF program header size is " + std::to_string(ehdr.e_phentsize) + ", not " +
                     std::to_string(sizeof(Elf64_Phdr)),
                 {.offset = offsetof(Elf64_Ehdr, e_phentsize)});
  }

  // With 0xffff or more program headers the real count is in section header 0's sh_info.
  std::uint64_t phnum = ehdr.e_phnum;
  if (phnum == PN_XNUM) {
    if (ehdr.e_shoff == 0 || ehdr.e_shentsize != sizeof(Elf64_Shdr)) {
      return Error(ErrorCode::kCorrupt,
                   "e_phnum is PN_XNUM but there is no section header 0 to hold the count",
                   {.offset = offsetof(Elf64_Ehdr, e_phnum)});
    }
    VMSCOPE_TRY(auto shdr0, read_struct<Elf64_Shdr>(file, ehdr.e_shoff, "section header 0"));
    phnum = shdr0.sh_info;
  }
  if (phnum == 0) {
    return Error(ErrorCode::kCorrupt, "the ELF file has no program headers",
                 {.offset = offsetof(Elf64_Ehdr, e_phnum)});
  }
  if (phnum > kMaxProgramHeaders) {
    return Error(ErrorCode::kLimitExceeded,
                 std::to_string(phnum) + " program headers, more than the " +
                     std::to_string(kMaxProgramHeaders) + " vmscope accepts",
                 {.offset = offsetof(Elf64_Ehdr, e_phnum)});
  }
  if (ehdr.e_phoff < sizeof(Elf64_Ehdr)) {
    return Error(ErrorCode::kCorrupt,
                 "program header table at offset " + std::to_string(ehdr.e_phoff) +
                     " overlaps the ELF header",
                 {.offset = offsetof(Elf64_Ehdr, e_phoff)});
  }
  std::uint64_t table_size = phnum * sizeof(Elf64_Phdr);
  if (ehdr.e_phoff > file.size() || file.size() - ehdr.e_phoff < table_size) {
    return Error(ErrorCode::kTruncated,
                 "program header table (" + std::to_string(phnum) + " entries at offset " +
                     std::to_string(ehdr.e_phoff) + ") ends past the end of " + file.name() + " (" +
                     std::to_string(file.size()) + " bytes)",
                 {.offset = file.size(), .name = file.name()});
  }
  std::vector<std::byte> table(table_size);
  VMSCOPE_CHECK(file.read_at(ehdr.e_phoff, table));

  ElfCoreHeader header;
  header.type = ehdr.e_type;
  header.machine = ehdr.e_machine;
  header.phoff = ehdr.e_phoff;
  header.segments.reserve(phnum);
  for (std::uint64_t i = 0; i < phnum; ++i) {
    Elf64_Phdr phdr;
    std::memcpy(&phdr, table.data() + i * sizeof(Elf64_Phdr), sizeof phdr);
    std::uint64_t at = ehdr.e_phoff + i * sizeof(Elf64_Phdr);
    if (phdr.p_filesz > UINT64_MAX - phdr.p_offset) {
      return Error(ErrorCode::kCorrupt,
                   "program header " + std::to_string(i) + ": offset + file size overflows",
                   {.offset = at});
    }
    if (phdr.p_type == PT_LOAD && phdr.p_filesz > phdr.p_memsz) {
      return Error(ErrorCode::kCorrupt,
                   "program header " + std::to_string(i) + ": p_filesz " + hex_u64(phdr.p_filesz) +
                       " is larger than p_memsz " + hex_u64(phdr.p_memsz),
                   {.offset = at});
    }
    header.segments.push_back({.index = static_cast<std::uint32_t>(i),
                               .type = phdr.p_type,
                               .offset = phdr.p_offset,
                               .vaddr = phdr.p_vaddr,
                               .paddr = phdr.p_paddr,
                               .filesz = phdr.p_filesz,
                               .memsz = phdr.p_memsz,
                               .align = phdr.p_align});
  }
  return header;
}

Result<std::unique_ptr<ElfSegmentMemory>> ElfSegmentMemory::build(
    const RandomAccessFile& file, const std::vector<ElfSegment>& loads, Options options,
    std::vector<Error>& problems) {
  std::vector<Extent> stored, unstored;
  for (const ElfSegment& seg : loads) {
    if (seg.memsz == 0) continue;  // describes nothing
    if (seg.memsz > UINT64_MAX - seg.paddr) {
      return Error(ErrorCode::kCorrupt,
                   "program header " + std::to_string(seg.index) + ": physical range " +
                       hex_u64(seg.paddr) + " + " + hex_u64(seg.memsz) + " overflows",
                   {.address = seg.paddr, .physical = seg.paddr});
    }
    if (seg.filesz > 0) stored.push_back({seg.paddr, seg.filesz, seg.offset, seg.index});
    if (seg.memsz > seg.filesz) {
      unstored.push_back({seg.paddr + seg.filesz, seg.memsz - seg.filesz, 0, seg.index});
    }
  }

  // Stored bytes: the first segment holding a physical byte provides it.
  std::sort(stored.begin(), stored.end(), by_start_then_segment);
  std::vector<Piece> pieces;
  std::uint64_t covered_end = 0;
  std::size_t alias_checks = 0, aliases_unchecked = 0;
  for (const Extent& e : stored) {
    if (!pieces.empty() && e.start < covered_end) {
      std::uint64_t overlap = std::min(e.end(), covered_end) - e.start;
      if (options.verify_aliases && alias_checks < kMaxAliasChecks) {
        ++alias_checks;
        VMSCOPE_CHECK(check_alias(file, pieces, e, overlap));
      } else if (options.verify_aliases) {
        ++aliases_unchecked;
      }
      if (e.end() <= covered_end) continue;
      std::uint64_t skip = covered_end - e.start;
      pieces.push_back({covered_end, e.size - skip, e.offset + skip, true, e.segment});
    } else {
      pieces.push_back({e.start, e.size, e.offset, true, e.segment});
    }
    covered_end = std::max(covered_end, e.end());
  }
  if (aliases_unchecked > 0) {
    problems.emplace_back(ErrorCode::kLimitExceeded, std::to_string(aliases_unchecked) +
                                                         " overlapping segments beyond the first " +
                                                         std::to_string(kMaxAliasChecks) +
                                                         " were not compared");
  }

  // Unstored bytes: only where no segment stores them. First merge them among themselves,
  // then subtract the stored pieces in one pass over both sorted lists.
  std::sort(unstored.begin(), unstored.end(), by_start_then_segment);
  std::vector<Extent> holes;
  for (const Extent& e : unstored) {
    if (!holes.empty() && e.start <= holes.back().end()) {
      if (e.end() > holes.back().end()) holes.back().size = e.end() - holes.back().start;
    } else {
      holes.push_back(e);
    }
  }
  std::vector<Piece> gaps;
  std::size_t i = 0;
  for (const Extent& h : holes) {
    std::uint64_t cur = h.start;
    // Each turn emits the last gap or moves `cur` past one stored piece: bounded.
    while (cur < h.end()) {
      while (i < pieces.size() && pieces[i].end() <= cur) ++i;
      if (i == pieces.size() || pieces[i].start >= h.end()) {
        gaps.push_back({cur, h.end() - cur, 0, false, h.segment});
        break;
      }
      if (pieces[i].start > cur) gaps.push_back({cur, pieces[i].start - cur, 0, false, h.segment});
      cur = pieces[i].end();
    }
  }
  std::vector<Piece> all;
  all.reserve(pieces.size() + gaps.size());
  std::merge(pieces.begin(), pieces.end(), gaps.begin(), gaps.end(), std::back_inserter(all),
             [](const Piece& a, const Piece& b) { return a.start < b.start; });

  std::uint64_t missing = 0;
  for (const Piece& p : all) {
    if (!p.stored) continue;
    std::uint64_t end = p.offset + p.size;
    if (end > file.size()) missing += end - std::max(p.offset, file.size());
  }
  if (missing > 0) {
    problems.emplace_back(ErrorCode::kTruncated,
                          file.name() + " ends at " + hex_u64(file.size()) + ": " +
                              std::to_string(missing) +
                              " bytes of memory its segments promise are missing (reads there "
                              "fail with page-absent)",
                          ErrorPayload{.offset = file.size(), .name = file.name()});
  }
  return std::unique_ptr<ElfSegmentMemory>(new ElfSegmentMemory(file, std::move(all)));
}

Status ElfSegmentMemory::read(std::uint64_t paddr, std::span<std::byte> out) const {
  return read_pieces(*file_, pieces_, paddr, out);
}

std::vector<PhysicalRange> ElfSegmentMemory::ranges() const {
  std::vector<PhysicalRange> ranges;
  for (const Piece& p : pieces_) {
    if (!ranges.empty() && ranges.back().end() == p.start) {
      ranges.back().size += p.size;
    } else {
      ranges.push_back({p.start, p.size});
    }
  }
  return ranges;
}

Result<DumpNotes> read_elf_dump_notes(const RandomAccessFile& file, const ElfCoreHeader& header,
                                      std::vector<Error>& problems) {
  DumpNotes notes;
  for (const ElfSegment& seg : header.segments) {
    if (seg.type != PT_NOTE || seg.filesz == 0) continue;
    std::uint64_t at = header.phoff + seg.index * sizeof(Elf64_Phdr);
    if (seg.offset > file.size() || file.size() - seg.offset < seg.filesz) {
      return Error(ErrorCode::kTruncated,
                   "note segment (program header " + std::to_string(seg.index) + ", offset " +
                       hex_u64(seg.offset) + ", " + std::to_string(seg.filesz) +
                       " bytes) ends past the end of " + file.name(),
                   {.offset = file.size(), .name = file.name()});
    }
    std::uint64_t size = seg.filesz;
    if (size > kMaxNoteSegmentBytes) {
      problems.emplace_back(ErrorCode::kLimitExceeded,
                            "note segment (program header " + std::to_string(seg.index) + ") has " +
                                std::to_string(size) + " bytes; only the first " +
                                std::to_string(kMaxNoteSegmentBytes) + " are read",
                            ErrorPayload{.offset = at});
      size = kMaxNoteSegmentBytes;
    }
    std::vector<std::byte> bytes(size);
    VMSCOPE_CHECK(file.read_at(seg.offset, bytes));
    ElfNoteList list = parse_elf_notes(bytes, seg.offset, seg.align == 8 ? 8 : 4);
    collect_dump_notes(list.notes, notes, problems);
    if (list.stopped && size == seg.filesz) problems.push_back(*list.stopped);
  }
  return notes;
}

Result<std::unique_ptr<ElfVmcore>> ElfVmcore::open(std::unique_ptr<RandomAccessFile> file) {
  VMSCOPE_TRY(auto header, read_elf_core_header(*file));
  return open(std::move(file), std::move(header));
}

Result<std::unique_ptr<ElfVmcore>> ElfVmcore::open(std::unique_ptr<RandomAccessFile> file,
                                                   ElfCoreHeader header) {
  std::unique_ptr<ElfVmcore> dump(new ElfVmcore());
  VMSCOPE_TRY(dump->notes_, read_elf_dump_notes(*file, header, dump->problems_));
  std::vector<ElfSegment> loads;
  for (const ElfSegment& seg : header.segments) {
    if (seg.type == PT_LOAD) loads.push_back(seg);
  }
  if (loads.empty()) {
    return Error(ErrorCode::kCorrupt, file->name() + " has no PT_LOAD segment: it holds no memory",
                 {.name = file->name()});
  }
  VMSCOPE_TRY(dump->memory_, ElfSegmentMemory::build(*file, loads, {}, dump->problems_));
  dump->file_ = std::move(file);
  dump->header_ = std::move(header);
  return dump;
}

}  // namespace vmscope
