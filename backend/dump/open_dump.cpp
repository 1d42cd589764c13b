#include "dump/open_dump.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

#include "dump/elf_vmcore.h"
#include "dump/flattened_file.h"
#include "dump/kcore.h"
#include "dump/kdump_compressed.h"

namespace vmscope {
namespace {

bool starts_with(std::span<const std::byte> head, std::string_view signature) {
  return head.size() >= signature.size() &&
         std::memcmp(head.data(), signature.data(), signature.size()) == 0;
}

// Formats people hand over by mistake, and what to do about them.
std::string_view hint_for(std::span<const std::byte> head) {
  if (starts_with(head, "\x1f\x8b")) return "gzip-compressed: decompress it first";
  if (starts_with(head,
                  "\xfd"
                  "7zXZ"))
    return "xz-compressed: decompress it first";
  if (starts_with(head, "\x28\xb5\x2f\xfd")) return "zstd-compressed: decompress it first";
  if (starts_with(head, "BZh")) return "bzip2-compressed: decompress it first";
  if (starts_with(head, "\x89\x4c\x5a\x4f")) return "lzop-compressed: decompress it first";
  if (starts_with(head, "PK\x03\x04")) return "a zip archive: extract the dump first";
  if (head.size() > 0x107 && std::memcmp(head.data() + 0x101, "ustar", 5) == 0) {
    return "a tar archive: extract the dump first";
  }
  if (starts_with(head, "PAGEDUMP") || starts_with(head, "PAGEDU64")) {
    return "a Windows crash dump";
  }
  return {};
}

Result<std::unique_ptr<Dump>> open_elf(std::unique_ptr<RandomAccessFile> file) {
  VMSCOPE_TRY(auto header, read_elf_core_header(*file));
  if (looks_like_kcore(header)) {
    VMSCOPE_TRY(auto kcore, Kcore::open(std::move(file), std::move(header)));
    return std::unique_ptr<Dump>(std::move(kcore));
  }
  VMSCOPE_TRY(auto vmcore, ElfVmcore::open(std::move(file), std::move(header)));
  return std::unique_ptr<Dump>(std::move(vmcore));
}

// Enough for the signatures and the tar hint.
constexpr std::size_t kHeadBytes = 512;

Result<std::vector<std::byte>> read_head(const RandomAccessFile& file) {
  std::vector<std::byte> head(
      static_cast<std::size_t>(std::min<std::uint64_t>(file.size(), kHeadBytes)));
  VMSCOPE_CHECK(file.read_at(0, head));
  return head;
}

Error unknown_format(const std::string& name, std::span<const std::byte> head,
                     std::string_view inside = {}) {
  return Error(ErrorCode::kUnsupported,
               name + std::string(inside) +
                   " is not a dump format vmscope knows: " + describe_leading_bytes(head),
               {.name = name});
}

// A flattened stream holds a rearranged file: kdump-compressed from QEMU and makedumpfile -F,
// ELF from makedumpfile -E -F.
Result<std::unique_ptr<Dump>> open_flattened_dump(std::unique_ptr<RandomAccessFile> stream) {
  std::string name = stream->name();
  VMSCOPE_TRY(auto rearranged, open_flattened(std::move(stream)));
  VMSCOPE_TRY(auto head, read_head(*rearranged));
  switch (detect_dump_format(head)) {
    case DumpFormat::kElf: return open_elf(std::move(rearranged));
    case DumpFormat::kKdumpCompressed: return open_kdump_compressed(std::move(rearranged));
    case DumpFormat::kFlattened:
      return Error(ErrorCode::kCorrupt, name + " is a flattened stream holding another one",
                   {.name = name});
    case DumpFormat::kUnknown: break;
  }
  return unknown_format(name, head, " (inside its flattened stream)");
}

}  // namespace

DumpFormat detect_dump_format(std::span<const std::byte> head) {
  if (starts_with(head,
                  "\x7f"
                  "ELF"))
    return DumpFormat::kElf;
  if (starts_with(head, "KDUMP   ") || starts_with(head, "DISKDUMP")) {
    return DumpFormat::kKdumpCompressed;
  }
  // The flattened header's signature field is 16 bytes: "makedumpfile" and NUL padding.
  if (starts_with(head, std::string_view("makedumpfile\0\0\0\0", 16))) {
    return DumpFormat::kFlattened;
  }
  return DumpFormat::kUnknown;
}

std::string describe_leading_bytes(std::span<const std::byte> head) {
  if (head.empty()) return "the file is empty";
  std::size_t n = std::min<std::size_t>(head.size(), kDumpSignatureBytes);
  std::string hex, text;
  for (std::size_t i = 0; i < n; ++i) {
    char buf[4];
    auto b = static_cast<unsigned char>(head[i]);
    std::snprintf(buf, sizeof buf, "%s%02x", i ? " " : "", b);
    hex += buf;
    text += (b >= 0x20 && b < 0x7f) ? static_cast<char>(b) : '.';
  }
  std::string described = "first bytes " + hex + " (\"" + text + "\")";
  if (auto hint = hint_for(head); !hint.empty()) described += ": " + std::string(hint);
  return described;
}

Result<std::unique_ptr<Dump>> open_dump(std::unique_ptr<RandomAccessFile> file) {
  VMSCOPE_TRY(auto head, read_head(*file));
  switch (detect_dump_format(head)) {
    case DumpFormat::kElf: return open_elf(std::move(file));
    case DumpFormat::kKdumpCompressed: return open_kdump_compressed(std::move(file));
    case DumpFormat::kFlattened: return open_flattened_dump(std::move(file));
    case DumpFormat::kUnknown: break;
  }
  return unknown_format(file->name(), head);
}

Result<std::unique_ptr<Dump>> open_dump(const std::string& path) {
  VMSCOPE_TRY(auto file, PosixFile::open(path));
  return open_dump(std::unique_ptr<RandomAccessFile>(std::move(file)));
}

}  // namespace vmscope
