// The facts crash's `sys` prints first, each read from the dump on its own so one missing
// variable costs one line, not the answer:
//   release, version, machine, nodename   init_uts_ns.name
//   CPUs                                  the cpumasks (per_cpu.h); crash prints the present
//                                         count and, when fewer are online, "[OFFLINE: n]" —
//                                         a panicking CPU stops the others, and each stopped
//                                         CPU marks itself offline, so a dump usually has
//                                         one online CPU
//   memory                                the nodes' node_present_pages (crash's "MEMORY"),
//                                         and totalram_pages (what the kernel manages)
//   uptime                                jiffies_64 since INITIAL_JIFFIES, HZ from tick_nsec
//                                         (= NSEC_PER_SEC / HZ, rounded), else the
//                                         timekeeper's monotonic seconds
//   date                                  VMCOREINFO CRASHTIME when the crashing kernel wrote
//                                         one, else the timekeeper's xtime_sec
//   load average                          avenrun[], rounded as the kernel and crash do
//   panic message                         the log (printk_records.h find_panic_message)
//   crashed task                          the netdump NT_TASKSTRUCT note, else the task
//                                         running on `panic_cpu`, else on `crashing_cpu`,
//                                         else the thread that logged the panic message.
//                                         NT_PRSTATUS pids are not used: QEMU writes the vCPU
//                                         number + 1 there, not a Linux pid.
// A live kernel (/proc/kcore, SysInputs::live) has neither a panic message nor a crashed task,
// and their absence is no problem; its date and uptime are when it was read.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "debuginfo/debug_info.h"
#include "dump/dump.h"
#include "dump/vmcoreinfo.h"
#include "kernel/kernel_layouts.h"
#include "kernel/printk_records.h"
#include "kernel/tasks.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::kernel {

struct SysLayout {
  std::optional<std::uint64_t> utsname;  // &init_uts_ns.name
  Field sysname, nodename, release, version, machine, domainname;
  std::optional<std::uint64_t> jiffies_64, jiffies, tick_nsec;
  std::optional<std::uint64_t> xtime_sec, ktime_sec;  // &tk_core.timekeeper.{xtime,ktime}_sec
  std::optional<std::uint64_t> avenrun;               // unsigned long avenrun[3]
  std::optional<std::uint64_t> cpu_khz;               // unsigned int
  std::optional<std::uint64_t> node_data;             // struct pglist_data *node_data[]
  std::uint32_t node_data_length = 0;
  std::optional<std::uint64_t> contig_page_data;  // non-NUMA kernels
  Field node_present_pages, node_spanned_pages;
  std::optional<std::uint64_t> totalram_pages;  // _totalram_pages (atomic) or totalram_pages
  std::optional<std::uint64_t> panic_cpu, crashing_cpu;

  static Result<SysLayout> resolve(const debuginfo::DebugInfo& debug);
};

struct CrashedTask {
  std::uint64_t address = 0;
  std::int32_t pid = 0;
  std::string comm;
  std::uint32_t cpu = 0;
  // How it was found: "NT_TASKSTRUCT", "panic_cpu", "crashing_cpu", "panic record caller".
  std::string source;
};

struct SysInfo {
  std::string sysname, nodename, release, version, machine, domainname;
  std::uint32_t cpus_possible = 0, cpus_present = 0, cpus_online = 0;
  std::uint64_t page_size = 4096;
  std::optional<std::uint64_t> memory_present_pages;  // sum of node_present_pages
  std::optional<std::uint64_t> totalram_pages;
  std::optional<std::uint64_t> jiffies;
  std::optional<std::uint32_t> hz;
  std::optional<std::uint64_t> uptime_seconds;
  std::optional<std::int64_t> crash_time;               // seconds since the epoch (UTC)
  std::string crash_time_source;                        // "CRASHTIME" or "timekeeper"
  std::optional<std::array<std::uint64_t, 3>> avenrun;  // raw fixed-point (FSHIFT 11)
  std::optional<std::uint32_t> cpu_mhz;
  std::optional<std::uint64_t> task_count;  // threads, as crash's TASKS
  std::optional<std::string> panic_message;
  std::optional<CrashedTask> crashed_task;
  bool live = false;  // a running kernel, not a crash dump: no panic or crashed task sought
  // Facts that could not be read, one per missing line.
  std::vector<Error> problems;
  bool partial() const { return !problems.empty(); }

  // crash's "CPUS": the present count (else possible); "[OFFLINE: n]" is cpus() - online.
  std::uint32_t cpus() const { return cpus_present ? cpus_present : cpus_possible; }
  std::uint32_t cpus_offline() const {
    return cpus_online && cpus() > cpus_online ? cpus() - cpus_online : 0;
  }
};

// "0.23, 0.05, 0.02": LOAD_INT/LOAD_FRAC of avenrun + FIXED_1/200, as /proc/loadavg and crash.
std::string format_load_average(const std::array<std::uint64_t, 3>& avenrun);
// crash's guess at installed memory: the present bytes, rounded up to the next GiB when that
// is at most 64 MiB away.
std::uint64_t installed_memory_estimate(std::uint64_t present_bytes);
// crash's size text: "511.5 MB", "2 GB", "640 KB".
std::string format_memory_size(std::uint64_t bytes);

struct SysInputs {
  const DumpNotes* notes = nullptr;        // NT_TASKSTRUCT; may be null
  const Vmcoreinfo* vmcoreinfo = nullptr;  // CRASHTIME, PAGESIZE; may be null
  // Already computed lists to reuse; read when null.
  const TaskList* tasks = nullptr;
  const KernelLog* log = nullptr;
  // The memory is a running kernel's (dump/kcore.h is_live_kernel): nothing crashed.
  bool live = false;
};

// Errors only on cancellation; everything else missing is in `problems`.
Result<SysInfo> read_sys_info(const VirtualMemory& memory, const KernelLayouts& layouts,
                              const SysInputs& inputs, const CancellationToken& cancel);

}  // namespace vmscope::kernel
