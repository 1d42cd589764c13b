#include "dump/open_dump.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "dump/elf_vmcore.h"
#include "dump/kcore.h"

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

Error not_yet(std::string_view what, const std::string& name) {
  return Error(
      ErrorCode::kUnsupported,
      name + " is a " + std::string(what) + " file; this build cannot read that format yet",
      {.name = name});
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
  // Enough for the signatures and the tar hint.
  std::array<std::byte, 512> head_buf{};
  std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(file->size(), head_buf.size()));
  std::span<std::byte> head(head_buf.data(), n);
  VMSCOPE_CHECK(file->read_at(0, head));

  switch (detect_dump_format(head)) {
    case DumpFormat::kElf: return open_elf(std::move(file));
    case DumpFormat::kKdumpCompressed: return not_yet("kdump-compressed", file->name());
    case DumpFormat::kFlattened: return not_yet("makedumpfile flattened", file->name());
    case DumpFormat::kUnknown: break;
  }
  return Error(
      ErrorCode::kUnsupported,
      file->name() + " is not a dump format vmscope knows: " + describe_leading_bytes(head),
      {.name = file->name()});
}

Result<std::unique_ptr<Dump>> open_dump(const std::string& path) {
  VMSCOPE_TRY(auto file, PosixFile::open(path));
  return open_dump(std::unique_ptr<RandomAccessFile>(std::move(file)));
}

}  // namespace vmscope
