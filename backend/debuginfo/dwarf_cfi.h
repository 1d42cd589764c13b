// DWARF call frame information (.debug_frame, else .eh_frame) of a linked image, through
// libdw's dwarf_cfi_addrframe, translated into the unwinder's CfiRow (arch/x86_64_unwinder.h):
// CFA = register + offset, and per register "saved at CFA+N", "is CFA+N", "in register R",
// "same value", "undefined". Rules written as general DWARF expressions come back as
// kUnsupported (the x86_64 kernel does not use them).
//
// The unwinder asks for CFI where no ORC entry covers a pc, and alongside ORC to recover the
// callee-saved registers ORC does not track (function arguments often live in them).
//
// Relocatable modules (.ko) would need their .debug_frame relocated first; only linked files
// (the vmlinux) are supported, and open() says so for others.
//
// Threading: libdw's CFI caches are not thread-safe; every lookup holds this object's mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "arch/x86_64_unwinder.h"
#include "debuginfo/dwarf_file.h"
#include "support/result.h"

typedef struct Dwarf_CFI_s Dwarf_CFI;  // as <elfutils/libdw.h> declares it

namespace vmscope::debuginfo {

class DwarfCfi {
 public:
  // The CFI of `path`, whose link-time addresses inside its image move by `load_offset`.
  // kNotFound when the file has no call frame information, kUnsupported for ET_REL files.
  static Result<std::unique_ptr<DwarfCfi>> open(const std::string& path, std::uint64_t load_offset);
  ~DwarfCfi();
  DwarfCfi(const DwarfCfi&) = delete;
  DwarfCfi& operator=(const DwarfCfi&) = delete;

  // The row covering run-time address `pc`, nullopt when no FDE covers it.
  std::optional<CfiRow> find(std::uint64_t pc) const;

 private:
  DwarfCfi() = default;
  std::unique_ptr<DwarfFile> file_;
  Dwarf_CFI* cfi_ = nullptr;
  bool owns_cfi_ = false;  // .eh_frame CFI must be released; .debug_frame's belongs to Dwarf
  std::uint64_t load_offset_ = 0;
  AddressRange image_;
  mutable std::mutex mutex_;
};

}  // namespace vmscope::debuginfo
