// `vmscope call [--core C --vmlinux V --debug-dir D] METHOD [JSON-PARAMS]`: runs one protocol
// method in-process, prints its JSON result on stdout (exit 0) or the JSON-RPC error object on
// stderr (exit 1). With --core, the dump is opened first (dump/open) and its dumpId is added to
// the params, so a bot can ask one question without running a server.
#pragma once

#include "app/command_line.h"

namespace vmscope::app {
int run_call(const CommandLine& line);
}  // namespace vmscope::app
