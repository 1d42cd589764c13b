// kdump-compressed dumps ("KDUMP   ", written by makedumpfile -c/-l/-p/-z and by QEMU's
// dump-guest-memory format=kdump-*), as a Dump.
//
// A pfn's fate is read from the two bitmaps (dump/kdump_header.h describes the layout):
//   in the 2nd bitmap (dumped)          its page descriptor is number rank2(pfn) — found in
//                                       O(1) (dump/kdump_bitmap.h), read from the file
//   in the 1st only                     kPageExcluded (filtered out by makedumpfile -d)
//   in neither                          kAddressNotMapped (not RAM, or past max_mapnr)
//   dumped but outside a split file's   kPageAbsent (that pfn lives in another split file)
//   [start_pfn, end_pfn)
// A descriptor then says where the page's data is and how it is encoded
// (dump/kdump_page_codec.h). Damage is reported per page, with the physical address and the
// file offset in the payload, and never makes other pages unreadable:
//   descriptor or data past the end of the file     kTruncated (kPageAbsent if the header has
//                                                   the incomplete flag: makedumpfile ran out
//                                                   of space and said so)
//   all-zero descriptor                             kPageAbsent in an incomplete dump (never
//                                                   written), kCorrupt otherwise
//   data that does not decode to one page           kCorrupt (kUnsupported: unknown encoding)
// The shared zero page — one raw page of zeros right after the descriptors, which zero pages'
// descriptors point at — is recognised at open (by content) and served without I/O or
// caching. QEMU always writes it; makedumpfile only when the dump level has bit 1 (exclude
// zero pages), for the zero pages it finds while writing (on the fixture's -d 31 dump, 2826
// of them); with -d 0 it stores every zero page compressed on its own.
//
// Decoded pages are kept in a PageCache (dump/page_cache.h: sharded LRU, bounded).
// Notes come from the sub header (version 4+: the ELF notes blob, parsed by dump/elf_notes.h;
// version 3+: the VMCOREINFO text); unreadable notes are problems(), not open failures.
//
// Thread-safety: read() and every const method may be called from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "dump/dump.h"
#include "dump/kdump_bitmap.h"
#include "dump/kdump_header.h"
#include "dump/page_cache.h"
#include "dump/physical_memory.h"
#include "dump/random_access_file.h"
#include "support/result.h"

namespace vmscope {

struct KdumpOptions {
  std::size_t cache_pages = PageCache::kDefaultCapacity;
};

// One page_desc_t.
struct KdumpPageDescriptor {
  std::uint64_t offset = 0;  // file offset of the stored data
  std::uint32_t size = 0;    // stored bytes
  std::uint32_t flags = 0;   // encoding (kKdumpPage*)
  std::uint64_t page_flags = 0;
};

class KdumpCompressedDump final : public Dump {
 public:
  enum class PageState { kNotInMap, kExcluded, kDumped };

  static Result<std::unique_ptr<KdumpCompressedDump>> open(std::unique_ptr<RandomAccessFile> file,
                                                           KdumpOptions options = {});

  const PhysicalMemory& memory() const override { return memory_; }
  const DumpNotes& notes() const override { return notes_; }
  std::string format_name() const override { return "kdump"; }

  const KdumpHeader& header() const { return header_; }
  // Non-fatal findings at open: unreadable or malformed notes, VMCOREINFO disagreements.
  const std::vector<Error>& problems() const override { return problems_; }
  PageState page_state(std::uint64_t pfn) const;
  // Pages with a descriptor in this file.
  std::uint64_t dumped_pages() const { return dumped_pages_; }
  // The descriptor of a dumped pfn (kAddressNotMapped/kPageExcluded/kPageAbsent otherwise).
  Result<KdumpPageDescriptor> descriptor(std::uint64_t pfn) const;
  const PageCache& cache() const { return cache_; }

 private:
  class Memory final : public PhysicalMemory {
   public:
    explicit Memory(const KdumpCompressedDump& dump) : dump_(dump) {}
    Status read(std::uint64_t paddr, std::span<std::byte> out) const override;
    std::vector<PhysicalRange> ranges() const override { return dump_.ranges_; }

   private:
    const KdumpCompressedDump& dump_;
  };

  KdumpCompressedDump(std::unique_ptr<RandomAccessFile> file, KdumpHeader header,
                      KdumpOptions options);
  Status load_bitmaps();
  void load_notes();
  void find_zero_page();
  // Copies bytes [offset, offset + out.size()) of page `pfn` into `out`.
  Status read_page(std::uint64_t pfn, std::size_t offset, std::span<std::byte> out) const;
  Error page_error(ErrorCode code, std::uint64_t pfn, const std::string& why,
                   std::optional<std::uint64_t> file_offset = std::nullopt) const;

  std::unique_ptr<RandomAccessFile> file_;
  KdumpHeader header_;
  PageBitmap in_map_;                        // 1st bitmap
  PageBitmap dumped_;                        // 2nd bitmap
  std::uint64_t first_descriptor_rank_ = 0;  // rank2(start_pfn) for split files, else 0
  std::uint64_t dumped_pages_ = 0;
  std::optional<std::uint64_t> zero_page_offset_;
  std::vector<PhysicalRange> ranges_;
  DumpNotes notes_;
  std::vector<Error> problems_;
  mutable PageCache cache_;
  Memory memory_;
};

// The Dump of a kdump-compressed file (see KdumpCompressedDump). Open errors: those of
// read_kdump_header (kCorrupt, kUnsupported, kTruncated), kLimitExceeded for bitmaps too big
// to hold in memory.
Result<std::unique_ptr<Dump>> open_kdump_compressed(std::unique_ptr<RandomAccessFile> file,
                                                    KdumpOptions options = {});

}  // namespace vmscope
