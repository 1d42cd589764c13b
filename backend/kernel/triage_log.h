// The log side of crash triage (kernel/triage.h): which report in the kernel log brought the
// machine down, and the backtrace the kernel printed with it.
//
// Reports are recognised by their first line, as the kernel prints them (the table
// kReportKinds in triage_log.cpp, one row per kind: "BUG: unable to handle page fault",
// "kernel BUG at", "WARNING: CPU:", "INFO: task … blocked for more than", …). Order matters:
// the first row that matches a line decides its kind, so specific rows come before the
// generic "BUG: " row.
//
// The printed backtrace ("Call Trace:" then one "func+0x1c/0x40 [module]" line per frame)
// stands in for the dump's own when the dump cannot give one (a filtered dump without the
// stack page). Lines marked "? " are the kernel's guesses from scanning the stack and are
// left out; an "RIP: 0010:func+0x…" line before the trace becomes the first, interrupted
// frame.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "kernel/printk_records.h"
#include "kernel/stack_trace.h"
#include "kernel/triage.h"

namespace vmscope::kernel {

// The frames of the first "Call Trace:" at or after records[from] (within a bounded number of
// records), innermost first, with the RIP line before it (if any) as an interrupted frame.
// Only function and module are known. Without a "Call Trace:", the RIP line's frame alone;
// empty when there is neither.
std::vector<StackFrame> logged_backtrace(std::span<const LogRecord> records, std::size_t from);

// One printed frame line ("  __schedule+0x34d/0x9f3", " ? _printk+0x68/0x83",
// " foo+0x1/0x2 [mymod]"): nullopt for a line that is not a frame or is a "? " guess.
struct LoggedFrame {
  std::string function;
  std::string module;
};
std::optional<LoggedFrame> parse_logged_frame(std::string_view line);
// "RIP: 0010:foo+0x12/0x30 [mod]": the kernel-mode function, nullopt for user mode or no name.
std::optional<LoggedFrame> parse_rip_line(std::string_view line);

}  // namespace vmscope::kernel
