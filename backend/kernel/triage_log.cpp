#include "kernel/triage_log.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <string>

namespace vmscope::kernel {
namespace {

// Report families: which reports a panic reason can follow.
enum Family : std::uint32_t {
  kOops = 1,   // exceptions and BUG()s: "Fatal exception"
  kWarn = 2,   // reports that panic through panic_on_warn
  kHung = 4,   // khungtaskd
  kSoft = 8,   // soft lockup watchdog
  kHard = 16,  // NMI watchdog
  kRcu = 32,   // RCU stall detector
  kAll = 63,
};

struct Match {
  std::string title_prefix;  // may depend on the line (KASAN's bug type)
};

struct ReportKind {
  std::string_view kind;
  std::uint32_t families;
  CulpritRule rule;
  bool secondary;  // a follow-up line ("Oops: …"): a primary report just before it wins
  std::optional<Match> (*match)(std::string_view text);
};

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

template <std::size_t N>
std::optional<Match> fixed(std::string_view text, const char (&prefix)[N], const char* title) {
  if (!text.starts_with(std::string_view(prefix, N - 1))) return std::nullopt;
  return Match{title};
}

// "BUG: KASAN: use-after-free in foo+0x…" -> "KASAN: use-after-free"; the text between a
// prefix and " in " (or the end of the line).
std::optional<Match> typed(std::string_view text, std::string_view prefix, std::string_view name) {
  if (!text.starts_with(prefix)) return std::nullopt;
  std::string_view rest = text.substr(prefix.size());
  rest = rest.substr(0, std::min(rest.find(" in "), rest.find('\n')));
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == ':')) rest.remove_suffix(1);
  if (rest.empty()) return Match{std::string(name)};
  return Match{std::string(name) + ": " + std::string(rest)};
}

// "BUG: scheduling while atomic: swapper/0/0/0x00000002" -> "BUG: scheduling while atomic".
std::optional<Match> generic_bug(std::string_view text) {
  if (!text.starts_with("BUG: ")) return std::nullopt;
  std::string_view rest = text.substr(5);
  std::size_t end = std::min({rest.find(':'), rest.find(" - "), rest.find('\n'), rest.find(',')});
  rest = rest.substr(0, end);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  return Match{"BUG: " + std::string(rest)};
}

constexpr std::array kReportKinds = {
    ReportKind{"null-deref", kOops, CulpritRule::kException, false,
               [](std::string_view t) {
                 auto m = fixed(t, "BUG: kernel NULL pointer dereference",
                                "BUG: unable to handle kernel NULL pointer dereference");
                 return m ? m
                          : fixed(t, "BUG: unable to handle kernel NULL pointer dereference",
                                  "BUG: unable to handle kernel NULL pointer dereference");
               }},
    ReportKind{"page-fault", kOops, CulpritRule::kException, false,
               [](std::string_view t) {
                 auto m = fixed(t, "BUG: unable to handle page fault",
                                "BUG: unable to handle page fault");
                 return m ? m
                          : fixed(t, "BUG: unable to handle kernel paging request",
                                  "BUG: unable to handle page fault");
               }},
    ReportKind{"general-protection-fault", kOops, CulpritRule::kException, false,
               [](std::string_view t) {
                 return fixed(t, "general protection fault", "general protection fault");
               }},
    ReportKind{"kernel-bug", kOops, CulpritRule::kException, false,
               [](std::string_view t) { return fixed(t, "kernel BUG at ", "kernel BUG"); }},
    ReportKind{"divide-error", kOops, CulpritRule::kException, false,
               [](std::string_view t) { return fixed(t, "divide error:", "divide error"); }},
    ReportKind{"kasan", kOops | kWarn, CulpritRule::kSanitizer, false,
               [](std::string_view t) { return typed(t, "BUG: KASAN: ", "KASAN"); }},
    ReportKind{"ubsan", kOops | kWarn, CulpritRule::kSanitizer, false,
               [](std::string_view t) { return typed(t, "UBSAN: ", "UBSAN"); }},
    ReportKind{"warning", kWarn, CulpritRule::kException, false,
               [](std::string_view t) { return fixed(t, "WARNING: CPU: ", "WARNING"); }},
    ReportKind{"sleep-in-atomic", kWarn, CulpritRule::kSleepInAtomic, false,
               [](std::string_view t) {
                 return fixed(t, "BUG: sleeping function called from invalid context",
                              "BUG: sleeping function called from invalid context");
               }},
    ReportKind{"hung-task", kHung, CulpritRule::kHungTask, false,
               [](std::string_view t) -> std::optional<Match> {
                 if (!t.starts_with("INFO: task ") || !contains(t, " blocked for more than ")) {
                   return std::nullopt;
                 }
                 return Match{"INFO: task hung"};
               }},
    ReportKind{"soft-lockup", kSoft, CulpritRule::kLockup, false,
               [](std::string_view t) -> std::optional<Match> {
                 if (!contains(t, "BUG: soft lockup - CPU#")) return std::nullopt;
                 return Match{"BUG: soft lockup"};
               }},
    ReportKind{"hard-lockup", kHard, CulpritRule::kLockup, false,
               [](std::string_view t) -> std::optional<Match> {
                 if (!contains(t, "Watchdog detected hard LOCKUP on cpu")) return std::nullopt;
                 return Match{"BUG: hard lockup"};
               }},
    ReportKind{"rcu-stall", kRcu, CulpritRule::kLockup, false,
               [](std::string_view t) -> std::optional<Match> {
                 if (!contains(t, "self-detected stall on CPU") &&
                     !contains(t, "detected stalls on CPUs/tasks")) {
                   return std::nullopt;
                 }
                 return Match{"INFO: rcu detected stall"};
               }},
    ReportKind{"bug", kOops | kWarn, CulpritRule::kPanic, false, generic_bug},
    ReportKind{"oops", kOops, CulpritRule::kException, true,
               [](std::string_view t) { return fixed(t, "Oops: ", "Oops"); }},
    ReportKind{"invalid-opcode", kOops, CulpritRule::kException, true,
               [](std::string_view t) { return fixed(t, "invalid opcode:", "invalid opcode"); }},
};

struct Found {
  const ReportKind* kind = nullptr;
  Match match;
};

std::optional<Found> match_report(const LogRecord& record) {
  if (record.state == LogRecordState::kReserved) return std::nullopt;
  for (const ReportKind& kind : kReportKinds) {
    if (auto m = kind.match(record.text)) return Found{&kind, std::move(*m)};
  }
  return std::nullopt;
}

// The families a panic reason follows; 0: the panic is the report itself.
std::uint32_t families_for_panic(std::string_view reason) {
  if (reason.starts_with("Fatal exception") || reason.starts_with("Attempted to kill init") ||
      reason.starts_with("Aiee, killing interrupt handler")) {
    return kOops;
  }
  if (contains(reason, "panic_on_warn set")) return kWarn;
  if (reason.starts_with("hung_task: blocked tasks")) return kHung;
  if (reason.starts_with("softlockup: hung tasks")) return kSoft;
  if (contains(reason, "Hard LOCKUP") || contains(reason, "hardlockup")) return kHard;
  if (reason.starts_with("RCU Stall")) return kRcu;
  return 0;
}

// How far back from the panic a report is looked for, and how far back from a secondary
// line ("Oops: …") its primary line. A report and its registers, trace and module list are a
// few dozen lines; a hung-task scan prints a few dozen per task.
constexpr std::size_t kReportWindow = 4000;
constexpr std::size_t kPrimaryWindow = 16;
// Tasks reported by one khungtaskd scan are printed within this of each other.
constexpr std::uint64_t kHungScanNs = 30'000'000'000ull;
// How far after a report its RIP line and its "Call Trace:" are looked for.
constexpr std::size_t kTraceWindow = 120;
// Frames taken from one printed trace.
constexpr std::size_t kMaxLoggedFrames = 128;

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::optional<std::int32_t> parse_int(std::string_view digits) {
  if (digits.empty() || digits.size() > 9) return std::nullopt;
  std::int32_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::string_view leading_digits(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
  return s.substr(0, n);
}

// "comm:pid" with the pid after the last ':' (comms may contain ':').
void parse_comm_pid(std::string_view text, CrashReport& report) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return;
  if (auto pid = parse_int(text.substr(colon + 1))) {
    report.stuck_pid = *pid;
    report.stuck_comm = std::string(text.substr(0, colon));
  }
}

void parse_stuck_task(std::string_view kind, std::string_view text, CrashReport& report) {
  if (kind == "hung-task") {
    // "INFO: task kworker/u4:1:123 blocked for more than 120 seconds."
    std::string_view rest = text.substr(std::string_view("INFO: task ").size());
    parse_comm_pid(rest.substr(0, rest.find(" blocked for more than ")), report);
  } else if (kind == "soft-lockup") {
    // "watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [vms-spinner:123]"
    const std::size_t cpu = text.find("CPU#");
    if (cpu != std::string_view::npos) {
      if (auto n = parse_int(leading_digits(text.substr(cpu + 4)))) {
        report.stuck_cpu = static_cast<std::uint32_t>(*n);
      }
    }
    const std::size_t open = text.rfind('[');
    const std::size_t close = text.rfind(']');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
      parse_comm_pid(text.substr(open + 1, close - open - 1), report);
    }
  } else if (kind == "hard-lockup") {
    const std::size_t at = text.find("on cpu ");
    if (at != std::string_view::npos) {
      if (auto n = parse_int(leading_digits(text.substr(at + 7)))) {
        report.stuck_cpu = static_cast<std::uint32_t>(*n);
      }
    }
  }
}

// "func+0x1a/0x50 [mod]" (after any "[<address>] " of old kernels).
std::optional<LoggedFrame> parse_symbol_offset(std::string_view text) {
  std::string t = trim(text);
  std::string_view s = t;
  if (s.starts_with("[<")) {
    const std::size_t end = s.find(">]");
    if (end == std::string_view::npos) return std::nullopt;
    s = s.substr(end + 2);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  }
  const std::size_t space = s.find(' ');
  std::string_view symbol = s.substr(0, space);
  const std::size_t plus = symbol.find("+0x");
  if (plus == 0 || plus == std::string_view::npos ||
      symbol.find("/0x", plus) == std::string_view::npos) {
    return std::nullopt;
  }
  LoggedFrame frame{std::string(symbol.substr(0, plus)), ""};
  if (space != std::string_view::npos) {
    std::string_view rest = s.substr(space);
    const std::size_t open = rest.find('[');
    const std::size_t close = rest.find(']');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open + 1) {
      frame.module = std::string(rest.substr(open + 1, close - open - 1));
    }
  }
  return frame;
}

void set_logged_function(const std::vector<StackFrame>& frames, CrashReport& report) {
  for (const StackFrame& f : frames) {
    if (f.interrupted && f.pt_regs) {
      report.logged_function = f.function;
      report.logged_module = f.module;
      return;
    }
  }
}

}  // namespace

std::optional<LoggedFrame> parse_logged_frame(std::string_view line) {
  std::string t = trim(line);
  if (t.starts_with("? ")) return std::nullopt;  // the kernel's guess, not an unwound frame
  return parse_symbol_offset(t);
}

std::optional<LoggedFrame> parse_rip_line(std::string_view line) {
  std::string t = trim(line);
  std::string_view s = t;
  if (!s.starts_with("RIP: ")) return std::nullopt;
  s.remove_prefix(5);
  // "0010:foo+0x12/0x30": the code segment first; user mode (0033) has a plain address.
  const std::size_t colon = s.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return parse_symbol_offset(s.substr(colon + 1));
}

std::vector<StackFrame> logged_backtrace(std::span<const LogRecord> records, std::size_t from) {
  std::vector<StackFrame> frames;
  std::optional<LoggedFrame> rip;
  const std::size_t end = std::min(records.size(), from + kTraceWindow);
  std::size_t i = from;
  for (; i < end; ++i) {
    const std::string& text = records[i].text;
    if (!rip) rip = parse_rip_line(text);
    if (text.find("Call Trace:") != std::string::npos) break;
  }
  if (rip) {
    StackFrame f;
    f.function = rip->function;
    f.module = rip->module;
    f.interrupted = true;
    f.pt_regs = 0;  // reached through the exception's registers (their address is unknown)
    frames.push_back(std::move(f));
  }
  if (i >= end) return frames;  // no printed trace: at most the RIP line's frame
  // The frames follow, one per record, with markers (<TASK>, <IRQ>, </IRQ>) between.
  for (++i; i < records.size() && frames.size() < kMaxLoggedFrames; ++i) {
    std::string text = trim(records[i].text);
    if (text == "</TASK>") break;
    if (text.starts_with("<") && text.ends_with(">")) continue;  // <TASK>, <IRQ>, </IRQ>, <NMI>
    if (text.starts_with("? ")) continue;
    if (text.starts_with("RIP: ")) {
      // An interrupt frame inside the trace: the interrupted code is the next frame.
      if (auto r = parse_rip_line(text)) {
        StackFrame f;
        f.function = r->function;
        f.module = r->module;
        f.interrupted = true;
        f.pt_regs = 0;
        frames.push_back(std::move(f));
      }
      continue;
    }
    auto frame = parse_logged_frame(text);
    if (!frame) {
      // Register dumps and "Code:" lines sit between interrupt frames; anything else ends it.
      if (text.starts_with("R") || text.starts_with("Code:") || text.starts_with("CR2") ||
          text.starts_with("FS:") || text.starts_with("CS:") || text.starts_with("DR") ||
          text.starts_with("PKRU")) {
        continue;
      }
      break;
    }
    StackFrame f;
    f.function = frame->function;
    f.module = frame->module;
    frames.push_back(std::move(f));
  }
  return frames;
}

CrashReport classify_crash(std::span<const LogRecord> records) {
  CrashReport report;
  // The panic record: the first "Kernel panic - not syncing: …" (a machine panics once; the
  // "---[ end Kernel panic …" trailer repeats it).
  std::optional<std::size_t> panic_at;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].state != LogRecordState::kReserved &&
        records[i].text.starts_with("Kernel panic - not syncing")) {
      panic_at = i;
      break;
    }
  }
  std::uint32_t families = kAll;
  std::string reason;
  if (panic_at) {
    report.panic_record = records[*panic_at];
    reason = panic_reason(records[*panic_at].text);
    families = families_for_panic(reason);
  }

  // The nearest report of an allowed family before the panic (or the end of the log).
  std::optional<std::size_t> report_at;
  std::optional<Found> found;
  if (families != 0) {
    const std::size_t end = panic_at ? *panic_at : records.size();
    const std::size_t begin = end > kReportWindow ? end - kReportWindow : 0;
    for (std::size_t i = end; i-- > begin;) {
      auto f = match_report(records[i]);
      if (f && (f->kind->families & families)) {
        report_at = i;
        found = std::move(f);
        break;
      }
    }
  }
  if (found && found->kind->secondary) {
    // "Oops: 0000 [#1]" follows the line that says what happened.
    const std::size_t begin = *report_at > kPrimaryWindow ? *report_at - kPrimaryWindow : 0;
    for (std::size_t i = *report_at; i-- > begin;) {
      auto f = match_report(records[i]);
      if (f && !f->kind->secondary && (f->kind->families & kOops)) {
        report_at = i;
        found = std::move(f);
        break;
      }
    }
  }
  if (found && found->kind->kind == "hung-task") {
    // One khungtaskd scan may report several tasks before panicking: the first is the one.
    std::uint64_t last = records[*report_at].timestamp_ns;
    const std::size_t begin = *report_at > kReportWindow ? *report_at - kReportWindow : 0;
    for (std::size_t i = *report_at; i-- > begin;) {
      auto f = match_report(records[i]);
      if (!f) continue;
      if (f->kind->kind != "hung-task" || last - records[i].timestamp_ns > kHungScanNs) break;
      report_at = i;
      last = records[i].timestamp_ns;
    }
  }

  if (found) {
    report.kind = std::string(found->kind->kind);
    report.title_prefix = strip_addresses(found->match.title_prefix);
    report.rule = found->kind->rule;
    report.report_record = records[*report_at];
    parse_stuck_task(report.kind, records[*report_at].text, report);
    set_logged_function(logged_backtrace(records, *report_at), report);
    if (report.logged_function.empty() && report.kind == "warning") {
      // "WARNING: CPU: 0 PID: 1 at kernel/foo.c:12 foo+0x1a/0x50 [mod]"
      const std::string& text = records[*report_at].text;
      const std::size_t at = text.find(" at ");
      if (at != std::string::npos) {
        std::string_view rest = std::string_view(text).substr(at + 4);
        const std::size_t space = rest.find(' ');
        if (space != std::string_view::npos) {
          if (auto f = parse_symbol_offset(rest.substr(space + 1))) {
            report.logged_function = f->function;
            report.logged_module = f->module;
          }
        }
      }
    }
    report.notes.push_back(
        std::string(panic_at ? "the panic follows" : "no panic record; the last") + " the " +
        report.kind + " report at log seq " + std::to_string(records[*report_at].seq));
  } else if (panic_at) {
    report.kind = "panic";
    report.title_prefix = "kernel panic: " + strip_addresses(reason);
    report.title_names_function = false;
    report.rule = CulpritRule::kPanic;
    report.report_record = records[*panic_at];
    report.notes.push_back("the panic at log seq " + std::to_string(records[*panic_at].seq) +
                           " is the report" +
                           (families ? " (no report of the kind its reason names was found)" : ""));
  } else {
    report.kind = "unknown";
    report.title_prefix = "no crash report in the log";
    report.title_names_function = false;
    report.notes.push_back("the log has neither a panic record nor a crash report");
  }
  return report;
}

}  // namespace vmscope::kernel
