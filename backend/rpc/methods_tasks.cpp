// tasks/list (crash's `ps`, filtered and paged) and tasks/backtrace (crash's `bt`).
#include <fnmatch.h>

#include <climits>
#include <memory>

#include "rpc/methods_kernel.h"
#include "rpc/methods_kernel_wire.h"
#include "rpc/wire_values.h"

namespace vmscope::rpc {
namespace {

constexpr std::uint64_t kDefaultLimit = 1000;
constexpr std::uint64_t kMaxLimit = 100000;
constexpr std::uint64_t kMaxPid = INT32_MAX;

// A string parameter that must be a string when present.
Result<std::optional<std::string>> string_param(const Json& params, const std::string& field) {
  if (!params.is_object() || !params.contains(field)) return std::optional<std::string>();
  if (!params[field].is_string()) {
    return Error(ErrorCode::kInvalidArgument, field + " must be a string", {.name = field});
  }
  return std::optional<std::string>(params[field].get<std::string>());
}

Result<std::optional<std::int32_t>> pid_param(const Json& params, const std::string& field) {
  if (!params.is_object() || !params.contains(field)) return std::optional<std::int32_t>();
  VMSCOPE_TRY(std::uint64_t pid, optional_count(params, field, 0, kMaxPid));
  return std::optional<std::int32_t>(static_cast<std::int32_t>(pid));
}

struct TaskFilter {
  std::optional<std::int32_t> pid, tgid;
  std::optional<std::string> comm;   // fnmatch(3) pattern
  std::optional<std::string> state;  // ps letter ("D") or crash code ("UN")
  bool active_only = false;

  bool matches(const kernel::Task& t) const {
    if (pid && t.pid != *pid) return false;
    if (tgid && t.tgid != *tgid) return false;
    if (comm && ::fnmatch(comm->c_str(), t.comm.c_str(), 0) != 0) return false;
    if (state && *state != std::string(1, t.ps_state) && *state != t.crash_state) return false;
    if (active_only && !t.active_on_cpu) return false;
    return true;
  }
};

Result<TaskFilter> parse_filter(const Json& params) {
  TaskFilter filter;
  VMSCOPE_TRY(filter.pid, pid_param(params, "pid"));
  VMSCOPE_TRY(filter.tgid, pid_param(params, "tgid"));
  VMSCOPE_TRY(filter.comm, string_param(params, "comm"));
  VMSCOPE_TRY(filter.state, string_param(params, "state"));
  VMSCOPE_TRY(filter.active_only, optional_bool(params, "active"));
  return filter;
}

Result<Json> list(const KernelMethods& methods, const Json& params, const RequestContext& context) {
  VMSCOPE_TRY(KernelMethods::Dump d, methods.dump(params));
  VMSCOPE_TRY(TaskFilter filter, parse_filter(params));
  VMSCOPE_TRY(std::uint64_t offset, optional_count(params, "offset", 0, UINT32_MAX));
  VMSCOPE_TRY(std::uint64_t limit, optional_count(params, "limit", kDefaultLimit, kMaxLimit));
  VMSCOPE_TRY(auto tasks, d.facts->tasks(context.cancel));
  const std::uint64_t page_size = page_size_of(*d.facts);

  Json out = Json::array();
  std::uint64_t total = 0;
  for (const kernel::Task& t : tasks->tasks) {
    if (!filter.matches(t)) continue;
    if (total >= offset && total - offset < limit) out.push_back(task_json(t, page_size));
    ++total;
  }
  return Json{{"tasks", std::move(out)},
              {"total", total},
              {"offset", offset},
              {"partial", tasks->partial()},
              {"problems", problems_json(tasks->problems)}};
}

}  // namespace

Result<NamedTask> named_task(const kernel::TaskList& tasks, const Json& params) {
  const bool by_address = params.is_object() && params.contains("address");
  const bool by_pid = params.is_object() && params.contains("pid");
  if (by_address == by_pid) {
    return Error(ErrorCode::kInvalidArgument, "give exactly one of pid and address",
                 {.name = by_pid ? "address" : "pid"});
  }
  if (by_address) {
    VMSCOPE_TRY(std::uint64_t address, required_address(params, "address"));
    const kernel::Task* task = tasks.find_address(address);
    return NamedTask{{address, task ? task->active_on_cpu : std::nullopt}, task};
  }
  VMSCOPE_TRY(std::optional<std::int32_t> pid, pid_param(params, "pid"));
  std::optional<std::uint32_t> cpu;
  if (params.contains("cpu")) {
    VMSCOPE_TRY(std::uint64_t c, optional_count(params, "cpu", 0, UINT32_MAX));
    cpu = static_cast<std::uint32_t>(c);
  }
  std::vector<const kernel::Task*> found;
  for (const kernel::Task& t : tasks.tasks) {
    if (t.pid == *pid && (!cpu || t.cpu == *cpu)) found.push_back(&t);
  }
  if (found.empty()) {
    return Error(ErrorCode::kNotFound,
                 "no task with pid " + std::to_string(*pid) +
                     (cpu ? " on cpu " + std::to_string(*cpu) : std::string()) +
                     (tasks.partial() ? " (the task list is partial)" : ""),
                 {.name = std::to_string(*pid)});
  }
  if (found.size() > 1) {
    return Error(ErrorCode::kInvalidArgument,
                 "pid " + std::to_string(*pid) + " names " + std::to_string(found.size()) +
                     " tasks (one idle task per CPU): give cpu or address",
                 {.name = "pid"});
  }
  return NamedTask{{found[0]->address, found[0]->active_on_cpu}, found[0]};
}

namespace {

Result<Json> backtrace(const KernelMethods& methods, const Json& params,
                       const RequestContext& context) {
  VMSCOPE_TRY(KernelMethods::Dump d, methods.dump(params));
  VMSCOPE_TRY(auto tasks, d.facts->tasks(context.cancel));
  VMSCOPE_TRY(NamedTask named, named_task(*tasks, params));
  VMSCOPE_TRY(bool variables, optional_bool(params, "variables"));
  std::shared_ptr<const kernel::StackTrace> trace;
  if (variables) {
    // Arguments and locals cost a DWARF walk per frame: computed for this request, not kept.
    VMSCOPE_TRY(auto tracer, d.facts->tracer(context.cancel));
    VMSCOPE_TRY(kernel::StackTrace traced,
                tracer->trace(named.ref, context.cancel, {.variables = true}));
    trace = std::make_shared<const kernel::StackTrace>(std::move(traced));
  } else {
    VMSCOPE_TRY(trace, d.facts->backtrace(named.ref, context.cancel));
  }
  Json result = trace_json(*trace);
  if (variables) {
    for (std::size_t i = 0; i < trace->frames.size(); ++i) {
      result["frames"][i]["variables"] = frame_variables_json(trace->frames[i]);
    }
  }
  result["task"] =
      named.task ? task_ref_json(*named.task) : Json{{"address", hex_u64(named.ref.address)}};
  result["listed"] = named.task != nullptr;
  result["partial"] = !trace->complete();
  std::vector<Error> problems;
  if (trace->stopped) problems.push_back(*trace->stopped);
  result["problems"] = problems_json(problems);
  return result;
}

}  // namespace

void register_task_methods(Dispatcher& dispatcher, const KernelMethods& methods) {
  dispatcher.add("tasks/list", [methods](const Json& params, const RequestContext& context) {
    return list(methods, params, context);
  });
  dispatcher.add("tasks/backtrace", [methods](const Json& params, const RequestContext& context) {
    return backtrace(methods, params, context);
  });
}

}  // namespace vmscope::rpc
