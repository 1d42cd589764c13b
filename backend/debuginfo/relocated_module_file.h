// A kernel module's debug file (.ko, ET_REL) with its DWARF relocations applied, written as a
// copy that libdw can read like any linked file.
//
// Why a copy: libdw reads the sections of an ET_REL file as they are, and in a .ko every
// reference from .debug_info to .debug_str/.debug_abbrev/.debug_line and every address
// (DW_AT_low_pc, DW_OP_addr, line-program addresses) is a zero waiting for its .rela.debug_*
// entry. libdwfl applies them, but our DWARF index, types and line tables open files by path
// (the index builder opens one DwarfFile per worker), so the relocated bytes must live in a file.
//
// The layout is synthetic and depends only on the file, so the copy and its DWARF index can be
// cached by build-id and shared by every dump: SHF_ALLOC section number `i` is placed at
// `i << 32`, and a link address `(i << 32) + offset` in the copy's DWARF names a section and an
// offset without ambiguity (also at a section's end). ModuleDebugInfo maps these to the run-time
// addresses the dump's struct module gives each section.
//
// x86_64 only (R_X86_64_64, _32, _32S, _PC32, _PC64, _NONE: what GCC emits into debug
// sections). Compressed debug sections (SHF_COMPRESSED) are refused as unsupported. The file is
// untrusted: every header, offset and index is checked.
//
// Threading: free functions; concurrent calls for the same file write to distinct temporary
// names and rename into place, so readers never see a partial file.
#pragma once

#include <cstdint>
#include <string>

#include "support/result.h"

namespace vmscope::debuginfo {

constexpr unsigned kModuleSectionShift = 32;
constexpr std::uint64_t module_section_link_address(std::uint64_t section_index) {
  return section_index << kModuleSectionShift;
}

struct RelocationStats {
  std::uint64_t applied = 0;
  std::uint64_t unsupported = 0;  // relocation types left as they were
  std::uint64_t overflowed = 0;   // 32-bit fields whose value did not fit
};

struct RelocatedModuleFile {
  std::string path;       // the relocated copy
  bool reused = false;    // found already written in the directory
  RelocationStats stats;  // zero when reused
};

// Writes (or reuses) the relocated copy of `ko_path` in `directory` (created if missing), named
// after the file's build-id (or its path when it has none) and size.
Result<RelocatedModuleFile> relocate_module_debug_file(const std::string& ko_path,
                                                       const std::string& directory);

// The same, applied to bytes in memory (tests; fuzzing).
Result<RelocationStats> relocate_module_debug_sections(std::string& elf_bytes);

}  // namespace vmscope::debuginfo
