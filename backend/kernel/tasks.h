// Every thread of the dumped kernel, as crash's `ps` and drgn's for_each_task() see them.
//
// Where the threads are: thread-group leaders hang on init_task.tasks; the threads of each
// group on its signal->thread_head list (task_struct.thread_node, 3.14+) or, on older kernels,
// on the leaders' thread_group ring. Idle tasks (pid 0, "swapper/N") other than init_task are
// on no list: each CPU's runqueue (`runqueues`, per-CPU) names its idle task and the task it
// was running (`curr`) — crash lists both, and so does this.
//
// What each layout choice detects, from DWARF (never a version):
//   state        task_struct.__state (5.14+) or .state
//   cpu          task_struct.cpu, else the embedded task_struct.thread_info.cpu, else the
//                thread_info at the bottom of task->stack
//   threads      signal_struct.thread_head + task_struct.thread_node, else .thread_group
//   RSS          mm_struct.rss_stat as an array of percpu_counter (6.2+) or of atomic_long_t
//                (mm_rss_stat.count[]), plus the per-thread caches in task_struct.rss_stat
//                (SPLIT_RSS_COUNTING) summed over the thread group, as crash does
//   state names  the kernel's task_state_array / stat_nam in memory (task_state.h)
//
// Every list walk is bounded, loop-detecting and cancellable (kernel_layouts.h): a corrupt
// `next` pointer ends the forward walk, the rest of the ring is recovered backwards, and the
// answer is marked partial with the reason. Cancellation is the only error once the walk has
// started.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "debuginfo/debug_info.h"
#include "kernel/kernel_layouts.h"
#include "kernel/per_cpu.h"
#include "kernel/task_state.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::kernel {

struct TaskLayout {
  ListHeadLayout list;
  std::uint64_t init_task = 0;  // address of init_task
  // task_struct
  Field tasks, pid, tgid, comm, state, exit_state, cpu, real_parent, parent, group_leader, mm,
      stack, flags, prio, signal;
  Field thread_node;   // absent on kernels with only thread_group
  Field thread_group;  // absent on kernels with only thread_node
  Field rss_cache;     // task_struct.rss_stat.count (SPLIT_RSS_COUNTING); absent otherwise
  std::uint32_t rss_cache_element = 4;
  Field stack_thread_info_cpu;  // thread_info.cpu at *task->stack, when `cpu` is absent
  ByteSpan task_span;           // the bytes of task_struct the walk reads
  // signal_struct
  Field thread_head;
  // mm_struct: RSS counters and total_vm
  Field mm_total_vm;
  Field mm_rss;                     // mm_struct.rss_stat[.count]
  std::uint32_t mm_rss_stride = 8;  // bytes between counters
  bool mm_rss_percpu = false;       // percpu_counter (count + per-CPU s32 deltas)
  Field percpu_counter_count, percpu_counter_counters;
  // Indexes of MM_FILEPAGES, MM_ANONPAGES, MM_SHMEMPAGES (enum from DWARF); nullopt if absent.
  std::optional<std::uint32_t> mm_file, mm_anon, mm_shmem;
  // rq (runqueues, per-CPU)
  std::optional<std::uint64_t> runqueues;  // per-CPU offset of `runqueues`
  Field rq_curr, rq_idle;
  // State names in memory.
  std::optional<std::uint64_t> task_state_array;
  std::uint32_t task_state_array_length = 0;
  std::optional<std::uint64_t> stat_nam;
  std::uint32_t stat_nam_length = 0;

  static Result<TaskLayout> resolve(const debuginfo::DebugInfo& debug);
};

struct Task {
  std::uint64_t address = 0;  // the task_struct
  std::int32_t pid = 0;
  std::int32_t tgid = 0;
  // The parent process as ps shows it (/proc's PPid): real_parent's tgid. 0 for tasks whose
  // real_parent is unreadable or absent.
  std::int32_t ppid = 0;
  std::uint64_t real_parent = 0;  // address
  std::uint64_t parent = 0;       // address (differs while ptraced)
  std::string comm;
  std::uint64_t state = 0;       // raw __state / state
  std::uint64_t exit_state = 0;  // raw exit_state
  std::string crash_state;       // "RU", "IN", "UN", "ID", …
  char ps_state = '?';           // 'R', 'S', 'D', 'I', …
  std::uint32_t cpu = 0;         // the CPU it last ran on
  std::int32_t prio = 0;
  std::uint64_t flags = 0;  // PF_* bits
  std::uint64_t mm = 0;
  std::uint64_t stack = 0;
  std::uint64_t group_leader = 0;
  bool kernel_thread = false;  // no mm (crash shows these in brackets)
  // The idle task of CPU `cpu` (pid 0).
  bool idle = false;
  // Set when this task was the one running on that CPU at the time of the dump (the CPU's
  // runqueue `curr`).
  std::optional<std::uint32_t> active_on_cpu;
  // Resident pages (file + anon + shmem) and total_vm pages of its mm; 0 for kernel threads.
  std::uint64_t rss_pages = 0;
  std::uint64_t total_vm_pages = 0;

  bool is_group_leader() const { return pid == tgid; }
};

struct TaskList {
  std::vector<Task> tasks;  // sorted by pid; the idle tasks (pid 0) by CPU
  // Per possible CPU: the task running on it and its idle task (0 if unreadable).
  struct Cpu {
    std::uint32_t cpu = 0;
    std::uint64_t curr = 0;
    std::uint64_t idle = 0;
  };
  std::vector<Cpu> cpus;
  // Why the list may be incomplete (a corrupt list link, an unreadable task, a runqueue that
  // could not be read); empty when every walk went round its whole ring.
  std::vector<Error> problems;
  bool partial() const { return !problems.empty(); }

  const Task* find_pid(std::int32_t pid) const;
  const Task* find_address(std::uint64_t address) const;
  // The threads of thread group `tgid`, leader first.
  std::vector<const Task*> threads_of(std::int32_t tgid) const;
};

// Reads the state-name table of this kernel (task_state_array / stat_nam), falling back to
// the 2.4-era defaults when neither can be read.
TaskStateBits read_task_state_bits(const VirtualMemory& memory, const TaskLayout& layout);

// Every thread. `cpus` may be null (no per-CPU data: idle tasks of other CPUs and the active
// tasks are then missing, and the list says so).
Result<TaskList> list_tasks(const VirtualMemory& memory, const TaskLayout& layout,
                            const CpuInfo* cpus, const CancellationToken& cancel);

// The same, resolving layouts through the per-dump cache.
Result<TaskList> list_tasks(const VirtualMemory& memory, const KernelLayouts& layouts,
                            const CancellationToken& cancel);

// One task_struct read on its own (the crashed task, a task given by address).
Result<Task> read_task(const VirtualMemory& memory, const TaskLayout& layout,
                       const TaskStateBits& states, std::uint64_t address);

}  // namespace vmscope::kernel
