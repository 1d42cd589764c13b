#include "debuginfo/line_table.h"

#include <elfutils/libdw.h>

namespace vmscope::debuginfo {

Result<SourceLocation> LineTable::find(std::uint64_t link_address) const {
  std::lock_guard lock(file_->lock());
  Dwarf_Die unit;
  if (!dwarf_addrdie(file_->dwarf(), link_address, &unit)) {
    return Error(ErrorCode::kNotFound, "no compile unit covers the address",
                 ErrorPayload{.address = link_address});
  }
  Dwarf_Line* line = dwarf_getsrc_die(&unit, link_address);
  if (!line) {
    return Error(ErrorCode::kNotFound, "no line information for the address",
                 ErrorPayload{.address = link_address});
  }
  SourceLocation location;
  const char* file = dwarf_linesrc(line, nullptr, nullptr);
  location.file = file ? file : "";
  dwarf_lineno(line, &location.line);
  dwarf_linecol(line, &location.column);
  return location;
}

}  // namespace vmscope::debuginfo
