// An ELF file with its DWARF opened through libdw (DWARF 4 and 5).
//
// Threading: libdw fills caches lazily inside a Dwarf* (abbreviations, CU lists, line tables)
// without locks, so every use of dwarf() must hold lock(). The lock is recursive because type
// construction re-enters itself (a member's type is built while its struct is being built).
// Workers that want parallelism open their own DwarfFile of the same path instead.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "debuginfo/elf_file.h"
#include "support/result.h"

typedef struct Dwarf Dwarf;  // libdw's opaque handle, as <elfutils/libdw.h> declares it

namespace vmscope::debuginfo {

class DwarfFile {
 public:
  // kNotFound if the file has no DWARF (.debug_info) at all.
  static Result<std::unique_ptr<DwarfFile>> open(const std::string& path);
  ~DwarfFile();
  DwarfFile(const DwarfFile&) = delete;
  DwarfFile& operator=(const DwarfFile&) = delete;

  const ElfFile& elf() const { return *elf_; }
  Dwarf* dwarf() const { return dwarf_; }
  std::recursive_mutex& lock() const { return mutex_; }

 private:
  DwarfFile() = default;
  std::unique_ptr<ElfFile> elf_;
  Dwarf* dwarf_ = nullptr;
  mutable std::recursive_mutex mutex_;
};

}  // namespace vmscope::debuginfo
