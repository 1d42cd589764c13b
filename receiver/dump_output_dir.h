// The directory of one received dump (protocol-spec/dump-wire-protocol.md §11.3):
//     <dumpdir>/<ip>-<YYYY-MM-DD-HH:MM:SS>        receiver's clock, UTC
// with "-2", "-3", … appended when it exists (created with mkdir, so two sessions starting in
// the same second never share one). <ip> comes from the socket, not from the sender's
// assertions, and is checked anyway: letters, digits and ". : % _ -" only, so it cannot leave
// <dumpdir>.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "support/result.h"

namespace vmscope {

// Errors: kInvalidArgument (address), kIo (mkdir failed, or 1000 collisions).
Result<std::filesystem::path> create_dump_directory(const std::filesystem::path& dump_dir,
                                                    const std::string& address,
                                                    std::int64_t utc_seconds);

}  // namespace vmscope
