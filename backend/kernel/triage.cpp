#include "kernel/triage.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iterator>

#include "kernel/triage_log.h"

namespace vmscope::kernel {
namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

template <std::size_t N>
bool is_one_of(std::string_view name, const std::string_view (&names)[N]) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

template <std::size_t N>
bool starts_with_one_of(std::string_view name, const std::string_view (&prefixes)[N]) {
  return std::any_of(std::begin(prefixes), std::end(prefixes),
                     [&](std::string_view p) { return name.starts_with(p); });
}

template <std::size_t N>
bool contains_one_of(std::string_view name, const std::string_view (&parts)[N]) {
  return std::any_of(std::begin(parts), std::end(parts),
                     [&](std::string_view p) { return contains(name, p); });
}

// Frames that start the crash itself: the culprit is past them.
constexpr std::string_view kCrashEntries[] = {
    "panic",    "vpanic",      "nmi_panic",     "oops_end", "__die",      "die",
    "die_addr", "crash_kexec", "__crash_kexec", "__warn",   "report_bug", "check_panic_on_warn"};

// Panic, oops and exception entry, printk and console, sysrq, notifier chains, delay loops,
// kexec: never the culprit, for any kind of report.
constexpr std::string_view kPlumbing[] = {"panic",
                                          "vpanic",
                                          "nmi_panic",
                                          "__panic",
                                          "check_panic_on_warn",
                                          "oops_begin",
                                          "oops_end",
                                          "__die",
                                          "__die_body",
                                          "die",
                                          "die_addr",
                                          "do_trap",
                                          "do_error_trap",
                                          "handle_bug",
                                          "exc_invalid_op",
                                          "asm_exc_invalid_op",
                                          "exc_general_protection",
                                          "asm_exc_general_protection",
                                          "exc_page_fault",
                                          "asm_exc_page_fault",
                                          "handle_page_fault",
                                          "do_user_addr_fault",
                                          "do_kern_addr_fault",
                                          "page_fault_oops",
                                          "kernelmode_fixup_or_oops",
                                          "__bad_area_nosemaphore",
                                          "bad_area_nosemaphore",
                                          "__bad_area",
                                          "bad_area",
                                          "bad_area_access_error",
                                          "no_context",
                                          "show_fault_oops",
                                          "exc_divide_error",
                                          "asm_exc_divide_error",
                                          "do_divide_error",
                                          "fixup_exception",
                                          "report_bug",
                                          "__report_bug",
                                          "__warn",
                                          "warn_slowpath_fmt",
                                          "warn_slowpath_null",
                                          "__warn_printk",
                                          "make_task_dead",
                                          "rewind_stack_and_make_dead",
                                          "rewind_stack_do_exit",
                                          "crash_kexec",
                                          "__crash_kexec",
                                          "crash_setup_regs",
                                          "machine_crash_shutdown",
                                          "native_machine_crash_shutdown",
                                          "printk",
                                          "_printk",
                                          "dump_stack",
                                          "dump_stack_lvl",
                                          "__dump_stack",
                                          "show_stack",
                                          "show_regs",
                                          "__show_regs",
                                          "show_trace_log_lvl",
                                          "notify_die",
                                          "notifier_call_chain",
                                          "delay_tsc",
                                          "delay_loop",
                                          "__const_udelay",
                                          "__udelay",
                                          "__delay"};
constexpr std::string_view kPlumbingPrefixes[] = {"vprintk",
                                                  "printk_",
                                                  "console_",
                                                  "__console_",
                                                  "serial8250_",
                                                  "univ8250_",
                                                  "uart_",
                                                  "wait_for_xmitr",
                                                  "sysrq_",
                                                  "__handle_sysrq",
                                                  "handle_sysrq",
                                                  "write_sysrq_trigger",
                                                  "kmsg_dump",
                                                  "panic_",
                                                  "delay_halt",
                                                  "atomic_notifier_call_chain",
                                                  "blocking_notifier_call_chain"};
constexpr std::string_view kPlumbingNotifiers[] = {
    "raw_notifier_call_chain", "srcu_notifier_call_chain", "__atomic_notifier_call_chain"};

// Hung tasks: where a task waits is not why (the scheduler, locks, completions, sleeps).
constexpr std::string_view kWaitParts[] = {
    "schedule", "_lock", "down",    "completion", "wait",         "synchronize_", "mutex",
    "rwsem",    "sleep", "kthread", "futex",      "__flush_work", "_switch"};
// Lockups and stalls: spinning on a lock, the interrupt that noticed it.
constexpr std::string_view kLockParts[] = {"spin_lock", "_raw_", "lock_acquire", "queued_"};
constexpr std::string_view kInterruptPrefixes[] = {"watchdog_",
                                                   "hrtimer_",
                                                   "__hrtimer_",
                                                   "__sysvec_",
                                                   "sysvec_",
                                                   "asm_sysvec_",
                                                   "irq_exit",
                                                   "__irq_exit_rcu",
                                                   "handle_irq",
                                                   "common_interrupt",
                                                   "asm_common_interrupt",
                                                   "tick_",
                                                   "update_process_times",
                                                   "rcu_sched_clock_irq",
                                                   "rcu_pending",
                                                   "print_cpu_stall",
                                                   "rcu_dump_cpu_stacks",
                                                   "nmi_",
                                                   "exc_nmi",
                                                   "asm_exc_nmi"};
constexpr std::string_view kIdleLoop[] = {"cpu_relax", "rep_nop", "native_pause"};
// might_sleep() and friends.
constexpr std::string_view kMightSleepPrefixes[] = {"__might_", "___might_", "might_", "__cant_"};
// Sanitizer reporting.
constexpr std::string_view kSanitizerPrefixes[] = {"kasan_",
                                                   "__kasan_",
                                                   "__asan_",
                                                   "asan_",
                                                   "check_memory_region",
                                                   "print_report",
                                                   "print_address_description",
                                                   "start_report",
                                                   "end_report",
                                                   "ubsan_",
                                                   "__ubsan_",
                                                   "kmsan_",
                                                   "__msan_",
                                                   "kcsan_"};

bool is_plumbing(CulpritRule rule, std::string_view name) {
  if (is_one_of(name, kPlumbing) || starts_with_one_of(name, kPlumbingPrefixes) ||
      is_one_of(name, kPlumbingNotifiers)) {
    return true;
  }
  switch (rule) {
    case CulpritRule::kHungTask: return contains_one_of(name, kWaitParts);
    case CulpritRule::kLockup:
      return contains_one_of(name, kLockParts) || starts_with_one_of(name, kInterruptPrefixes) ||
             is_one_of(name, kIdleLoop);
    case CulpritRule::kSleepInAtomic: return starts_with_one_of(name, kMightSleepPrefixes);
    case CulpritRule::kSanitizer: return starts_with_one_of(name, kSanitizerPrefixes);
    case CulpritRule::kPanic:
    case CulpritRule::kException: return false;
  }
  return false;
}

// An inline helper from a header (preempt.h's __preempt_count_add in a delay loop, atomic.h's
// atomic_inc at a fault) is where the pc is, not whose bug it is.
bool is_header_inline(const StackFrame& f) {
  return f.inline_frame && f.source && f.source->file.ends_with(".h");
}

std::uint64_t fnv1a(std::string_view text, std::uint64_t hash = 0xcbf29ce484222325ull) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

bool is_hex_digit(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}
bool is_word(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// Replaces addresses, and with `numbers` every other standalone number.
std::string normalize(std::string_view text, bool numbers) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const bool at_word_start = i == 0 || !is_word(text[i - 1]);
    if (at_word_start && text.substr(i).starts_with("0x") && i + 2 < text.size() &&
        is_hex_digit(text[i + 2])) {
      std::size_t j = i + 2;
      while (j < text.size() && is_hex_digit(text[j])) ++j;
      out += "ADDR";
      i = j;
      continue;
    }
    if (at_word_start && is_hex_digit(text[i])) {
      std::size_t j = i;
      bool digits_only = true;
      while (j < text.size() && is_hex_digit(text[j])) {
        digits_only = digits_only && std::isdigit(static_cast<unsigned char>(text[j]));
        ++j;
      }
      const bool standalone = j == text.size() || !is_word(text[j]);
      if (standalone && j - i >= 8) {
        out += "ADDR";
        i = j;
        continue;
      }
      if (standalone && digits_only && numbers) {
        out += "N";
        i = j;
        continue;
      }
      out.append(text.substr(i, j - i));
      i = j;
      continue;
    }
    out.push_back(text[i]);
    ++i;
  }
  return out;
}

std::size_t index_of_seq(std::span<const LogRecord> records, std::uint64_t seq) {
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].seq == seq) return i;
  }
  return records.size();
}

}  // namespace

std::string normalize_function(std::string_view function) {
  return std::string(function.substr(0, function.find('.')));
}

std::string normalize_title(std::string_view title) {
  return normalize(title, /*numbers=*/true);
}

std::string strip_addresses(std::string_view text) {
  return normalize(text, /*numbers=*/false);
}

std::optional<std::size_t> culprit_frame(CulpritRule rule, std::span<const StackFrame> frames) {
  std::size_t start = 0;
  bool started = false;
  if (rule == CulpritRule::kException || rule == CulpritRule::kLockup) {
    // The code the exception or interrupt stopped: the innermost frame reached through a
    // pt_regs that is still in the kernel.
    for (std::size_t i = 0; i < frames.size(); ++i) {
      if (frames[i].pt_regs && !frames[i].user_mode) {
        start = i;
        started = true;
        break;
      }
    }
  }
  if (!started && rule != CulpritRule::kHungTask) {
    // Past the frame that started the crash (panic's delay loop and what it inlines lie
    // before it).
    for (std::size_t i = 0; i < frames.size(); ++i) {
      if (is_one_of(normalize_function(frames[i].function), kCrashEntries)) {
        start = i + 1;
        while (start < frames.size() &&
               is_one_of(normalize_function(frames[start].function), kCrashEntries)) {
          ++start;
        }
        break;
      }
    }
  }
  for (std::size_t i = start; i < frames.size(); ++i) {
    const StackFrame& f = frames[i];
    if (f.user_mode) break;  // the kernel part of the stack is over
    const std::string name = normalize_function(f.function);
    if (name.empty() || is_header_inline(f) || is_plumbing(rule, name)) continue;
    return i;
  }
  return std::nullopt;
}

std::string crash_bucket(std::string_view kind, std::string_view title,
                         std::span<const std::string> top_functions) {
  std::uint64_t hash = fnv1a(kind);
  hash = fnv1a("\n", hash);
  hash = fnv1a(normalize_title(title), hash);
  for (const std::string& f : top_functions) {
    hash = fnv1a("\n", hash);
    hash = fnv1a(normalize_function(f), hash);
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

Result<Triage> triage_crash(const TriageInputs& inputs, const CancellationToken& cancel) {
  Triage triage;
  static const KernelLog kNoLog;
  const KernelLog& log = inputs.log ? *inputs.log : kNoLog;
  std::span<const LogRecord> records(log.records);
  triage.report = classify_crash(records);
  triage.live = inputs.sys && inputs.sys->live;
  const CrashReport& report = triage.report;
  VMSCOPE_CHECK(cancel.check());

  // Whose stack: the stuck task for hung tasks and soft lockups, else the crashed one.
  std::optional<Task> task;
  std::optional<TaskRef> ref;
  if (report.stuck_pid && (report.kind == "hung-task" || report.kind == "soft-lockup")) {
    const Task* stuck = inputs.tasks ? inputs.tasks->find_pid(*report.stuck_pid) : nullptr;
    if (stuck) {
      task = *stuck;
      ref = TaskRef{stuck->address, stuck->active_on_cpu};
    } else {
      triage.problems.push_back(
          Error(ErrorCode::kNotFound,
                "the stuck task " + report.stuck_comm + ":" + std::to_string(*report.stuck_pid) +
                    " named by the log is not in the task list; its printed trace is used",
                {.name = report.stuck_comm}));
    }
  } else if (inputs.sys && inputs.sys->crashed_task) {
    const CrashedTask& crashed = *inputs.sys->crashed_task;
    const Task* listed = inputs.tasks ? inputs.tasks->find_address(crashed.address) : nullptr;
    if (listed) {
      task = *listed;
    } else {
      Task t;
      t.address = crashed.address;
      t.pid = crashed.pid;
      t.comm = crashed.comm;
      t.cpu = crashed.cpu;
      t.active_on_cpu = crashed.cpu;
      task = t;
    }
    ref = TaskRef{crashed.address, task->active_on_cpu ? task->active_on_cpu : crashed.cpu};
  } else if (!triage.live) {
    triage.problems.push_back(Error(ErrorCode::kNotFound,
                                    "the crashed task is unknown (sys found none); the printed "
                                    "trace is used"));
  }
  triage.culprit_task = task;

  // The culprit: from the dump's own backtrace, else from the trace the kernel printed.
  std::vector<StackFrame> logged;
  std::span<const StackFrame> frames;
  std::optional<std::size_t> culprit;
  std::string origin;
  if (ref && inputs.trace) {
    auto trace = inputs.trace(*ref);
    if (!trace.ok()) {
      if (trace.error().code() == ErrorCode::kCancelled) return trace.error();
      triage.problems.push_back(trace.error().with_context("backtrace of the culprit task"));
    } else {
      triage.culprit_trace = *trace;
      if (triage.culprit_trace->stopped) {
        triage.problems.push_back(triage.culprit_trace->stopped->with_context(
            "the culprit task's backtrace stops early"));
      }
      frames = triage.culprit_trace->frames;
      culprit = culprit_frame(report.rule, frames);
      origin = "backtrace";
    }
  }
  if (!culprit && report.report_record) {
    logged = logged_backtrace(records, index_of_seq(records, report.report_record->seq));
    if (auto c = culprit_frame(report.rule, logged)) {
      frames = logged;
      culprit = c;
      origin = "log";
    }
  }

  if (culprit) {
    const StackFrame& f = frames[*culprit];
    triage.culprit = Culprit{f.function, f.module, f.source, origin, std::nullopt};
    if (origin == "backtrace") triage.culprit->frame = *culprit;
    for (std::size_t i = *culprit; i < frames.size() && triage.bucket_functions.size() < 3; ++i) {
      if (frames[i].user_mode) break;
      if (frames[i].function.empty()) continue;
      triage.bucket_functions.push_back(normalize_function(frames[i].function));
    }
  } else if (!report.logged_function.empty()) {
    triage.culprit =
        Culprit{report.logged_function, report.logged_module, std::nullopt, "log", std::nullopt};
    triage.bucket_functions.push_back(normalize_function(report.logged_function));
  } else if (report.kind != "unknown") {
    triage.problems.push_back(Error(ErrorCode::kNotFound,
                                    "no culprit frame: every frame is crash plumbing, or no "
                                    "backtrace could be read"));
  }

  triage.title = report.title_prefix;
  if (report.title_names_function && triage.culprit) {
    triage.title += " in " + normalize_function(triage.culprit->function);
  }
  triage.bucket = crash_bucket(report.kind, triage.title, triage.bucket_functions);
  return triage;
}

}  // namespace vmscope::kernel
