// `vmscope report`: the triage report of one dump, for CI bots and people.
//
//   vmscope report --core C [--vmlinux V] [--debug-dir D] [--format json|text] [--log-lines N]
//
// Opens the dump in-process, calls triage/report (protocol-spec/openrpc.json) and prints its
// result: as JSON (the default; exactly the method's result) or as text for a terminal or a
// bug report. Exit 0 with the report on stdout; 1 with the JSON-RPC error on stderr when the
// dump cannot be opened or triaged; 2 for a usage error.
#pragma once

#include <string>

#include "app/command_line.h"
#include "rpc/json.h"

namespace vmscope::app {

int run_report(const CommandLine& line);

// The text form of a triage/report result.
std::string render_report_text(const rpc::Json& report);

}  // namespace vmscope::app
