// Triage of a crash, for CI bots: a syzbot-like title ("BUG: unable to handle page fault in
// foo_bar"), the culprit frame, and a bucket id that lands the same bug in the same bucket
// from another process, another boot (KASLR) or another dump format.
//
// 1. Which report brought the machine down (classify_crash), from the log alone. The panic
//    record ("Kernel panic - not syncing: REASON") says what kind of report to look for:
//      Fatal exception…, Attempted to kill init!  the nearest oops report before it (BUG:,
//                                                 general protection fault, kernel BUG at, …)
//      panic_on_warn set                          the nearest WARNING/KASAN/UBSAN report
//      hung_task: blocked tasks                   the first task of the last hung-task scan
//      softlockup: / Hard LOCKUP / RCU Stall      the nearest lockup or stall report
//      anything else ("sysrq triggered crash")    the panic itself: "kernel panic: REASON"
//    Without a panic record (kdump entered straight from an oops), the last report of any
//    kind. The report kinds are the table in triage.cpp (kReportKinds): adding one is one row.
// 2. Whose stack holds the culprit: the crashed task's, except for a hung task (the task
//    named in "INFO: task comm:pid blocked…", not khungtaskd that noticed it) and a soft
//    lockup (the task in "[comm:pid]").
// 3. The culprit frame (culprit_frame): for reports raised by an exception or an interrupt
//    (page fault, BUG, WARNING, lockups) the frames start at the code that was interrupted —
//    the first frame reached through a struct pt_regs; otherwise just past a panic()/oops
//    frame. From there the first frame whose function is not plumbing: panic, oops and
//    exception entry, printk and console, sysrq, notifier chains, delay loops, kexec, and per
//    kind the scheduler and lock primitives (hung tasks, lockups), might_sleep (sleeping in
//    atomic context), KASAN/UBSAN reporting. When no backtrace is usable (a filtered dump
//    dropped the stack page), the function the log names (a WARNING's "at file:line func+…",
//    an oops's "RIP: 0010:func+…") stands in.
// 4. The bucket (crash_bucket): a 64-bit FNV-1a hash, as 16 hex digits, of the report kind,
//    the normalized title (addresses and numbers replaced) and the first three frame
//    functions from the culprit on, with compiler suffixes (.isra.0, .cold, .constprop.0)
//    stripped. No address or offset enters it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "debuginfo/line_table.h"
#include "kernel/printk_records.h"
#include "kernel/stack_trace.h"
#include "kernel/sys_info.h"
#include "kernel/tasks.h"
#include "support/cancellation.h"
#include "support/error.h"
#include "support/result.h"

namespace vmscope::kernel {

// How the culprit is searched for in a backtrace.
enum class CulpritRule : std::uint8_t {
  kPanic,          // a direct panic() call: start past the panic frame
  kException,      // raised by an exception: start at the interrupted code
  kLockup,         // a lockup/stall noticed in an interrupt: the interrupted code, minus locks
  kHungTask,       // the stuck task's own stack, minus scheduler, lock and wait plumbing
  kSleepInAtomic,  // might_sleep() reports: minus might_sleep plumbing
  kSanitizer,      // KASAN/UBSAN: minus the sanitizer's reporting
};

struct CrashReport {
  std::string kind;          // "page-fault", "null-deref", "warning", "hung-task", "panic", …
  std::string title_prefix;  // "BUG: unable to handle page fault", "kernel panic: …"
  bool title_names_function = true;  // the title is "<prefix> in <culprit function>"
  CulpritRule rule = CulpritRule::kPanic;
  // The record that starts the report, and the panic record (either may be absent).
  std::optional<LogRecord> report_record;
  std::optional<LogRecord> panic_record;
  // Hung tasks and soft lockups: the task that was stuck, as the log names it.
  std::optional<std::int32_t> stuck_pid;
  std::string stuck_comm;
  std::optional<std::uint32_t> stuck_cpu;
  // The function (and module) the log names for the crash site: "RIP: 0010:func+0x…/0x…
  // [mod]" after the report, or a WARNING's "at file:line func+0x…".
  std::string logged_function;
  std::string logged_module;
  std::vector<std::string> notes;  // how the report was chosen
};

// What the log says crashed. Never fails: a log without any report or panic gives kind
// "unknown" with title "no crash report in the log".
CrashReport classify_crash(std::span<const LogRecord> records);

// The index of the culprit frame in `frames` (innermost first), or nullopt when every frame
// is plumbing, unnamed or user mode.
std::optional<std::size_t> culprit_frame(CulpritRule rule, std::span<const StackFrame> frames);

// "foo.isra.0" -> "foo", "__handle_sysrq.cold" -> "__handle_sysrq".
std::string normalize_function(std::string_view function);
// The title with addresses replaced by ADDR and other numbers by N ("unknown-block(N,N)").
std::string normalize_title(std::string_view title);
// Addresses only (0x… and runs of 8+ hex digits become ADDR): the displayed title.
std::string strip_addresses(std::string_view text);

// The bucket id: 16 lower-case hex digits.
std::string crash_bucket(std::string_view kind, std::string_view title,
                         std::span<const std::string> top_functions);

struct Culprit {
  std::string function;
  std::string module;  // empty for the kernel image
  std::optional<debuginfo::SourceLocation> source;
  std::string origin;                // "backtrace" or "log"
  std::optional<std::size_t> frame;  // index into the culprit task's trace
};

struct Triage {
  // A running kernel (SysInfo::live): no crashed task is sought, and none is no problem; the
  // report is the log's last one, if any.
  bool live = false;
  CrashReport report;
  std::string title;
  std::optional<Culprit> culprit;
  std::string bucket;
  std::vector<std::string> bucket_functions;  // what entered the bucket besides kind and title
  // The task whose stack was searched (the crashed task, or the stuck one), and its trace.
  std::optional<Task> culprit_task;
  std::shared_ptr<const StackTrace> culprit_trace;
  // Why something is missing or uncertain (a trace stopped at an excluded page, a stuck
  // task not in the task list); each with its facts.
  std::vector<Error> problems;
};

// A task's backtrace, as the caller computes (and caches) it. Errors other than kCancelled
// become problems of the triage.
using TraceSource = std::function<Result<std::shared_ptr<const StackTrace>>(const TaskRef& task)>;

struct TriageInputs {
  const KernelLog* log = nullptr;   // required
  const SysInfo* sys = nullptr;     // the crashed task; may be null
  const TaskList* tasks = nullptr;  // finds the stuck task; may be null
  TraceSource trace;                // may be empty: the culprit then comes from the log
};

// Errors: kCancelled only (from the trace source, or `cancel`).
Result<Triage> triage_crash(const TriageInputs& inputs, const CancellationToken& cancel);

}  // namespace vmscope::kernel
