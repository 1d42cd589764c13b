// Per-CPU run queues, as crash's `runq` shows them: for each CPU its `struct rq` (the per-CPU
// variable `runqueues`), the task it was running (rq->curr), and the tasks waiting in each
// scheduling class:
//   RT        rq->rt.active, a struct rt_prio_array: one list_head per priority
//             (queue[MAX_RT_PRIO]) of sched_rt_entity.run_list; task = container_of(rt_se,
//             task_struct, rt)
//   CFS       rq->cfs.tasks_timeline, the rb-tree of sched_entity.run_node ordered by
//             vruntime; task = container_of(se, task_struct, se)
//   deadline  rq->dl.root, the rb-tree of sched_dl_entity.rb_node; task via task_struct.dl
// With group scheduling an entity may stand for a task group (se->my_q / rt_se->my_q set):
// its own queue is walked in place, one level deeper, as crash does.
//
// Detected from DWARF: rb_root_cached vs rb_root for the timelines, the presence of my_q
// (CONFIG_FAIR_GROUP_SCHED / CONFIG_RT_GROUP_SCHED) and of the deadline class. Every walk is
// bounded (program/ walkers), cancellable, and a broken queue costs only its own entries:
// the reason lands in `problems`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "debuginfo/debug_info.h"
#include "kernel/kernel_layouts.h"
#include "program/list_walker.h"
#include "program/rbtree_walker.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::kernel {

struct RunQueueLayout {
  std::uint64_t runqueues = 0;  // link address of the per-CPU `runqueues`
  std::uint64_t rq_curr = 0;
  std::uint64_t rq_rt_active = 0;           // offsetof(rq, rt.active): the rt_prio_array
  std::uint64_t rq_cfs = 0;                 // offsetof(rq, cfs)
  std::optional<std::uint64_t> rq_dl_root;  // offsetof(rq, dl.root[.rb_root])
  // rt_prio_array / rt_rq
  std::uint64_t prio_queue = 0;  // offsetof(rt_prio_array, queue)
  std::uint32_t prio_levels = 0;
  std::uint64_t list_head_size = 16;
  std::uint64_t rt_rq_active = 0;           // offsetof(rt_rq, active)
  ListLayout rt_list;                       // entry = sched_rt_entity (run_list)
  std::optional<std::uint64_t> rt_se_my_q;  // CONFIG_RT_GROUP_SCHED
  std::uint64_t task_rt = 0;
  // cfs_rq
  std::uint64_t cfs_timeline = 0;        // offsetof(cfs_rq, tasks_timeline[.rb_root])
  RbTreeLayout cfs_tree;                 // entry = sched_entity (run_node)
  std::optional<std::uint64_t> se_my_q;  // CONFIG_FAIR_GROUP_SCHED
  std::uint64_t task_se = 0;
  // deadline
  RbTreeLayout dl_tree;  // entry = sched_dl_entity (rb_node)
  std::uint64_t task_dl = 0;

  static Result<RunQueueLayout> resolve(const debuginfo::DebugInfo& debug);
};

struct QueuedTask {
  std::uint64_t task = 0;
  std::int32_t pid = 0;
  std::string comm;
  std::int32_t prio = 0;    // task->prio, as crash prints in brackets
  std::uint32_t depth = 0;  // task-group nesting (0: on the CPU's own queue)
};

struct CpuRunQueue {
  std::uint32_t cpu = 0;
  bool online = true;
  std::uint64_t rq = 0;
  std::uint64_t curr = 0;
  std::int32_t curr_pid = 0;
  std::string curr_comm;
  std::uint64_t rt_prio_array = 0;  // &rq->rt.active, crash's "RT PRIO_ARRAY"
  std::vector<QueuedTask> rt;       // by priority, then queue order
  std::uint64_t cfs_root = 0;       // &rq->cfs.tasks_timeline, crash's "CFS RB_ROOT"
  std::vector<QueuedTask> cfs;      // in vruntime order
  std::optional<std::uint64_t> dl_root;
  std::vector<QueuedTask> dl;
};

struct RunQueues {
  std::vector<CpuRunQueue> cpus;  // possible CPUs in order
  std::vector<Error> problems;
  bool partial() const { return !problems.empty(); }
};

// Only cancellation and a kernel without run queues in its DWARF are errors.
Result<RunQueues> read_run_queues(const VirtualMemory& memory, const KernelLayouts& layouts,
                                  const CancellationToken& cancel);

}  // namespace vmscope::kernel
