// Address -> source file:line through the DWARF line programs, read lazily: .debug_aranges
// finds the compile unit (libdw sorts it on first use), and libdw decodes that unit's line
// program on the first query into it and keeps it. Addresses are link-time.
//
// Threading: safe; libdw is used under the DwarfFile's lock.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "debuginfo/dwarf_file.h"
#include "support/result.h"

namespace vmscope::debuginfo {

struct SourceLocation {
  std::string file;  // as the line program names it (absolute for kernels built in-tree)
  int line = 0;
  int column = 0;  // 0 when unknown
};

class LineTable {
 public:
  explicit LineTable(std::shared_ptr<const DwarfFile> file) : file_(std::move(file)) {}
  // kNotFound (payload address) when no unit or line row covers the address.
  Result<SourceLocation> find(std::uint64_t link_address) const;

 private:
  std::shared_ptr<const DwarfFile> file_;
};

}  // namespace vmscope::debuginfo
