#include "program/program.h"

#include <string>

namespace vmscope {

Result<const debuginfo::DebugInfo*> Program::require_debug_info(std::string_view what) const {
  if (debug_info_) return debug_info_.get();
  return Error(ErrorCode::kNotFound,
               std::string(what) +
                   " needs the kernel's debug info: open the dump with a vmlinux "
                   "(or a debug directory holding it)",
               {.name = "vmlinux"});
}

}  // namespace vmscope
