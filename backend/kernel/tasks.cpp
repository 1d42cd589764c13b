#include "kernel/tasks.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "debuginfo/type_layout.h"
#include "support/hex.h"

namespace vmscope::kernel {
namespace {

// A thread group never has more threads than the kernel has pids.
constexpr std::size_t kMaxTasks = 1u << 22;
constexpr std::size_t kMaxStateNames = 64;
constexpr std::size_t kStateNameLength = 32;

std::optional<std::uint32_t> enumerator(const debuginfo::DebugInfo& debug, std::string_view name) {
  auto c = debug.find_constant(name);
  if (!c.ok()) return std::nullopt;
  return static_cast<std::uint32_t>(c->value);
}

// Address and element count of a global array (task_state_array, stat_nam).
std::optional<std::pair<std::uint64_t, std::uint32_t>> global_array(
    const debuginfo::DebugInfo& debug, std::string_view name) {
  auto v = debug.find_variable(name);
  if (!v.ok()) return std::nullopt;
  const debuginfo::Type& type = v->type->underlying();
  if (type.kind() != debuginfo::TypeKind::kArray || !type.length()) return std::nullopt;
  return std::pair{v->address, static_cast<std::uint32_t>(*type.length())};
}

Error with_address(Error error, std::uint64_t address) {
  if (!error.payload().address) error.payload().address = address;
  return error;
}

}  // namespace

Result<TaskLayout> TaskLayout::resolve(const debuginfo::DebugInfo& debug) {
  TaskLayout l;
  VMSCOPE_TRY(l.list, ListHeadLayout::resolve(debug));
  VMSCOPE_TRY(debuginfo::Variable init_task, debug.find_variable("init_task"));
  l.init_task = init_task.address;

  VMSCOPE_TRY(FieldResolver task, FieldResolver::find(debug, "struct task_struct"));
  VMSCOPE_TRY(l.tasks, task.required("tasks"));
  VMSCOPE_TRY(l.pid, task.required("pid"));
  VMSCOPE_TRY(l.tgid, task.required("tgid"));
  VMSCOPE_TRY(l.comm, task.required("comm"));
  l.state = task.optional("__state");
  if (!l.state.present()) {
    VMSCOPE_TRY(l.state, task.required("state"));
  }
  VMSCOPE_TRY(l.exit_state, task.required("exit_state"));
  VMSCOPE_TRY(l.real_parent, task.required("real_parent"));
  l.parent = task.optional("parent");
  VMSCOPE_TRY(l.group_leader, task.required("group_leader"));
  VMSCOPE_TRY(l.mm, task.required("mm"));
  VMSCOPE_TRY(l.stack, task.required("stack"));
  VMSCOPE_TRY(l.flags, task.required("flags"));
  VMSCOPE_TRY(l.prio, task.required("prio"));
  VMSCOPE_TRY(l.signal, task.required("signal"));

  l.cpu = task.optional("cpu");
  if (!l.cpu.present()) l.cpu = task.optional("thread_info.cpu");
  if (!l.cpu.present()) {
    VMSCOPE_TRY(FieldResolver thread_info, FieldResolver::find(debug, "struct thread_info"));
    VMSCOPE_TRY(l.stack_thread_info_cpu, thread_info.required("cpu"));
  }

  l.thread_node = task.optional("thread_node");
  l.thread_group = task.optional("thread_group");
  if (l.thread_node.present()) {
    VMSCOPE_TRY(FieldResolver signal, FieldResolver::find(debug, "struct signal_struct"));
    VMSCOPE_TRY(l.thread_head, signal.required("thread_head"));
  } else if (!l.thread_group.present()) {
    return Error(ErrorCode::kUnsupported,
                 "task_struct has neither thread_node nor thread_group: cannot find threads",
                 {.name = "task_struct.thread_node"});
  }

  l.mm_file = enumerator(debug, "MM_FILEPAGES");
  l.mm_anon = enumerator(debug, "MM_ANONPAGES");
  l.mm_shmem = enumerator(debug, "MM_SHMEMPAGES");
  l.rss_cache = task.optional("rss_stat.count");
  if (l.rss_cache.present()) {
    VMSCOPE_TRY(debuginfo::QualifiedType counts, task.member_type("rss_stat.count"));
    if (counts->underlying().target().type) {
      l.rss_cache_element = static_cast<std::uint32_t>(
          debuginfo::sizeof_type(counts->underlying().target()).value_or(4));
    }
  }

  VMSCOPE_TRY(FieldResolver mm, FieldResolver::find(debug, "struct mm_struct"));
  VMSCOPE_TRY(l.mm_total_vm, mm.required("total_vm"));
  if (mm.has("rss_stat.count")) {
    l.mm_rss = mm.optional("rss_stat.count");
    VMSCOPE_TRY(debuginfo::QualifiedType counts, mm.member_type("rss_stat.count"));
    l.mm_rss_stride = static_cast<std::uint32_t>(
        debuginfo::sizeof_type(counts->underlying().target()).value_or(8));
  } else if (mm.has("rss_stat")) {
    // 6.2+: struct percpu_counter rss_stat[NR_MM_COUNTERS].
    l.mm_rss = mm.optional("rss_stat");
    l.mm_rss_percpu = true;
    VMSCOPE_TRY(FieldResolver counter, FieldResolver::find(debug, "struct percpu_counter"));
    VMSCOPE_TRY(l.percpu_counter_count, counter.required("count"));
    VMSCOPE_TRY(l.percpu_counter_counters, counter.required("counters"));
    VMSCOPE_TRY(std::uint64_t stride, counter.size());
    l.mm_rss_stride = static_cast<std::uint32_t>(stride);
  }

  if (auto rq = debug.find_variable("runqueues"); rq.ok()) {
    l.runqueues = rq->address;
    VMSCOPE_TRY(FieldResolver rq_type, FieldResolver::find(debug, "struct rq"));
    VMSCOPE_TRY(l.rq_curr, rq_type.required("curr"));
    VMSCOPE_TRY(l.rq_idle, rq_type.required("idle"));
  }

  if (auto names = global_array(debug, "task_state_array")) {
    std::tie(l.task_state_array, l.task_state_array_length) = *names;
  }
  if (auto letters = global_array(debug, "stat_nam")) {
    std::tie(l.stat_nam, l.stat_nam_length) = *letters;
  }

  for (const Field& f :
       {l.tasks, l.pid, l.tgid, l.comm, l.state, l.exit_state, l.cpu, l.real_parent, l.parent,
        l.group_leader, l.mm, l.stack, l.flags, l.prio, l.signal, l.thread_node, l.thread_group}) {
    l.task_span.add(f);
  }
  if (l.rss_cache.present()) {
    // Only the counters the RSS needs; the array's own size covers all of them.
    l.task_span.add(l.rss_cache);
  }
  return l;
}

TaskStateBits read_task_state_bits(const VirtualMemory& memory, const TaskLayout& layout) {
  std::vector<std::string> entries;
  if (layout.task_state_array) {
    const std::uint32_t n = std::min<std::uint32_t>(layout.task_state_array_length, kMaxStateNames);
    for (std::uint32_t i = 0; i < n; ++i) {
      auto pointer = memory.read_u64(*layout.task_state_array + 8ull * i);
      if (!pointer.ok()) break;
      auto text = memory.read_c_string(*pointer, kStateNameLength);
      if (!text.ok()) break;
      entries.push_back(std::move(text).value());
    }
  }
  std::string stat_nam;
  if (layout.stat_nam) {
    stat_nam = memory
                   .read_c_string(*layout.stat_nam,
                                  std::min<std::uint32_t>(layout.stat_nam_length, kMaxStateNames))
                   .value_or("");
  }
  // As crash: stat_nam spells every bit when it is longer than the reported "RSDTtZX".
  if (stat_nam.size() > 7) {
    TaskStateBits bits = TaskStateBits::from_stat_nam(stat_nam);
    if (!entries.empty()) {
      TaskStateBits reported = TaskStateBits::from_task_state_array(entries);
      bits.report_letters = reported.report_letters;
      bits.report_mask = reported.report_mask;
    }
    return bits;
  }
  if (!entries.empty()) return TaskStateBits::from_task_state_array(entries);
  return TaskStateBits::legacy();
}

namespace {

Task decode_task(const StructWindow& w, const TaskLayout& l, const TaskStateBits& states) {
  Task t;
  t.address = w.address();
  t.pid = static_cast<std::int32_t>(w.value(l.pid));
  t.tgid = static_cast<std::int32_t>(w.value(l.tgid));
  t.comm = w.string(l.comm);
  t.state = w.value(l.state);
  t.exit_state = w.value(l.exit_state);
  // state is `unsigned int __state` or `volatile long state`: keep the bits, not the sign.
  if (l.state.size < 8) t.state &= (std::uint64_t{1} << (8 * l.state.size)) - 1;
  t.exit_state &= 0xffffffffu;
  t.crash_state = crash_task_state(states, t.state, t.exit_state);
  t.ps_state = ps_task_state(states, t.state, t.exit_state);
  t.cpu = static_cast<std::uint32_t>(w.value(l.cpu));
  t.real_parent = w.value(l.real_parent);
  t.parent = l.parent.present() ? w.value(l.parent) : t.real_parent;
  t.group_leader = w.value(l.group_leader);
  t.mm = w.value(l.mm);
  t.stack = w.value(l.stack);
  t.flags = w.value(l.flags);
  t.prio = static_cast<std::int32_t>(w.value(l.prio));
  t.kernel_thread = t.mm == 0;
  return t;
}

// Walks and reads every task into `out`; keeps the windows' extra facts needed later.
class TaskCollector {
 public:
  TaskCollector(const VirtualMemory& memory, const TaskLayout& layout, const TaskStateBits& states,
                const CancellationToken& cancel, TaskList& out)
      : memory_(memory), layout_(layout), states_(states), cancel_(cancel), out_(out) {}

  // Reads the task at `address` unless already seen; returns its index in out_.tasks.
  std::optional<std::size_t> add(std::uint64_t address) {
    if (auto it = index_.find(address); it != index_.end()) return it->second;
    if (out_.tasks.size() >= kMaxTasks) {
      if (!limit_reported_) {
        out_.problems.push_back(
            Error(ErrorCode::kLimitExceeded, "more than " + std::to_string(kMaxTasks) + " tasks"));
        limit_reported_ = true;
      }
      return std::nullopt;
    }
    auto window = StructWindow::read(memory_, address, layout_.task_span);
    if (!window.ok()) {
      out_.problems.push_back(with_address(
          window.error().with_context("reading task_struct at " + hex_u64(address)), address));
      index_.emplace(address, std::nullopt);
      return std::nullopt;
    }
    Task task = decode_task(*window, layout_, states_);
    if (!layout_.cpu.present()) {
      auto cpu = memory_.read_u32(task.stack + layout_.stack_thread_info_cpu.offset);
      if (cpu.ok()) task.cpu = *cpu;
    }
    signal_.push_back(window->value(layout_.signal));
    rss_cache_.push_back(read_rss_cache(*window));
    out_.tasks.push_back(std::move(task));
    index_.emplace(address, out_.tasks.size() - 1);
    return out_.tasks.size() - 1;
  }

  // Walks the list whose head is at `head`, whose nodes are task_structs' `member`.
  Status add_list(std::uint64_t head, const Field& member, const std::string& what) {
    // Only cancellation is an error; a broken list is a partial walk.
    VMSCOPE_TRY(ListWalk walk,
                walk_list(memory_, head, layout_.list.next, layout_.list.prev, cancel_));
    if (walk.stopped) {
      std::string context = what;
      if (walk.recovered_backwards) {
        context += " (" + std::to_string(walk.recovered_backwards) +
                   " entries recovered walking backwards)";
      }
      out_.problems.push_back(walk.stopped->with_context(context));
    }
    for (std::size_t i = 0; i < walk.nodes.size(); ++i) {
      if (i % 256 == 0) VMSCOPE_CHECK(cancel_.check());
      add(walk.nodes[i] - member.offset);
    }
    return ok_status();
  }

  std::uint64_t signal_of(std::size_t index) const { return signal_[index]; }
  const std::vector<std::int64_t>& rss_cache() const { return rss_cache_; }

 private:
  // The thread's unsynced RSS deltas (file + anon + shmem), counting positives only.
  std::int64_t read_rss_cache(const StructWindow& w) const {
    if (!layout_.rss_cache.present()) return 0;
    std::int64_t sum = 0;
    for (const auto& index : {layout_.mm_file, layout_.mm_anon, layout_.mm_shmem}) {
      if (!index) continue;
      Field f = layout_.rss_cache;
      f.offset += std::uint64_t{*index} * layout_.rss_cache_element;
      f.size = layout_.rss_cache_element;
      f.is_signed = true;
      if (f.end() > layout_.rss_cache.end()) continue;
      const auto value = static_cast<std::int64_t>(w.value(f));
      if (value > 0) sum += value;
    }
    return sum;
  }

  const VirtualMemory& memory_;
  const TaskLayout& layout_;
  const TaskStateBits& states_;
  const CancellationToken& cancel_;
  TaskList& out_;
  std::unordered_map<std::uint64_t, std::optional<std::size_t>> index_;
  std::vector<std::uint64_t> signal_;
  std::vector<std::int64_t> rss_cache_;
  bool limit_reported_ = false;
};

// Resident pages counted in an mm's counters (file + anon + shmem, positives only), and its
// total_vm.
Result<std::pair<std::uint64_t, std::uint64_t>> mm_usage(const VirtualMemory& memory,
                                                         const TaskLayout& l, const CpuInfo* cpus,
                                                         std::uint64_t mm) {
  VMSCOPE_TRY(std::uint64_t total_vm, memory.read_u64(mm + l.mm_total_vm.offset));
  std::int64_t rss = 0;
  if (l.mm_rss.present()) {
    for (const auto& index : {l.mm_file, l.mm_anon, l.mm_shmem}) {
      if (!index) continue;
      const std::uint64_t counter = mm + l.mm_rss.offset + std::uint64_t{*index} * l.mm_rss_stride;
      std::int64_t value = 0;
      if (!l.mm_rss_percpu) {
        VMSCOPE_TRY(std::uint64_t raw, memory.read_u64(counter));
        value = static_cast<std::int64_t>(raw);
      } else {
        VMSCOPE_TRY(std::uint64_t count, memory.read_u64(counter + l.percpu_counter_count.offset));
        value = static_cast<std::int64_t>(count);
        VMSCOPE_TRY(std::uint64_t deltas,
                    memory.read_u64(counter + l.percpu_counter_counters.offset));
        if (cpus && deltas != 0) {
          for (std::uint32_t cpu : cpus->possible_cpus()) {
            auto address = cpus->address(deltas, cpu);
            if (!address.ok()) continue;
            auto delta = memory.read_u32(*address);
            if (delta.ok()) value += static_cast<std::int32_t>(*delta);
          }
        }
      }
      if (value > 0) rss += value;
    }
  }
  return std::pair{static_cast<std::uint64_t>(rss), total_vm};
}

}  // namespace

Result<Task> read_task(const VirtualMemory& memory, const TaskLayout& layout,
                       const TaskStateBits& states, std::uint64_t address) {
  VMSCOPE_TRY(StructWindow window, StructWindow::read(memory, address, layout.task_span));
  Task task = decode_task(window, layout, states);
  if (!layout.cpu.present()) {
    VMSCOPE_TRY(std::uint32_t cpu,
                memory.read_u32(task.stack + layout.stack_thread_info_cpu.offset));
    task.cpu = cpu;
  }
  if (task.real_parent != 0) {
    auto tgid = memory.read_u32(task.real_parent + layout.tgid.offset);
    if (tgid.ok()) task.ppid = static_cast<std::int32_t>(*tgid);
  }
  return task;
}

Result<TaskList> list_tasks(const VirtualMemory& memory, const TaskLayout& layout,
                            const CpuInfo* cpus, const CancellationToken& cancel) {
  TaskList out;
  const TaskStateBits states = read_task_state_bits(memory, layout);
  TaskCollector collector(memory, layout, states, cancel, out);

  // 1. Thread-group leaders: init_task, then init_task.tasks.
  if (!collector.add(layout.init_task)) {
    return out.problems.back().with_context("reading init_task");
  }
  VMSCOPE_CHECK(collector.add_list(layout.init_task + layout.tasks.offset, layout.tasks,
                                   "walking init_task.tasks"));
  // 2. The threads of each group.
  const std::size_t leaders = out.tasks.size();
  for (std::size_t i = 0; i < leaders; ++i) {
    const Task leader = out.tasks[i];
    const std::string what = "walking the threads of pid " + std::to_string(leader.pid);
    if (layout.thread_node.present()) {
      const std::uint64_t signal = collector.signal_of(i);
      if (signal == 0) continue;  // an exiting task may have dropped its signal_struct
      VMSCOPE_CHECK(
          collector.add_list(signal + layout.thread_head.offset, layout.thread_node, what));
    } else {
      VMSCOPE_CHECK(collector.add_list(leader.address + layout.thread_group.offset,
                                       layout.thread_group, what));
    }
  }
  // 3. Each CPU's running and idle task.
  if (!cpus) {
    out.problems.push_back(Error(ErrorCode::kNotFound,
                                 "no per-CPU data: the idle tasks of other CPUs and the tasks "
                                 "running on each CPU are not known"));
  } else if (!layout.runqueues) {
    out.problems.push_back(Error(ErrorCode::kNotFound,
                                 "the kernel has no `runqueues`: the idle tasks of other CPUs "
                                 "and the tasks running on each CPU are not known",
                                 {.name = "runqueues"}));
  } else {
    for (std::uint32_t cpu : cpus->possible_cpus()) {
      TaskList::Cpu entry{.cpu = cpu};
      auto rq = cpus->address(*layout.runqueues, cpu);
      Result<std::uint64_t> curr = rq.ok() ? memory.read_u64(*rq + layout.rq_curr.offset)
                                           : Result<std::uint64_t>(rq.error());
      Result<std::uint64_t> idle = rq.ok() ? memory.read_u64(*rq + layout.rq_idle.offset)
                                           : Result<std::uint64_t>(rq.error());
      if (!curr.ok() || !idle.ok()) {
        out.problems.push_back(
            (curr.ok() ? idle.error() : curr.error())
                .with_context("reading the runqueue of CPU " + std::to_string(cpu)));
      }
      if (curr.ok()) entry.curr = *curr;
      if (idle.ok()) entry.idle = *idle;
      if (entry.idle != 0) {
        if (auto index = collector.add(entry.idle)) out.tasks[*index].idle = true;
      }
      if (entry.curr != 0) {
        if (auto index = collector.add(entry.curr)) out.tasks[*index].active_on_cpu = cpu;
      }
      out.cpus.push_back(entry);
    }
  }
  VMSCOPE_CHECK(cancel.check());

  // 4. Parents (real_parent's tgid) and memory use.
  std::unordered_map<std::uint64_t, std::int32_t> tgid_by_address;
  for (const Task& t : out.tasks) tgid_by_address.emplace(t.address, t.tgid);
  std::unordered_map<std::int32_t, std::int64_t> group_rss_cache;
  for (std::size_t i = 0; i < out.tasks.size(); ++i) {
    group_rss_cache[out.tasks[i].tgid] += collector.rss_cache()[i];
  }
  std::unordered_map<std::uint64_t, std::pair<std::uint64_t, std::uint64_t>> usage_by_mm;
  for (std::size_t i = 0; i < out.tasks.size(); ++i) {
    if (i % 256 == 0) VMSCOPE_CHECK(cancel.check());
    Task& t = out.tasks[i];
    if (t.real_parent != 0) {
      if (auto it = tgid_by_address.find(t.real_parent); it != tgid_by_address.end()) {
        t.ppid = it->second;
      } else if (auto tgid = memory.read_u32(t.real_parent + layout.tgid.offset); tgid.ok()) {
        t.ppid = static_cast<std::int32_t>(*tgid);
      }
    }
    if (t.mm == 0 || t.exit_state != 0) continue;
    auto it = usage_by_mm.find(t.mm);
    if (it == usage_by_mm.end()) {
      auto usage = mm_usage(memory, layout, cpus, t.mm);
      if (!usage.ok()) {
        out.problems.push_back(
            usage.error().with_context("reading the mm of pid " + std::to_string(t.pid)));
        usage = std::pair<std::uint64_t, std::uint64_t>{0, 0};
      }
      it = usage_by_mm.emplace(t.mm, *usage).first;
    }
    t.rss_pages = it->second.first + static_cast<std::uint64_t>(group_rss_cache[t.tgid]);
    t.total_vm_pages = it->second.second;
  }

  std::stable_sort(out.tasks.begin(), out.tasks.end(), [](const Task& a, const Task& b) {
    if (a.pid != b.pid) return a.pid < b.pid;
    return a.cpu < b.cpu;
  });
  return out;
}

Result<TaskList> list_tasks(const VirtualMemory& memory, const KernelLayouts& layouts,
                            const CancellationToken& cancel) {
  VMSCOPE_TRY(const TaskLayout* layout, layouts.tasks());
  std::optional<CpuInfo> cpus;
  std::optional<Error> cpu_problem;
  if (auto per_cpu = layouts.per_cpu(); per_cpu.ok()) {
    auto info = read_cpu_info(memory, **per_cpu);
    if (info.ok()) {
      cpus = std::move(info).value();
    } else {
      cpu_problem = info.error().with_context("reading per-CPU data");
    }
  } else {
    cpu_problem = per_cpu.error().with_context("per-CPU layout");
  }
  VMSCOPE_TRY(TaskList list, list_tasks(memory, *layout, cpus ? &*cpus : nullptr, cancel));
  if (cpu_problem) list.problems.insert(list.problems.begin(), *cpu_problem);
  return list;
}

const Task* TaskList::find_pid(std::int32_t pid) const {
  for (const Task& t : tasks) {
    if (t.pid == pid) return &t;
  }
  return nullptr;
}

const Task* TaskList::find_address(std::uint64_t address) const {
  for (const Task& t : tasks) {
    if (t.address == address) return &t;
  }
  return nullptr;
}

std::vector<const Task*> TaskList::threads_of(std::int32_t tgid) const {
  std::vector<const Task*> out;
  for (const Task& t : tasks) {
    if (t.tgid == tgid && t.pid == tgid)
      out.insert(out.begin(), &t);
    else if (t.tgid == tgid)
      out.push_back(&t);
  }
  return out;
}

}  // namespace vmscope::kernel
