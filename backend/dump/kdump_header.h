// The headers of a kdump-compressed file ("KDUMP   " signature, makedumpfile's
// diskdump_mod.h), decoded and checked.
//
// Layout (little-endian, x86_64 sizes; block = header.block_size, which is the page size):
//   block 0                       disk_dump_header
//   block 1 .. 1+sub_hdr_size     kdump_sub_header (fields appear with header_version 1..6+)
//   then bitmap_blocks blocks     two bitmaps of equal length, one bit per pfn:
//                                 1st = pfn is in the memory map, 2nd = pfn is dumped
//   then                          page descriptors, one per set bit of the 2nd bitmap
//   then                          page data (first a shared zero page, if the writer uses one)
// Only the 64-bit little-endian layout is handled (what x86_64 makedumpfile and QEMU write);
// a header that looks byte-swapped or has an impossible field is kCorrupt/kUnsupported.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "dump/random_access_file.h"
#include "support/result.h"

namespace vmscope {

// disk_dump_header.status bits.
inline constexpr std::uint32_t kKdumpStatusIncomplete = 0x8;  // DUMP_DH_COMPRESSED_INCOMPLETE
inline constexpr std::uint32_t kKdumpStatusExcludedVmemmap = 0x10;

// page_desc.flags: how the page's data is stored (none set: raw, exactly one page).
inline constexpr std::uint32_t kKdumpPageZlib = 0x1;
inline constexpr std::uint32_t kKdumpPageLzo = 0x2;
inline constexpr std::uint32_t kKdumpPageSnappy = 0x4;
inline constexpr std::uint32_t kKdumpPageZstd = 0x20;

inline constexpr std::size_t kKdumpMainHeaderSize = 464;  // sizeof(disk_dump_header), x86_64
inline constexpr std::size_t kKdumpSubHeaderSize = 104;   // sizeof(kdump_sub_header), v6
inline constexpr std::size_t kKdumpPageDescSize = 24;     // sizeof(page_desc_t)

// Byte offsets of the fields, shared with the test writers of synthetic dumps.
namespace kdump_layout {
inline constexpr std::size_t kHeaderVersion = 8;
inline constexpr std::size_t kUtsname = 12;  // 6 fields of 65 bytes
inline constexpr std::size_t kUtsFieldSize = 65;
inline constexpr std::size_t kStatus = 424;
inline constexpr std::size_t kBlockSize = 428;
inline constexpr std::size_t kSubHdrSize = 432;
inline constexpr std::size_t kBitmapBlocks = 436;
inline constexpr std::size_t kMaxMapnr = 440;
inline constexpr std::size_t kNrCpus = 460;
// Within the sub header (at block 1).
inline constexpr std::size_t kPhysBase = 0;
inline constexpr std::size_t kDumpLevel = 8;
inline constexpr std::size_t kSplit = 12;
inline constexpr std::size_t kStartPfn = 16;
inline constexpr std::size_t kEndPfn = 24;
inline constexpr std::size_t kOffsetVmcoreinfo = 32;
inline constexpr std::size_t kSizeVmcoreinfo = 40;
inline constexpr std::size_t kOffsetNote = 48;
inline constexpr std::size_t kSizeNote = 56;
inline constexpr std::size_t kOffsetEraseinfo = 64;
inline constexpr std::size_t kSizeEraseinfo = 72;
inline constexpr std::size_t kStartPfn64 = 80;
inline constexpr std::size_t kEndPfn64 = 88;
inline constexpr std::size_t kMaxMapnr64 = 96;
}  // namespace kdump_layout

// A region of the file (offset and size in bytes).
struct FileExtent {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

struct KdumpHeader {
  std::int32_t header_version = 0;
  std::string release;  // utsname.release (QEMU leaves it empty)
  std::string machine;  // utsname.machine
  std::uint32_t status = 0;
  std::uint32_t block_size = 0;  // = page size
  std::uint32_t sub_hdr_size = 0;
  std::uint32_t bitmap_blocks = 0;
  std::uint64_t max_mapnr = 0;  // max_mapnr_64 for version 6+, the 32-bit field before
  std::int32_t nr_cpus = 0;

  // kdump_sub_header
  std::uint64_t phys_base = 0;
  std::int32_t dump_level = 0;  // version 1+
  bool split = false;           // version 2+: this file holds pfns [start_pfn, end_pfn) only
  std::uint64_t start_pfn = 0;
  std::uint64_t end_pfn = 0;
  std::optional<FileExtent> vmcoreinfo;  // version 3+
  std::optional<FileExtent> notes;       // version 4+: the ELF notes blob
  std::optional<FileExtent> eraseinfo;   // version 5+

  bool incomplete() const { return (status & kKdumpStatusIncomplete) != 0; }
  // In 64 bits throughout: bitmap_blocks is a 32-bit field, 1 + sub_hdr_size + bitmap_blocks
  // can wrap in 32 (the fuzzer found a header doing exactly that).
  std::uint64_t bitmap_offset() const {
    return std::uint64_t{block_size} * (std::uint64_t{1} + sub_hdr_size);
  }
  // Bytes of ONE of the two bitmaps.
  std::uint64_t bitmap_size() const { return std::uint64_t{block_size} * bitmap_blocks / 2; }
  std::uint64_t descriptors_offset() const {
    return std::uint64_t{block_size} * (std::uint64_t{1} + sub_hdr_size + bitmap_blocks);
  }
};

// True if `head` starts with the "KDUMP   " signature.
bool looks_kdump_compressed(std::span<const std::byte> head);

// Reads and checks the main header and the sub header. Errors: kCorrupt (bad signature,
// impossible block size, bitmaps too small for max_mapnr, pfn range inverted), kUnsupported
// (header version < 0 or > 64, i.e. not this layout), kTruncated (the file ends inside the
// headers or the bitmaps; payload offset = where data is missing).
Result<KdumpHeader> read_kdump_header(const RandomAccessFile& file);

}  // namespace vmscope
