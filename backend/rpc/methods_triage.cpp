// triage/report: one call for CI bots — the crash's title, culprit and bucket
// (kernel/triage.h), a sys summary, the crashed task's backtrace, the end of the log and the
// tasks in uninterruptible sleep (D state).
#include "rpc/methods_kernel.h"
#include "rpc/methods_kernel_wire.h"
#include "rpc/wire_values.h"

namespace vmscope::rpc {
namespace {

constexpr std::uint64_t kDefaultLogLines = 50;
constexpr std::uint64_t kMaxLogLines = 10000;
// D-state tasks whose backtraces are summarised; more are listed without one.
constexpr std::size_t kMaxBlockedTraces = 256;
// Functions kept per D-state task.
constexpr std::size_t kMaxBlockedFunctions = 32;

Json culprit_json(const kernel::Culprit& c) {
  return {{"function", c.function},
          {"module", c.module.empty() ? Json(nullptr) : Json(c.module)},
          {"file", c.source ? Json(c.source->file) : Json(nullptr)},
          {"line", c.source ? Json(c.source->line) : Json(nullptr)},
          {"origin", c.origin},
          {"frame", c.frame ? Json(*c.frame) : Json(nullptr)}};
}

Json functions_of(const kernel::StackTrace& trace) {
  Json out = Json::array();
  for (const kernel::StackFrame& f : trace.frames) {
    if (f.user_mode || out.size() >= kMaxBlockedFunctions) break;
    if (!f.function.empty()) out.push_back(f.function);
  }
  return out;
}

Result<Json> report(const KernelMethods& methods, const Json& params,
                    const RequestContext& context) {
  VMSCOPE_TRY(KernelMethods::Dump d, methods.dump(params));
  VMSCOPE_TRY(std::uint64_t log_lines,
              optional_count(params, "logLines", kDefaultLogLines, kMaxLogLines));
  const CancellationToken& cancel = context.cancel;
  const server::KernelFacts& facts = *d.facts;
  context.progress.begin("Triage", 0);
  std::vector<Error> problems;
  auto keep = [&](const Error& e, std::string_view what) -> Status {
    if (e.code() == ErrorCode::kCancelled) return e;
    problems.push_back(e.with_context(what));
    return ok_status();
  };

  context.progress.report("tasks, log and sys", 10);
  // A failure of these is a problem of the triage too (listed there); only cancellation ends
  // the report.
  auto cancelled = [](const auto& r) {
    return !r.ok() && r.error().code() == ErrorCode::kCancelled;
  };
  auto tasks = facts.tasks(cancel);
  if (cancelled(tasks)) return tasks.error();
  auto log = facts.log(cancel);
  if (cancelled(log)) return log.error();
  auto sys = facts.sys(cancel);
  if (cancelled(sys)) return sys.error();
  context.progress.report("culprit", 40);
  VMSCOPE_TRY(auto triage, facts.triage(cancel));
  problems.insert(problems.end(), triage->problems.begin(), triage->problems.end());
  if (sys.ok()) problems.insert(problems.end(), (*sys)->problems.begin(), (*sys)->problems.end());

  Json result = {{"live", triage->live},
                 {"title", triage->title},
                 {"kind", triage->report.kind},
                 {"bucket", triage->bucket},
                 {"culprit", triage->culprit ? culprit_json(*triage->culprit) : Json(nullptr)},
                 {"bucketFunctions", triage->bucket_functions},
                 {"notes", triage->report.notes}};
  result["report"] = triage->report.report_record
                         ? Json{{"seq", triage->report.report_record->seq},
                                {"text", triage->report.report_record->text}}
                         : Json(nullptr);
  result["sys"] = sys.ok() ? sys_json(**sys) : Json(nullptr);
  result["panicMessage"] =
      sys.ok() && (*sys)->panic_message ? Json(*(*sys)->panic_message) : Json(nullptr);
  result["culpritTask"] =
      triage->culprit_task ? task_ref_json(*triage->culprit_task) : Json(nullptr);
  // The stuck task's trace when the culprit is not in the crashed task (hung tasks).
  const bool culprit_is_crashed = sys.ok() && (*sys)->crashed_task && triage->culprit_task &&
                                  triage->culprit_task->address == (*sys)->crashed_task->address;
  result["culpritBacktrace"] = triage->culprit_trace && !culprit_is_crashed
                                   ? trace_json(*triage->culprit_trace)
                                   : Json(nullptr);

  // The crashed task and its backtrace (the same trace as the culprit's, unless the culprit
  // is a stuck task).
  context.progress.report("crashed task", 60);
  result["crashedTask"] = nullptr;
  result["backtrace"] = nullptr;
  if (sys.ok() && (*sys)->crashed_task) {
    const kernel::CrashedTask& crashed = *(*sys)->crashed_task;
    result["crashedTask"] = crashed_task_json(crashed);
    const kernel::Task* listed = tasks.ok() ? (*tasks)->find_address(crashed.address) : nullptr;
    kernel::TaskRef ref{crashed.address,
                        listed && listed->active_on_cpu ? listed->active_on_cpu : crashed.cpu};
    auto trace = facts.backtrace(ref, cancel);
    if (trace.ok()) {
      result["backtrace"] = trace_json(**trace);
    } else {
      VMSCOPE_CHECK(keep(trace.error(), "crashed task's backtrace"));
    }
  }

  // The end of the log.
  Json lines = Json::array();
  if (log.ok()) {
    const auto& records = (*log)->records;
    const std::size_t first = records.size() > log_lines ? records.size() - log_lines : 0;
    for (std::size_t i = first; i < records.size(); ++i) {
      lines.push_back(log_record_json(records[i]));
    }
  }
  result["log"] = std::move(lines);

  // Tasks in uninterruptible sleep, with where they sleep.
  context.progress.report("blocked tasks", 80);
  Json blocked = Json::array();
  if (tasks.ok()) {
    std::size_t traced = 0;
    for (const kernel::Task& t : (*tasks)->tasks) {
      if (t.ps_state != 'D') continue;
      Json entry = task_ref_json(t);
      entry["crashState"] = t.crash_state;
      entry["functions"] = nullptr;
      if (traced < kMaxBlockedTraces) {
        ++traced;
        auto trace = facts.backtrace({t.address, t.active_on_cpu}, cancel);
        if (trace.ok()) {
          entry["functions"] = functions_of(**trace);
        } else {
          VMSCOPE_CHECK(keep(trace.error(), "backtrace of pid " + std::to_string(t.pid)));
        }
      }
      blocked.push_back(std::move(entry));
    }
  }
  result["blockedTasks"] = std::move(blocked);
  result["partial"] = !problems.empty();
  result["problems"] = problems_json(problems);
  context.progress.end(triage->title);
  return result;
}

}  // namespace

void register_triage_methods(Dispatcher& dispatcher, const KernelMethods& methods) {
  dispatcher.add("triage/report", [methods](const Json& params, const RequestContext& context) {
    return report(methods, params, context);
  });
}

}  // namespace vmscope::rpc
