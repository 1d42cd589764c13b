// Writes a kdump-compressed file ("KDUMP   ", header version 6, the layout of
// dump/kdump_header.h) incrementally, while a dump arrives, so that whatever has arrived is on
// disk and readable at every moment (protocol-spec/dump-wire-protocol.md §11.3):
//
//   block 0          main header: status DUMP_DH_COMPRESSED_INCOMPLETE until finish(true)
//   block 1          sub header (phys_base, dump level, VMCOREINFO and notes extents, 64-bit
//                    pfn fields)
//   bitmap blocks    1st bitmap (in the memory map), 2nd bitmap (dumped); both all ones over
//                    [0, max_pfn) until the layout is known
//   descriptors      24 bytes per dumped pfn, at the pfn's rank in the 2nd bitmap; room is
//                    reserved for max_pfn of them (the unused tail stays a sparse hole), and
//                    every one starts all zero, which a reader of an incomplete dump reports
//                    as an absent page
//   data             a shared zero page first, then page data, VMCOREINFO and notes, appended
//                    in arrival order
//
// The descriptor index of a pfn is its rank in the 2nd bitmap, known only once the layout is:
//   set_layout(memory map, dumpable)   writes both bitmaps; descriptors kept until then are
//                                      written at their ranks
//   freeze_layout()                    keeps the all-ones layout (index = pfn), for a dump
//                                      whose META never completed
// Until either, descriptors are kept in memory (at most max_pending_descriptors; past that the
// layout is frozen automatically). A descriptor is always written after its data.
//
// Writes are buffered (page data up to buffer_bytes, descriptors coalesced into runs) and reach
// the file on flush(), finish(), or when the buffer fills. A failed write (ENOSPC included)
// puts the writer in a failed state: what was written stays valid and readable, later pages are
// refused, and finish() still rewrites the header. Files are created mode 0600 (a dump holds
// secrets) and never overwritten.
//
// Not thread-safe: one owner (the receiver's writer thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dump/kdump_bitmap.h"
#include "receiver/dump_meta_blob.h"
#include "support/result.h"

namespace vmscope {

struct KdumpWriterConfig {
  std::uint32_t page_size = 4096;
  std::uint64_t max_pfn = 0;
  std::uint64_t phys_base = 0;
  std::int32_t nr_cpus = 0;
  std::int32_t dump_level = 0;
  dumpwire::Utsname utsname;             // release and machine at least; completed by set_utsname()
  std::int64_t timestamp = 0;            // seconds since 1970 (the receiver's clock)
  std::uint32_t compression_status = 0;  // DUMP_DH_COMPRESSED_* bits of the encodings used
  std::size_t buffer_bytes = std::size_t{4} << 20;
  std::size_t max_pending_descriptors = std::size_t{1} << 20;
  std::uint64_t max_bitmap_bytes = std::uint64_t{1} << 30;
};

struct KdumpWriterStats {
  std::uint64_t pages = 0;       // descriptors placed (data pages and zero pages)
  std::uint64_t zero_pages = 0;  // pointing at the shared zero page
  std::uint64_t file_bytes = 0;  // bytes written to the file (headers, bitmaps, data)
  std::uint64_t flushes = 0;
};

class KdumpWriter {
 public:
  // Creates `path` (must not exist) and writes the headers, all-ones bitmaps and the zero page.
  // Errors: kInvalidArgument (page size, max_pfn), kLimitExceeded (bitmaps too large), kIo.
  static Result<std::unique_ptr<KdumpWriter>> create(const std::filesystem::path& path,
                                                     KdumpWriterConfig config);
  ~KdumpWriter();
  KdumpWriter(const KdumpWriter&) = delete;
  KdumpWriter& operator=(const KdumpWriter&) = delete;

  // The 1st bitmap from `memory_map`, the 2nd from `dumpable` (sorted, disjoint, below
  // max_pfn). kInvalidArgument if the layout is already set or frozen, or ranges are bad.
  // Kept descriptors of pfns that are not dumpable are dropped and counted in the result.
  Result<std::uint64_t> set_layout(std::span<const dumpwire::PfnRange> memory_map,
                                   std::span<const dumpwire::PfnRange> dumpable);
  Status freeze_layout();
  bool layout_known() const { return layout_ != Layout::kPending; }
  bool layout_frozen() const { return layout_ == Layout::kFrozen; }
  // Whether `pfn` may be placed: inside [0, max_pfn), and in the 2nd bitmap once it is known.
  bool accepts(std::uint64_t pfn) const {
    return pfn < config_.max_pfn && (layout_ != Layout::kKnown || dumpable_.test(pfn));
  }

  // Appends VMCOREINFO and the ELF notes and points the sub header at them (once each).
  Status set_vmcoreinfo(std::string_view text);
  Status set_notes(std::span<const std::byte> notes);
  Status set_utsname(const dumpwire::Utsname& utsname);

  // A page's stored form and its page_desc flags (0 raw, else exactly one kKdumpPage* bit):
  // raw pages are page_size bytes, encoded ones 1..page_size-1. kInvalidArgument for sizes,
  // for a pfn outside [0, max_pfn) or not dumpable under the layout; kIo after a failure.
  Status add_page(std::uint64_t pfn, std::uint32_t flags, std::span<const std::byte> stored);
  Status add_zero_page(std::uint64_t pfn);

  Status flush();
  // Flushes, then writes the header: the incomplete flag is cleared only if `complete`.
  // Then fdatasync. Safe to call after a failure (the header block is already allocated).
  Status finish(bool complete);

  bool failed() const { return failure_.has_value(); }
  // True if the failure was the disk or a size limit (ENOSPC, EDQUOT, EFBIG).
  bool out_of_space() const { return out_of_space_; }
  const std::optional<Error>& failure() const { return failure_; }
  const KdumpWriterStats& stats() const { return stats_; }
  std::uint64_t descriptors_offset() const { return descriptors_offset_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  enum class Layout { kPending, kKnown, kFrozen };
  struct Descriptor {
    std::uint64_t offset = 0;
    std::uint32_t size = 0;
    std::uint32_t flags = 0;
  };

  KdumpWriter(int fd, std::filesystem::path path, KdumpWriterConfig config);
  Status write_at(std::uint64_t offset, std::span<const std::byte> bytes);
  Status write_headers();
  Status write_bitmap(std::uint64_t offset, std::span<const dumpwire::PfnRange> ranges,
                      bool all_ones);
  Status place(std::uint64_t pfn, Descriptor descriptor);
  Status append_data(std::span<const std::byte> bytes, std::uint64_t& offset);
  Status flush_data();
  Status flush_descriptors();
  Status fail(Error error);

  int fd_;
  std::filesystem::path path_;
  KdumpWriterConfig config_;
  std::uint64_t bitmap_bytes_ = 0;   // one bitmap, rounded to blocks
  std::uint32_t bitmap_blocks_ = 0;  // both bitmaps
  std::uint64_t descriptors_offset_ = 0;
  std::uint64_t zero_page_offset_ = 0;
  std::uint64_t data_end_ = 0;  // file offset after the last appended byte (buffer included)
  Layout layout_ = Layout::kPending;
  PageBitmap dumpable_;                          // with layout kKnown
  std::map<std::uint64_t, Descriptor> pending_;  // by pfn, until the layout is known
  std::vector<std::pair<std::uint64_t, Descriptor>> unwritten_;  // by index, after the data
  std::vector<std::byte> buffer_;  // data not yet written, starting at buffer_offset_
  std::uint64_t buffer_offset_ = 0;
  std::optional<std::pair<std::uint64_t, std::uint64_t>> vmcoreinfo_, notes_;  // offset, size
  std::uint32_t status_encodings_ = 0;
  bool complete_ = false;  // the header says complete (after finish(true))
  std::optional<Error> failure_;
  bool out_of_space_ = false;
  KdumpWriterStats stats_;
};

}  // namespace vmscope
