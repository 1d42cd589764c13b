#include "program/walk.h"

#include <string>

#include "debuginfo/type_layout.h"
#include "support/hex.h"

namespace vmscope {

Error loop_detected(std::string_view structure, std::uint64_t node) {
  return Error(ErrorCode::kLoopDetected,
               std::string(structure) + " loops: node " + hex_u64(node) + " was already visited",
               {.address = node});
}

Error limit_exceeded(std::string_view structure, std::size_t max_entries) {
  return Error(ErrorCode::kLimitExceeded, std::string(structure) + " has more than " +
                                              std::to_string(max_entries) +
                                              " entries; stopped there");
}

Result<std::uint64_t> member_offset(const NameLookup& names, std::string_view type_name,
                                    std::string_view designator) {
  VMSCOPE_TRY(debuginfo::QualifiedType type, names.find_type(type_name));
  return debuginfo::offset_of(type, designator);
}

}  // namespace vmscope
