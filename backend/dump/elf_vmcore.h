// ELF64 little-endian x86_64 vmcores: kdump's /proc/vmcore layout (and files copied from it,
// makedumpfile -E), QEMU's dump-guest-memory with and without paging, netdump-style files.
//
// Memory comes from the PT_LOAD segments' *physical* addresses (p_paddr). What the producers
// put there, checked on real files:
//   - kdump: one segment per System RAM range (p_vaddr = its direct-map address) plus one for
//     the kernel image (p_vaddr in __START_KERNEL_map) whose physical range lies inside a RAM
//     segment: the same memory described twice.
//   - QEMU, no paging: one segment per guest RAM block, p_vaddr = p_paddr.
//   - QEMU, paging: one segment per virtually contiguous run of mapped memory (p_vaddr the
//     virtual address, p_paddr the physical one). Physical memory mapped at several virtual
//     addresses (direct map and kernel text, vmalloc aliases) appears in several segments, and
//     memory mapped nowhere is not in the file at all.
// So overlapping physical ranges are aliases, not corruption: each physical byte is read from
// the first segment (lowest p_paddr, then program-header order) that stores it. At open the
// first 4 KiB of every overlap (up to kMaxAliasChecks of them) is compared between the copies;
// copies that differ are kCorrupt — that is what a garbage program header table looks like.
//
// p_filesz < p_memsz: the bytes past p_filesz are described but NOT in the file. This is not
// ELF's zero-fill (.bss) meaning: QEMU writes p_filesz = 0 (or short) for a mapping of memory
// outside guest RAM that it did not save, and makedumpfile -E ends a segment that way when it
// filtered out the trailing pages. Reads there fail with kPageExcluded, never return zeros.
//
// A file shorter than its segments promise (an interrupted copy) still opens: reads of the
// missing part fail with kPageAbsent, and problems() says how much is missing. A file too short
// for its headers or notes fails to open with kTruncated.
//
// Thread-safety: immutable after open; every method may be called from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dump/dump.h"
#include "dump/physical_memory.h"
#include "dump/random_access_file.h"
#include "support/result.h"

namespace vmscope {

// One program header, widened and checked (offset + filesz and paddr + memsz do not overflow,
// filesz <= memsz).
struct ElfSegment {
  std::uint32_t index = 0;  // position in the program header table
  std::uint32_t type = 0;   // PT_LOAD, PT_NOTE, …
  std::uint64_t offset = 0;
  std::uint64_t vaddr = 0;
  std::uint64_t paddr = 0;
  std::uint64_t filesz = 0;
  std::uint64_t memsz = 0;
  std::uint64_t align = 0;
};

struct ElfCoreHeader {
  std::uint16_t type = 0;     // ET_CORE for every dump
  std::uint16_t machine = 0;  // EM_X86_64
  std::uint64_t phoff = 0;    // anywhere: QEMU writes 192, kdump 64
  std::vector<ElfSegment> segments;
};

// Reads and validates the ELF header and program header table (PN_XNUM extended numbering
// included). Errors: kUnsupported (not ELF64 LE x86_64 ET_CORE), kCorrupt (impossible sizes,
// p_filesz > p_memsz, overflowing ranges; payload offset of the bad header), kTruncated,
// kLimitExceeded (more than kMaxProgramHeaders).
inline constexpr std::uint64_t kMaxProgramHeaders = 1u << 20;
Result<ElfCoreHeader> read_elf_core_header(const RandomAccessFile& file);

// PhysicalMemory over PT_LOAD segments of a file (see the top of this file for the rules).
// Holds a reference to `file`, which must outlive it.
class ElfSegmentMemory final : public PhysicalMemory {
 public:
  struct Options {
    // Compare overlapping copies at build time. Off for a live source (/proc/kcore), whose
    // memory changes between two reads.
    bool verify_aliases = true;
  };
  static constexpr std::size_t kMaxAliasChecks = 4096;
  static constexpr std::size_t kAliasCheckBytes = 4096;

  // `loads`: the PT_LOAD segments to use. Appends non-fatal findings to `problems`.
  static Result<std::unique_ptr<ElfSegmentMemory>> build(const RandomAccessFile& file,
                                                         const std::vector<ElfSegment>& loads,
                                                         Options options,
                                                         std::vector<Error>& problems);

  Status read(std::uint64_t paddr, std::span<std::byte> out) const override;
  std::vector<PhysicalRange> ranges() const override;

  // A sorted, non-overlapping piece of physical memory and where its bytes are.
  struct Piece {
    std::uint64_t start = 0;
    std::uint64_t size = 0;
    std::uint64_t offset = 0;   // file offset of `start` (meaningless when !stored)
    bool stored = true;         // false: described (p_memsz) but not in the file (p_filesz)
    std::uint32_t segment = 0;  // program header index it came from
    std::uint64_t end() const { return start + size; }
  };
  const std::vector<Piece>& pieces() const { return pieces_; }

 private:
  ElfSegmentMemory(const RandomAccessFile& file, std::vector<Piece> pieces)
      : file_(&file), pieces_(std::move(pieces)) {}

  const RandomAccessFile* file_;
  std::vector<Piece> pieces_;
};

// An opened ELF vmcore.
class ElfVmcore final : public Dump {
 public:
  // Needs a file already known to start with the ELF magic; open_dump() detects formats.
  static Result<std::unique_ptr<ElfVmcore>> open(std::unique_ptr<RandomAccessFile> file);
  static Result<std::unique_ptr<ElfVmcore>> open(std::unique_ptr<RandomAccessFile> file,
                                                 ElfCoreHeader header);

  const PhysicalMemory& memory() const override { return *memory_; }
  const DumpNotes& notes() const override { return notes_; }
  std::string format_name() const override { return "elf"; }

  // The program headers as written: p_vaddr of QEMU's paging dumps lives here.
  const std::vector<ElfSegment>& segments() const { return header_.segments; }
  // Non-fatal findings: malformed notes, missing file tail, unchecked aliases.
  const std::vector<Error>& problems() const override { return problems_; }

 private:
  ElfVmcore() = default;

  std::unique_ptr<RandomAccessFile> file_;
  ElfCoreHeader header_;
  std::unique_ptr<ElfSegmentMemory> memory_;  // refers to *file_
  DumpNotes notes_;
  std::vector<Error> problems_;
};

// Reads every PT_NOTE segment of `header` (each capped at kMaxNoteSegmentBytes; the rest is
// reported as a problem) and collects DumpNotes. kTruncated when a note segment lies past EOF.
inline constexpr std::uint64_t kMaxNoteSegmentBytes = 64u << 20;
Result<DumpNotes> read_elf_dump_notes(const RandomAccessFile& file, const ElfCoreHeader& header,
                                      std::vector<Error>& problems);

}  // namespace vmscope
