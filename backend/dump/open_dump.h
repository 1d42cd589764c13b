// Opening a dump file of any supported format, chosen from its content (never its name).
//
//   "\x7fELF"                     ELF core: a vmcore (dump/elf_vmcore.h), or /proc/kcore
//                                 when its program headers say so (dump/kcore.h)
//   "KDUMP   " / "DISKDUMP"       kdump-compressed (makedumpfile -c/-l/-p/-z, QEMU kdump-*)
//   "makedumpfile\0…" (16 bytes)  makedumpfile's flattened stream (-F, QEMU's kdump output):
//                                 indexed in place (dump/flattened_file.h), then the file it
//                                 encodes is detected again: kdump-compressed, or ELF (-E -F)
// Anything else is kUnsupported, with the first bytes described (and a hint for files that are
// merely compressed, such as a gzip'd vmcore).
//
// Adding a format: a signature case in detect_dump_format() and one branch in open_dump().
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "dump/dump.h"
#include "dump/random_access_file.h"
#include "support/result.h"

namespace vmscope {

enum class DumpFormat { kElf, kKdumpCompressed, kFlattened, kUnknown };

// How many leading bytes detect_dump_format() looks at (fewer is fine for short files).
inline constexpr std::size_t kDumpSignatureBytes = 16;

DumpFormat detect_dump_format(std::span<const std::byte> head);

// "7f 45 4c 46 … ("\x7fELF…")" plus a hint when the bytes are a known non-dump format.
std::string describe_leading_bytes(std::span<const std::byte> head);

Result<std::unique_ptr<Dump>> open_dump(std::unique_ptr<RandomAccessFile> file);
Result<std::unique_ptr<Dump>> open_dump(const std::string& path);

}  // namespace vmscope
