// `vmscope keygen --name NAME [--dir DIR]`: provisions a host for the dump receiver
// (protocol-spec/dump-wire-protocol.md §8). Writes DIR/NAME.vmscope-key (mode 0600, never
// over an existing file): a random nonzero host_id and a 256-bit key from the OS CSPRNG. The
// same file configures the sender (`vmscope send --key`, the kernel module) and is listed in
// the receiver's host table; the line to add there is printed.
#pragma once

#include "app/command_line.h"

namespace vmscope::app {
int run_keygen(const CommandLine& line);
}  // namespace vmscope::app
