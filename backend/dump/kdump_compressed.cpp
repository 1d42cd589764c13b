#include "dump/kdump_compressed.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "dump/elf_notes.h"
#include "dump/kdump_page_codec.h"
#include "support/hex.h"

namespace vmscope {
namespace {

// One bitmap byte covers 8 pages; 1 GiB of bitmap covers 32 TiB of 4 KiB pages.
constexpr std::uint64_t kMaxBitmapBytes = std::uint64_t{1} << 30;
constexpr std::uint64_t kMaxNotesBytes = std::uint64_t{64} << 20;
constexpr std::uint64_t kMaxVmcoreinfoBytes = std::uint64_t{1} << 20;

template <typename T>
T load_le(const std::byte* p) {
  T value{};
  std::memcpy(&value, p, sizeof value);
  return value;
}

bool all_zero(std::span<const std::byte> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::byte b) { return b == std::byte{0}; });
}

Result<std::vector<std::byte>> read_extent(const RandomAccessFile& file, FileExtent extent,
                                           std::uint64_t limit, const char* what) {
  if (extent.size > limit) {
    return Error(ErrorCode::kLimitExceeded,
                 std::string(what) + " of " + std::to_string(extent.size) + " bytes is over the " +
                     std::to_string(limit) + "-byte limit",
                 {.offset = extent.offset, .name = file.name()});
  }
  if (extent.offset > file.size() || file.size() - extent.offset < extent.size) {
    return Error(ErrorCode::kTruncated,
                 std::string(what) + " at offset " + std::to_string(extent.offset) + " (" +
                     std::to_string(extent.size) + " bytes) runs past the end of the file",
                 {.offset = extent.offset, .name = file.name()});
  }
  std::vector<std::byte> bytes(extent.size);  // allocated only once known to be in the file
  VMSCOPE_CHECK(file.read_at(extent.offset, bytes));
  return bytes;
}

}  // namespace

KdumpCompressedDump::KdumpCompressedDump(std::unique_ptr<RandomAccessFile> file, KdumpHeader header,
                                         KdumpOptions options)
    : file_(std::move(file)),
      header_(std::move(header)),
      cache_(header_.block_size, options.cache_pages),
      memory_(*this) {}

Result<std::unique_ptr<KdumpCompressedDump>> KdumpCompressedDump::open(
    std::unique_ptr<RandomAccessFile> file, KdumpOptions options) {
  VMSCOPE_TRY(KdumpHeader header, read_kdump_header(*file));
  std::unique_ptr<KdumpCompressedDump> dump(
      new KdumpCompressedDump(std::move(file), std::move(header), options));
  VMSCOPE_CHECK(dump->load_bitmaps());
  dump->find_zero_page();
  dump->load_notes();
  return dump;
}

Status KdumpCompressedDump::load_bitmaps() {
  std::uint64_t bytes = (header_.max_mapnr + 7) / 8;  // read_kdump_header: <= bitmap_size()
  if (bytes > kMaxBitmapBytes) {
    return Error(ErrorCode::kLimitExceeded,
                 file_->name() + ": kdump bitmaps of " + std::to_string(bytes) +
                     " bytes each are over the limit",
                 {.offset = header_.bitmap_offset(), .name = file_->name()});
  }
  std::vector<std::byte> buffer(bytes);
  VMSCOPE_CHECK(file_->read_at(header_.bitmap_offset(), buffer));
  in_map_ = PageBitmap(buffer, header_.max_mapnr);
  VMSCOPE_CHECK(file_->read_at(header_.bitmap_offset() + header_.bitmap_size(), buffer));
  dumped_ = PageBitmap(buffer, header_.max_mapnr);

  if (header_.split) {
    first_descriptor_rank_ = dumped_.rank(header_.start_pfn);
    dumped_pages_ = dumped_.rank(header_.end_pfn) - first_descriptor_rank_;
  } else {
    dumped_pages_ = dumped_.popcount();
  }
  for (const PfnRun& run : PageBitmap::united(in_map_, dumped_).runs()) {
    ranges_.push_back({run.first * header_.block_size, run.count * header_.block_size});
  }
  return ok_status();
}

void KdumpCompressedDump::find_zero_page() {
  // Writers put one raw page of zeros first in the data area and point every zero page's
  // descriptor at it. Verified by content, so a dump without it only loses the shortcut.
  std::uint64_t data_start =
      header_.descriptors_offset() + dumped_pages_ * std::uint64_t{kKdumpPageDescSize};
  std::vector<std::byte> page(header_.block_size);
  if (file_->read_at(data_start, page).ok() && all_zero(page)) zero_page_offset_ = data_start;
}

void KdumpCompressedDump::load_notes() {
  if (header_.notes) {
    auto blob = read_extent(*file_, *header_.notes, kMaxNotesBytes, "ELF notes");
    if (!blob.ok()) {
      problems_.push_back(blob.error().with_context("kdump ELF notes unreadable"));
    } else {
      ElfNoteList list = parse_elf_notes(*blob, header_.notes->offset);
      if (list.stopped) problems_.push_back(*list.stopped);
      collect_dump_notes(list.notes, notes_, problems_);
    }
  }
  if (header_.vmcoreinfo) {
    auto text = read_extent(*file_, *header_.vmcoreinfo, kMaxVmcoreinfoBytes, "VMCOREINFO");
    if (!text.ok()) {
      problems_.push_back(text.error().with_context("kdump VMCOREINFO unreadable"));
      return;
    }
    std::string vmcoreinfo(reinterpret_cast<const char*>(text->data()), text->size());
    while (!vmcoreinfo.empty() && vmcoreinfo.back() == '\0') vmcoreinfo.pop_back();
    if (!notes_.vmcoreinfo) {
      notes_.vmcoreinfo = std::move(vmcoreinfo);
    } else if (*notes_.vmcoreinfo != vmcoreinfo) {
      problems_.emplace_back(ErrorCode::kCorrupt,
                             "the sub header's VMCOREINFO differs from the VMCOREINFO note; "
                             "using the note",
                             ErrorPayload{.offset = header_.vmcoreinfo->offset});
    }
  }
}

KdumpCompressedDump::PageState KdumpCompressedDump::page_state(std::uint64_t pfn) const {
  if (dumped_.test(pfn)) return PageState::kDumped;
  if (in_map_.test(pfn)) return PageState::kExcluded;
  return PageState::kNotInMap;
}

Error KdumpCompressedDump::page_error(ErrorCode code, std::uint64_t pfn, const std::string& why,
                                      std::optional<std::uint64_t> file_offset) const {
  std::uint64_t paddr = pfn * header_.block_size;
  return Error(code, "physical page " + hex_u64(paddr) + " (pfn " + hex_u64(pfn) + "): " + why,
               {.address = paddr, .physical = paddr, .offset = file_offset, .name = file_->name()});
}

Result<KdumpPageDescriptor> KdumpCompressedDump::descriptor(std::uint64_t pfn) const {
  switch (page_state(pfn)) {
    case PageState::kNotInMap:
      return page_error(ErrorCode::kAddressNotMapped, pfn, "not in the dump's memory map");
    case PageState::kExcluded:
      return page_error(ErrorCode::kPageExcluded, pfn, "excluded from the dump (filtered)");
    case PageState::kDumped: break;
  }
  if (header_.split && (pfn < header_.start_pfn || pfn >= header_.end_pfn)) {
    return page_error(ErrorCode::kPageAbsent, pfn, "stored in another file of this split dump");
  }
  std::uint64_t index = dumped_.rank(pfn) - first_descriptor_rank_;
  std::uint64_t at = header_.descriptors_offset() + index * kKdumpPageDescSize;
  std::array<std::byte, kKdumpPageDescSize> raw{};
  Status read = file_->read_at(at, raw);
  if (!read.ok()) {
    if (read.error().code() != ErrorCode::kTruncated) return read.error();
    if (header_.incomplete()) {
      return page_error(ErrorCode::kPageAbsent, pfn,
                        "never written: the dump is marked incomplete and ends before its "
                        "descriptor",
                        at);
    }
    return page_error(ErrorCode::kTruncated, pfn,
                      "the file ends before its page descriptor at offset " + hex_u64(at), at);
  }
  KdumpPageDescriptor desc{
      load_le<std::uint64_t>(raw.data()), load_le<std::uint32_t>(raw.data() + 8),
      load_le<std::uint32_t>(raw.data() + 12), load_le<std::uint64_t>(raw.data() + 16)};
  if (desc.offset == 0 && desc.size == 0) {
    if (header_.incomplete()) {
      return page_error(ErrorCode::kPageAbsent, pfn,
                        "never written: the dump is marked incomplete and its descriptor is "
                        "empty",
                        at);
    }
    return page_error(ErrorCode::kCorrupt, pfn, "empty page descriptor in a complete dump", at);
  }
  return desc;
}

Status KdumpCompressedDump::read_page(std::uint64_t pfn, std::size_t offset,
                                      std::span<std::byte> out) const {
  if (cache_.copy_out(pfn, offset, out)) return ok_status();
  VMSCOPE_TRY(KdumpPageDescriptor desc, descriptor(pfn));
  const std::uint32_t page_size = header_.block_size;
  if (zero_page_offset_ && desc.offset == *zero_page_offset_ && desc.size == page_size &&
      kdump_page_encoding(desc.flags) == 0) {
    std::memset(out.data(), 0, out.size());
    return ok_status();
  }
  if (desc.size == 0 || desc.size > page_size) {
    return page_error(ErrorCode::kCorrupt, pfn,
                      "stored size " + std::to_string(desc.size) + " for a page of " +
                          std::to_string(page_size) + " bytes",
                      desc.offset);
  }
  if (desc.offset > file_->size() || file_->size() - desc.offset < desc.size) {
    ErrorCode code = header_.incomplete() ? ErrorCode::kPageAbsent : ErrorCode::kTruncated;
    return page_error(code, pfn,
                      "its data at offset " + hex_u64(desc.offset) + " (" +
                          std::to_string(desc.size) + " bytes) is past the end of the file",
                      desc.offset);
  }
  std::vector<std::byte> stored(desc.size);
  Status read = file_->read_at(desc.offset, stored);
  if (!read.ok()) {
    return page_error(read.error().code(), pfn, read.error().message(), desc.offset);
  }
  std::vector<std::byte> page(page_size);
  Status decoded = decode_kdump_page(desc.flags, stored, page);
  if (!decoded.ok()) {
    return page_error(decoded.error().code(), pfn, decoded.error().message(), desc.offset);
  }
  cache_.insert(pfn, page);
  std::memcpy(out.data(), page.data() + offset, out.size());
  return ok_status();
}

Status KdumpCompressedDump::Memory::read(std::uint64_t paddr, std::span<std::byte> out) const {
  const std::uint64_t page_size = dump_.header_.block_size;
  if (paddr > UINT64_MAX - out.size()) {
    return Error(ErrorCode::kAddressNotMapped, "read wraps around the physical address space",
                 {.address = paddr, .physical = paddr});
  }
  std::size_t done = 0;
  // Bounded by out.size(): every turn fills at least one byte.
  while (done < out.size()) {
    std::uint64_t at = paddr + done;
    std::size_t within = static_cast<std::size_t>(at % page_size);
    std::size_t n = std::min<std::size_t>(page_size - within, out.size() - done);
    Status page = dump_.read_page(at / page_size, within, out.subspan(done, n));
    if (!page.ok()) {
      Error error = std::move(page).error();
      error.payload().address = at;  // the exact byte that could not be read
      error.payload().physical = at;
      return error;
    }
    done += n;
  }
  return ok_status();
}

Result<std::unique_ptr<Dump>> open_kdump_compressed(std::unique_ptr<RandomAccessFile> file,
                                                    KdumpOptions options) {
  VMSCOPE_TRY(auto dump, KdumpCompressedDump::open(std::move(file), options));
  return std::unique_ptr<Dump>(std::move(dump));
}

}  // namespace vmscope
