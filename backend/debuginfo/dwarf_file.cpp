#include "debuginfo/dwarf_file.h"

#include <elfutils/libdw.h>

namespace vmscope::debuginfo {

Result<std::unique_ptr<DwarfFile>> DwarfFile::open(const std::string& path) {
  VMSCOPE_TRY(auto elf, ElfFile::open(path));
  std::unique_ptr<DwarfFile> file(new DwarfFile());
  file->dwarf_ = dwarf_begin_elf(elf->elf(), DWARF_C_READ, nullptr);
  if (!file->dwarf_) {
    int err = dwarf_errno();
    // libdw says DWARF_E_NO_DWARF ("no DWARF information") for stripped files.
    return Error(ErrorCode::kNotFound, path + ": no usable DWARF: " + dwarf_errmsg(err),
                 ErrorPayload{.name = path});
  }
  file->elf_ = std::move(elf);
  return file;
}

DwarfFile::~DwarfFile() {
  // The Dwarf* reads through the Elf*, so it goes first.
  if (dwarf_) dwarf_end(dwarf_);
}

}  // namespace vmscope::debuginfo
