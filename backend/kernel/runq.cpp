#include "kernel/runq.h"

#include "debuginfo/type_layout.h"
#include "kernel/per_cpu.h"
#include "kernel/tasks.h"
#include "program/name_lookup.h"
#include "support/hex.h"

namespace vmscope::kernel {
namespace {

// Task groups nest at most this deep here; the kernel has no hard limit, but a deeper chain
// in a dump is far more likely a cycle through corrupt my_q pointers.
constexpr std::uint32_t kMaxGroupDepth = 32;

// Offset of the rb_root inside a member that is an rb_root_cached (4.14+) or a plain rb_root.
Result<std::uint64_t> rb_root_of(const FieldResolver& type, std::string_view member) {
  VMSCOPE_TRY(Field field, type.required(member));
  const std::string cached = std::string(member) + ".rb_root";
  if (type.has(cached)) {
    VMSCOPE_TRY(Field inner, type.required(cached));
    return inner.offset;
  }
  return field.offset;
}

class RunQueueReader {
 public:
  RunQueueReader(const VirtualMemory& memory, const RunQueueLayout& layout, const TaskLayout& tasks,
                 const TaskStateBits& states, const CancellationToken& cancel, RunQueues& out)
      : memory_(memory),
        layout_(layout),
        tasks_(tasks),
        states_(states),
        cancel_(cancel),
        out_(out) {}

  Status read_cpu(CpuRunQueue& cpu) {
    VMSCOPE_CHECK(cancel_.check());
    auto curr = memory_.read_u64(cpu.rq + layout_.rq_curr);
    if (!curr.ok()) {
      problem(curr.error().with_context("reading rq->curr of CPU " + std::to_string(cpu.cpu)));
    } else {
      cpu.curr = *curr;
      if (auto task = read_task(memory_, tasks_, states_, cpu.curr); task.ok()) {
        cpu.curr_pid = task->pid;
        cpu.curr_comm = task->comm;
      } else {
        problem(task.error().with_context("reading the current task of CPU " +
                                          std::to_string(cpu.cpu)));
      }
    }
    cpu.rt_prio_array = cpu.rq + layout_.rq_rt_active;
    VMSCOPE_CHECK(walk_rt(cpu.rt_prio_array, 0, cpu.rt));
    cpu.cfs_root = cpu.rq + layout_.rq_cfs + layout_.cfs_timeline;
    VMSCOPE_CHECK(walk_cfs(cpu.cfs_root, 0, cpu.cfs));
    if (layout_.rq_dl_root) {
      cpu.dl_root = cpu.rq + *layout_.rq_dl_root;
      VMSCOPE_CHECK(walk_dl(*cpu.dl_root, cpu.dl));
    }
    return ok_status();
  }

 private:
  void problem(Error error) { out_.problems.push_back(std::move(error)); }

  // A walk that stopped early keeps what it found; cancellation ends everything.
  Status check_walk(const std::optional<Error>& error, const std::string& what) {
    if (!error) return ok_status();
    if (error->code() == ErrorCode::kCancelled) return *error;
    problem(error->with_context(what));
    return ok_status();
  }

  void add_task(std::uint64_t task_address, std::uint32_t depth, std::vector<QueuedTask>& to) {
    QueuedTask queued{.task = task_address, .depth = depth};
    auto task = read_task(memory_, tasks_, states_, task_address);
    if (task.ok()) {
      queued.pid = task->pid;
      queued.comm = task->comm;
      queued.prio = task->prio;
    } else {
      problem(task.error().with_context("reading queued task " + hex_u64(task_address)));
    }
    to.push_back(std::move(queued));
  }

  // The entity's group queue (my_q), 0 for a task's own entity or a kernel without groups.
  std::uint64_t group_queue(std::uint64_t entity, const std::optional<std::uint64_t>& my_q) {
    if (!my_q) return 0;
    auto q = memory_.read_u64(entity + *my_q);
    if (!q.ok()) {
      problem(q.error().with_context("reading my_q of entity " + hex_u64(entity)));
      return 0;
    }
    return *q;
  }

  Status walk_rt(std::uint64_t prio_array, std::uint32_t depth, std::vector<QueuedTask>& to) {
    if (depth > kMaxGroupDepth) {
      problem(Error(ErrorCode::kLimitExceeded, "RT task groups nested too deep",
                    {.address = prio_array}));
      return ok_status();
    }
    for (std::uint32_t prio = 0; prio < layout_.prio_levels; ++prio) {
      const std::uint64_t head = prio_array + layout_.prio_queue + prio * layout_.list_head_size;
      WalkOptions options{.cancel = cancel_};
      options.max_entries = std::size_t{1} << 20;
      auto walk = walk_list(memory_, head, layout_.rt_list, options);
      for (std::uint64_t rt_se : walk.entries) {
        if (std::uint64_t q = group_queue(rt_se, layout_.rt_se_my_q); q != 0) {
          VMSCOPE_CHECK(walk_rt(q + layout_.rt_rq_active, depth + 1, to));
        } else {
          add_task(rt_se - layout_.task_rt, depth, to);
        }
      }
      VMSCOPE_CHECK(check_walk(
          walk.error, "walking RT queue " + std::to_string(prio) + " at " + hex_u64(prio_array)));
    }
    return ok_status();
  }

  Status walk_cfs(std::uint64_t root, std::uint32_t depth, std::vector<QueuedTask>& to) {
    if (depth > kMaxGroupDepth) {
      problem(
          Error(ErrorCode::kLimitExceeded, "CFS task groups nested too deep", {.address = root}));
      return ok_status();
    }
    WalkOptions options{.cancel = cancel_};
    options.max_entries = std::size_t{1} << 20;
    auto walk = walk_rbtree(memory_, root, layout_.cfs_tree, options);
    for (std::uint64_t se : walk.entries) {
      if (std::uint64_t q = group_queue(se, layout_.se_my_q); q != 0) {
        VMSCOPE_CHECK(walk_cfs(q + layout_.cfs_timeline, depth + 1, to));
      } else {
        add_task(se - layout_.task_se, depth, to);
      }
    }
    return check_walk(walk.error, "walking the CFS tree at " + hex_u64(root));
  }

  Status walk_dl(std::uint64_t root, std::vector<QueuedTask>& to) {
    WalkOptions options{.cancel = cancel_};
    options.max_entries = std::size_t{1} << 20;
    auto walk = walk_rbtree(memory_, root, layout_.dl_tree, options);
    for (std::uint64_t dl_se : walk.entries) add_task(dl_se - layout_.task_dl, 0, to);
    return check_walk(walk.error, "walking the deadline tree at " + hex_u64(root));
  }

  const VirtualMemory& memory_;
  const RunQueueLayout& layout_;
  const TaskLayout& tasks_;
  const TaskStateBits& states_;
  const CancellationToken& cancel_;
  RunQueues& out_;
};

}  // namespace

Result<RunQueueLayout> RunQueueLayout::resolve(const debuginfo::DebugInfo& debug) {
  RunQueueLayout l;
  const DebugInfoLookup names(debug);
  VMSCOPE_TRY(debuginfo::Variable runqueues, debug.find_variable("runqueues"));
  l.runqueues = runqueues.address;
  VMSCOPE_TRY(FieldResolver rq, FieldResolver::find(debug, "struct rq"));
  VMSCOPE_TRY(Field curr, rq.required("curr"));
  l.rq_curr = curr.offset;
  VMSCOPE_TRY(Field rt_active, rq.required("rt.active"));
  l.rq_rt_active = rt_active.offset;
  VMSCOPE_TRY(Field cfs, rq.required("cfs"));
  l.rq_cfs = cfs.offset;
  if (rq.has("dl.root")) {
    VMSCOPE_TRY(l.rq_dl_root, rb_root_of(rq, "dl.root"));
    VMSCOPE_TRY(l.dl_tree, rbtree_layout(names, "struct sched_dl_entity", "rb_node"));
    VMSCOPE_TRY(l.task_dl, member_offset(names, "struct task_struct", "dl"));
  }

  VMSCOPE_TRY(FieldResolver prio_array, FieldResolver::find(debug, "struct rt_prio_array"));
  VMSCOPE_TRY(Field queue, prio_array.required("queue"));
  l.prio_queue = queue.offset;
  VMSCOPE_TRY(debuginfo::QualifiedType queue_type, prio_array.member_type("queue"));
  const debuginfo::Type& array = queue_type->underlying();
  if (array.kind() != debuginfo::TypeKind::kArray || !array.length() || *array.length() == 0) {
    return Error(ErrorCode::kUnsupported, "rt_prio_array.queue is not a sized array",
                 {.name = "rt_prio_array.queue"});
  }
  l.prio_levels = static_cast<std::uint32_t>(*array.length());
  VMSCOPE_TRY(l.list_head_size, debuginfo::sizeof_type(array.target()));
  VMSCOPE_TRY(FieldResolver rt_rq, FieldResolver::find(debug, "struct rt_rq"));
  VMSCOPE_TRY(Field active, rt_rq.required("active"));
  l.rt_rq_active = active.offset;
  VMSCOPE_TRY(l.rt_list, list_layout(names, "struct sched_rt_entity", "run_list"));
  VMSCOPE_TRY(FieldResolver rt_se, FieldResolver::find(debug, "struct sched_rt_entity"));
  if (Field my_q = rt_se.optional("my_q"); my_q.present()) l.rt_se_my_q = my_q.offset;
  VMSCOPE_TRY(l.task_rt, member_offset(names, "struct task_struct", "rt"));

  VMSCOPE_TRY(FieldResolver cfs_rq, FieldResolver::find(debug, "struct cfs_rq"));
  VMSCOPE_TRY(l.cfs_timeline, rb_root_of(cfs_rq, "tasks_timeline"));
  VMSCOPE_TRY(l.cfs_tree, rbtree_layout(names, "struct sched_entity", "run_node"));
  VMSCOPE_TRY(FieldResolver se, FieldResolver::find(debug, "struct sched_entity"));
  if (Field my_q = se.optional("my_q"); my_q.present()) l.se_my_q = my_q.offset;
  VMSCOPE_TRY(l.task_se, member_offset(names, "struct task_struct", "se"));
  return l;
}

Result<RunQueues> read_run_queues(const VirtualMemory& memory, const KernelLayouts& layouts,
                                  const CancellationToken& cancel) {
  VMSCOPE_TRY(RunQueueLayout layout, RunQueueLayout::resolve(layouts.debug()));
  VMSCOPE_TRY(const TaskLayout* tasks, layouts.tasks());
  VMSCOPE_TRY(const PerCpuLayout* per_cpu, layouts.per_cpu());
  VMSCOPE_TRY(CpuInfo cpus, read_cpu_info(memory, *per_cpu));
  const TaskStateBits states = read_task_state_bits(memory, *tasks);
  RunQueues out;
  RunQueueReader reader(memory, layout, *tasks, states, cancel, out);
  for (std::uint32_t cpu : cpus.possible_cpus()) {
    CpuRunQueue queue{.cpu = cpu, .online = cpus.online.empty() || cpus.online.contains(cpu)};
    auto rq = cpus.address(layout.runqueues, cpu);
    if (!rq.ok()) {
      out.problems.push_back(
          rq.error().with_context("locating the runqueue of CPU " + std::to_string(cpu)));
      continue;
    }
    queue.rq = *rq;
    VMSCOPE_CHECK(reader.read_cpu(queue));
    out.cpus.push_back(std::move(queue));
  }
  return out;
}

}  // namespace vmscope::kernel
