#include "dump/kdump_header.h"

#include <array>
#include <cstring>
#include <vector>

namespace vmscope {
namespace {

constexpr char kSignature[8] = {'K', 'D', 'U', 'M', 'P', ' ', ' ', ' '};
// Versions are small integers (makedumpfile writes 6); anything huge is not this layout,
// typically a big-endian header read as little-endian.
constexpr std::int32_t kMaxPlausibleVersion = 1000;
constexpr std::uint32_t kMinBlockSize = 1024;
constexpr std::uint32_t kMaxBlockSize = 256 * 1024;

template <typename T>
T load_le(std::span<const std::byte> bytes, std::size_t offset) {
  T value{};
  std::memcpy(&value, bytes.data() + offset, sizeof value);  // x86_64 and arm64: little-endian
  return value;
}

std::string fixed_string(std::span<const std::byte> bytes, std::size_t offset, std::size_t size) {
  const char* begin = reinterpret_cast<const char*>(bytes.data() + offset);
  return std::string(begin, strnlen(begin, size));
}

// How many bytes of kdump_sub_header a given header version defines.
std::size_t sub_header_bytes(std::int32_t version) {
  using namespace kdump_layout;
  if (version >= 6) return kKdumpSubHeaderSize;
  if (version >= 5) return kStartPfn64;
  if (version >= 4) return kOffsetEraseinfo;
  if (version >= 3) return kOffsetNote;
  if (version >= 2) return kOffsetVmcoreinfo;
  return kSplit;
}

std::optional<FileExtent> extent_if_any(std::span<const std::byte> sub, std::size_t offset_at,
                                        std::size_t size_at) {
  FileExtent extent{load_le<std::uint64_t>(sub, offset_at), load_le<std::uint64_t>(sub, size_at)};
  if (extent.size == 0) return std::nullopt;
  return extent;
}

bool is_power_of_two(std::uint32_t v) {
  return v != 0 && (v & (v - 1)) == 0;
}

}  // namespace

bool looks_kdump_compressed(std::span<const std::byte> head) {
  return head.size() >= sizeof kSignature &&
         std::memcmp(head.data(), kSignature, sizeof kSignature) == 0;
}

Result<KdumpHeader> read_kdump_header(const RandomAccessFile& file) {
  using namespace kdump_layout;
  const std::string& name = file.name();
  std::array<std::byte, kKdumpMainHeaderSize> main{};
  if (file.size() < main.size()) {
    return Error(ErrorCode::kTruncated, name + ": file ends inside the kdump header",
                 {.offset = file.size(), .name = name});
  }
  VMSCOPE_CHECK(file.read_at(0, main));
  if (std::memcmp(main.data(), "DISKDUMP", 8) == 0) {
    return Error(ErrorCode::kUnsupported,
                 name + ": the old Red Hat diskdump format (DISKDUMP) is not supported",
                 {.offset = 0, .name = name});
  }
  if (!looks_kdump_compressed(main)) {
    return Error(ErrorCode::kCorrupt, name + ": no KDUMP signature", {.offset = 0, .name = name});
  }

  KdumpHeader h;
  h.header_version = load_le<std::int32_t>(main, kHeaderVersion);
  if (h.header_version < 1 || h.header_version > kMaxPlausibleVersion) {
    return Error(ErrorCode::kUnsupported,
                 name + ": unsupported kdump header version " + std::to_string(h.header_version) +
                     " (expected a 64-bit little-endian header, version 1 or later)",
                 {.offset = kHeaderVersion, .name = name});
  }
  h.release = fixed_string(main, kUtsname + 2 * kUtsFieldSize, kUtsFieldSize);
  h.machine = fixed_string(main, kUtsname + 4 * kUtsFieldSize, kUtsFieldSize);
  h.status = load_le<std::uint32_t>(main, kStatus);
  auto block_size = load_le<std::int32_t>(main, kBlockSize);
  auto sub_hdr_size = load_le<std::int32_t>(main, kSubHdrSize);
  h.bitmap_blocks = load_le<std::uint32_t>(main, kBitmapBlocks);
  h.nr_cpus = load_le<std::int32_t>(main, kNrCpus);
  if (block_size < 0 || !is_power_of_two(static_cast<std::uint32_t>(block_size)) ||
      static_cast<std::uint32_t>(block_size) < kMinBlockSize ||
      static_cast<std::uint32_t>(block_size) > kMaxBlockSize) {
    return Error(ErrorCode::kCorrupt,
                 name + ": impossible kdump block size " + std::to_string(block_size),
                 {.offset = kBlockSize, .name = name});
  }
  h.block_size = static_cast<std::uint32_t>(block_size);
  if (sub_hdr_size < 1) {
    return Error(ErrorCode::kCorrupt,
                 name + ": kdump sub header size " + std::to_string(sub_hdr_size) +
                     " blocks (at least 1 expected)",
                 {.offset = kSubHdrSize, .name = name});
  }
  h.sub_hdr_size = static_cast<std::uint32_t>(sub_hdr_size);

  // The sub header: only the fields this version defines.
  std::size_t sub_bytes = sub_header_bytes(h.header_version);
  std::uint64_t sub_offset = h.block_size;
  if (file.size() < sub_offset + sub_bytes) {
    return Error(ErrorCode::kTruncated, name + ": file ends inside the kdump sub header",
                 {.offset = file.size(), .name = name});
  }
  std::vector<std::byte> sub(kKdumpSubHeaderSize);
  VMSCOPE_CHECK(file.read_at(sub_offset, std::span(sub.data(), sub_bytes)));
  h.phys_base = load_le<std::uint64_t>(sub, kPhysBase);
  h.dump_level = load_le<std::int32_t>(sub, kDumpLevel);
  h.max_mapnr = load_le<std::uint32_t>(main, kMaxMapnr);
  if (h.header_version >= 2) {
    h.split = load_le<std::int32_t>(sub, kSplit) != 0;
    h.start_pfn = load_le<std::uint64_t>(sub, kStartPfn);
    h.end_pfn = load_le<std::uint64_t>(sub, kEndPfn);
  }
  if (h.header_version >= 3) h.vmcoreinfo = extent_if_any(sub, kOffsetVmcoreinfo, kSizeVmcoreinfo);
  if (h.header_version >= 4) h.notes = extent_if_any(sub, kOffsetNote, kSizeNote);
  if (h.header_version >= 5) h.eraseinfo = extent_if_any(sub, kOffsetEraseinfo, kSizeEraseinfo);
  if (h.header_version >= 6) {
    h.start_pfn = load_le<std::uint64_t>(sub, kStartPfn64);
    h.end_pfn = load_le<std::uint64_t>(sub, kEndPfn64);
    h.max_mapnr = load_le<std::uint64_t>(sub, kMaxMapnr64);
  }

  if (h.split && h.start_pfn > h.end_pfn) {
    return Error(ErrorCode::kCorrupt,
                 name + ": split dump with start pfn " + std::to_string(h.start_pfn) +
                     " after end pfn " + std::to_string(h.end_pfn),
                 {.offset = sub_offset + kStartPfn, .name = name});
  }
  if (h.max_mapnr > h.bitmap_size() * 8) {
    return Error(ErrorCode::kCorrupt,
                 name + ": bitmaps of " + std::to_string(h.bitmap_size()) +
                     " bytes cannot cover max_mapnr " + std::to_string(h.max_mapnr),
                 {.offset = kBitmapBlocks, .name = name});
  }
  if (h.descriptors_offset() > file.size()) {
    return Error(ErrorCode::kTruncated,
                 name + ": file ends inside the kdump bitmaps (they end at offset " +
                     std::to_string(h.descriptors_offset()) + ")",
                 {.offset = file.size(), .name = name});
  }
  return h;
}

}  // namespace vmscope
