// `vmscope send --core C|- --to HOST[:PORT] --key FILE [--fec K,M|none] [--compression zstd|lz4]
//  [--rate MB/s] [--datagram N]`: streams an existing dump (any format vmscope reads, or
// /proc/vmcore in a kdump capture kernel, or `-`: stdin, e.g. `makedumpfile -F` — spooled to
// $TMPDIR first) to a dump receiver with the dump wire protocol
// (receiver/dump_sender.h). Prints what was sent; exit 0 when every datagram left, 1 on
// errors, 2 on usage.
#pragma once

#include "app/command_line.h"

namespace vmscope::app {
int run_send(const CommandLine& line);
}  // namespace vmscope::app
