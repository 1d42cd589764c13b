#include "kernel/sys_info.h"

#include <cmath>
#include <cstdio>

#include "debuginfo/type_layout.h"
#include "kernel/per_cpu.h"

namespace vmscope::kernel {
namespace {

constexpr std::uint32_t kMaxNodes = 1u << 12;
constexpr std::uint64_t kFixed1 = 1u << 11;  // FIXED_1: avenrun's fixed point, FSHIFT = 11

std::optional<std::uint64_t> address_of(const debuginfo::DebugInfo& debug, std::string_view name) {
  auto v = debug.find_variable(name);
  if (!v.ok()) return std::nullopt;
  return v->address;
}

// &variable.designator, when the variable and the member exist.
std::optional<std::uint64_t> member_address(const debuginfo::DebugInfo& debug,
                                            std::string_view variable,
                                            std::string_view designator) {
  auto v = debug.find_variable(variable);
  if (!v.ok()) return std::nullopt;
  auto offset = debuginfo::offset_of(v->type, designator);
  if (!offset.ok()) return std::nullopt;
  return v->address + *offset;
}

Error missing(std::string what, std::string_view variable) {
  return Error(ErrorCode::kNotFound, what + ": the kernel has no `" + std::string(variable) + "`",
               {.name = std::string(variable)});
}

}  // namespace

Result<SysLayout> SysLayout::resolve(const debuginfo::DebugInfo& debug) {
  SysLayout l;
  if (auto uts = member_address(debug, "init_uts_ns", "name")) {
    l.utsname = uts;
    VMSCOPE_TRY(FieldResolver name, FieldResolver::find(debug, "struct new_utsname"));
    VMSCOPE_TRY(l.sysname, name.required("sysname"));
    VMSCOPE_TRY(l.nodename, name.required("nodename"));
    VMSCOPE_TRY(l.release, name.required("release"));
    VMSCOPE_TRY(l.version, name.required("version"));
    VMSCOPE_TRY(l.machine, name.required("machine"));
    l.domainname = name.optional("domainname");
  }
  l.jiffies_64 = address_of(debug, "jiffies_64");
  l.jiffies = address_of(debug, "jiffies");
  l.tick_nsec = address_of(debug, "tick_nsec");
  // The timekeeper lives in tk_core (3.17+), in timekeeper_data[] (6.13+), or alone (older).
  for (std::string_view holder : {"tk_core", "timekeeper_data"}) {
    if (!l.xtime_sec) l.xtime_sec = member_address(debug, holder, "timekeeper.xtime_sec");
    if (!l.xtime_sec) l.xtime_sec = member_address(debug, holder, "[0].timekeeper.xtime_sec");
    if (!l.ktime_sec) l.ktime_sec = member_address(debug, holder, "timekeeper.ktime_sec");
    if (!l.ktime_sec) l.ktime_sec = member_address(debug, holder, "[0].timekeeper.ktime_sec");
  }
  if (!l.xtime_sec) l.xtime_sec = member_address(debug, "timekeeper", "xtime_sec");
  l.avenrun = address_of(debug, "avenrun");
  l.cpu_khz = address_of(debug, "cpu_khz");
  if (auto nodes = debug.find_variable("node_data"); nodes.ok()) {
    const debuginfo::Type& array = nodes->type->underlying();
    if (array.kind() == debuginfo::TypeKind::kArray && array.length()) {
      l.node_data = nodes->address;
      l.node_data_length =
          static_cast<std::uint32_t>(std::min<std::uint64_t>(*array.length(), kMaxNodes));
    }
  }
  l.contig_page_data = address_of(debug, "contig_page_data");
  if (auto pgdat = FieldResolver::find(debug, "struct pglist_data"); pgdat.ok()) {
    l.node_present_pages = pgdat->optional("node_present_pages");
    l.node_spanned_pages = pgdat->optional("node_spanned_pages");
  }
  l.totalram_pages = address_of(debug, "_totalram_pages");
  if (!l.totalram_pages) l.totalram_pages = address_of(debug, "totalram_pages");
  l.panic_cpu = address_of(debug, "panic_cpu");
  l.crashing_cpu = address_of(debug, "crashing_cpu");
  return l;
}

std::string format_load_average(const std::array<std::uint64_t, 3>& avenrun) {
  std::string out;
  for (std::size_t i = 0; i < 3; ++i) {
    const std::uint64_t a = avenrun[i] + kFixed1 / 200;
    char part[32];
    std::snprintf(part, sizeof part, "%s%llu.%02llu", i ? ", " : "",
                  static_cast<unsigned long long>(a >> 11),
                  static_cast<unsigned long long>(((a & (kFixed1 - 1)) * 100) >> 11));
    out += part;
  }
  return out;
}

std::uint64_t installed_memory_estimate(std::uint64_t present_bytes) {
  constexpr std::uint64_t kGiB = 1ull << 30, kMiB = 1ull << 20;
  const std::uint64_t next = (present_bytes + kGiB - 1) / kGiB * kGiB;
  return next - present_bytes <= 64 * kMiB ? next : present_bytes;
}

std::string format_memory_size(std::uint64_t bytes) {
  char text[32];
  const double b = static_cast<double>(bytes);
  if (bytes == 0) return "0";
  if (bytes >= (1ull << 30)) {
    std::snprintf(text, sizeof text, "%.1f GB", b / (1ull << 30));
  } else if (bytes >= (1ull << 20)) {
    std::snprintf(text, sizeof text, "%.1f MB", b / (1ull << 20));
  } else {
    std::snprintf(text, sizeof text, "%llu KB", static_cast<unsigned long long>(bytes / 1024));
  }
  std::string out = text;
  if (auto at = out.find(".0 "); at != std::string::npos) out.erase(at, 2);
  return out;
}

namespace {

void read_utsname(const VirtualMemory& memory, const SysLayout& l, SysInfo& sys) {
  if (!l.utsname) {
    sys.problems.push_back(missing("release and version", "init_uts_ns"));
    return;
  }
  ByteSpan span;
  for (const Field& f : {l.sysname, l.nodename, l.release, l.version, l.machine, l.domainname}) {
    span.add(f);
  }
  auto name = StructWindow::read(memory, *l.utsname, span);
  if (!name.ok()) {
    sys.problems.push_back(name.error().with_context("reading init_uts_ns"));
    return;
  }
  sys.sysname = name->string(l.sysname);
  sys.nodename = name->string(l.nodename);
  sys.release = name->string(l.release);
  sys.version = name->string(l.version);
  sys.machine = name->string(l.machine);
  sys.domainname = name->string(l.domainname);
}

void read_memory(const VirtualMemory& memory, const SysLayout& l, SysInfo& sys) {
  if (l.totalram_pages) {
    auto pages = memory.read_u64(*l.totalram_pages);
    if (pages.ok()) {
      sys.totalram_pages = *pages;
    } else {
      sys.problems.push_back(pages.error().with_context("reading totalram_pages"));
    }
  }
  if (!l.node_present_pages.present()) {
    sys.problems.push_back(missing("memory size", "pglist_data.node_present_pages"));
    return;
  }
  std::vector<std::uint64_t> nodes;
  if (l.node_data) {
    for (std::uint32_t i = 0; i < l.node_data_length; ++i) {
      auto node = memory.read_u64(*l.node_data + 8ull * i);
      if (!node.ok()) {
        sys.problems.push_back(node.error().with_context("reading node_data"));
        return;
      }
      if (*node != 0) nodes.push_back(*node);
    }
  } else if (l.contig_page_data) {
    nodes.push_back(*l.contig_page_data);
  }
  if (nodes.empty()) {
    sys.problems.push_back(missing("memory size", "node_data"));
    return;
  }
  std::uint64_t pages = 0;
  for (std::uint64_t node : nodes) {
    auto present = memory.read_u64(node + l.node_present_pages.offset);
    if (!present.ok()) {
      sys.problems.push_back(present.error().with_context("reading node_present_pages"));
      return;
    }
    std::uint64_t n = *present;
    if (n == 0 && l.node_spanned_pages.present()) {
      n = memory.read_u64(node + l.node_spanned_pages.offset).value_or(0);
    }
    pages += n;
  }
  sys.memory_present_pages = pages;
}

void read_times(const VirtualMemory& memory, const SysLayout& l, const Vmcoreinfo* info,
                SysInfo& sys) {
  if (l.jiffies_64 || l.jiffies) {
    auto j = memory.read_u64(l.jiffies_64 ? *l.jiffies_64 : *l.jiffies);
    if (j.ok()) {
      sys.jiffies = *j;
    } else {
      sys.problems.push_back(j.error().with_context("reading jiffies"));
    }
  }
  if (l.tick_nsec) {
    auto tick = memory.read_u64(*l.tick_nsec);
    if (tick.ok() && *tick > 0 && *tick <= 1000000000ull) {
      sys.hz = static_cast<std::uint32_t>(std::llround(1e9 / static_cast<double>(*tick)));
    }
  }
  if (sys.jiffies && sys.hz && *sys.hz > 0) {
    // INITIAL_JIFFIES: jiffies start 5 minutes before wrapping 32 bits, to catch wrap bugs.
    const std::uint64_t initial =
        static_cast<std::uint32_t>(-300 * static_cast<std::int64_t>(*sys.hz));
    sys.uptime_seconds = (*sys.jiffies - initial) / *sys.hz;
  } else if (l.ktime_sec) {
    auto seconds = memory.read_u64(*l.ktime_sec);
    if (seconds.ok()) sys.uptime_seconds = *seconds;
  }
  if (!sys.uptime_seconds) {
    sys.problems.push_back(Error(ErrorCode::kNotFound,
                                 "uptime: neither jiffies with tick_nsec nor the timekeeper "
                                 "could be read",
                                 {.name = "jiffies_64"}));
  }

  if (info) {
    if (auto t = info->crash_time(); t.ok()) {
      sys.crash_time = *t;
      sys.crash_time_source = "CRASHTIME";
    }
  }
  if (!sys.crash_time && l.xtime_sec) {
    auto seconds = memory.read_u64(*l.xtime_sec);
    if (seconds.ok()) {
      sys.crash_time = static_cast<std::int64_t>(*seconds);
      sys.crash_time_source = "timekeeper";
    } else {
      sys.problems.push_back(seconds.error().with_context("reading the timekeeper's xtime_sec"));
    }
  } else if (!sys.crash_time) {
    sys.problems.push_back(missing("crash time", "tk_core"));
  }

  if (l.avenrun) {
    std::array<std::uint64_t, 3> load{};
    Status s = memory.read(*l.avenrun, std::as_writable_bytes(std::span(load)));
    if (s.ok()) {
      sys.avenrun = load;
    } else {
      sys.problems.push_back(s.error().with_context("reading avenrun"));
    }
  } else {
    sys.problems.push_back(missing("load average", "avenrun"));
  }
  if (l.cpu_khz) {
    auto khz = memory.read_u32(*l.cpu_khz);
    if (khz.ok()) sys.cpu_mhz = *khz / 1000;
  }
}

// The task running on `cpu` (its runqueue's curr).
std::optional<std::uint64_t> running_on(const VirtualMemory& memory, const TaskLayout& tasks,
                                        const CpuInfo& cpus, std::uint32_t cpu) {
  if (!tasks.runqueues) return std::nullopt;
  auto rq = cpus.address(*tasks.runqueues, cpu);
  if (!rq.ok()) return std::nullopt;
  auto curr = memory.read_u64(*rq + tasks.rq_curr.offset);
  if (!curr.ok() || *curr == 0) return std::nullopt;
  return *curr;
}

// A CPU number kept in an int/atomic_t: -1 (PANIC_CPU_INVALID) when unset.
std::optional<std::uint32_t> cpu_variable(const VirtualMemory& memory,
                                          const std::optional<std::uint64_t>& address,
                                          const CpuInfo& cpus) {
  if (!address) return std::nullopt;
  auto value = memory.read_u32(*address);
  if (!value.ok() || static_cast<std::int32_t>(*value) < 0 || *value >= cpus.nr_cpu_ids) {
    return std::nullopt;
  }
  return *value;
}

void find_crashed_task(const VirtualMemory& memory, const KernelLayouts& layouts,
                       const SysInputs& inputs, const TaskList* tasks, const KernelLog* log,
                       SysInfo& sys) {
  auto task_layout = layouts.tasks();
  if (!task_layout.ok()) {
    sys.problems.push_back(task_layout.error().with_context("crashed task"));
    return;
  }
  std::optional<CpuInfo> cpus;
  if (auto per_cpu = layouts.per_cpu(); per_cpu.ok()) {
    if (auto info = read_cpu_info(memory, **per_cpu); info.ok()) cpus = std::move(info).value();
  }
  CrashedTask crashed;
  std::optional<std::uint64_t> address;
  if (inputs.notes && inputs.notes->panic_task && *inputs.notes->panic_task != 0) {
    address = inputs.notes->panic_task;
    crashed.source = "NT_TASKSTRUCT";
  }
  if (!address && cpus) {
    auto sys_layout = layouts.sys();
    if (sys_layout.ok()) {
      for (const auto& [cpu_var, name] : {std::pair{(*sys_layout)->panic_cpu, "panic_cpu"},
                                          std::pair{(*sys_layout)->crashing_cpu, "crashing_cpu"}}) {
        if (address) break;
        if (auto cpu = cpu_variable(memory, cpu_var, *cpus)) {
          address = running_on(memory, **task_layout, *cpus, *cpu);
          crashed.source = name;
        }
      }
    }
  }
  if (!address && log && tasks) {
    if (auto panic = find_panic_message(*log)) {
      for (const LogRecord& r : log->records) {
        if (r.text != *panic || !r.caller_tid) continue;
        if (const Task* t = tasks->find_pid(static_cast<std::int32_t>(*r.caller_tid))) {
          address = t->address;
          crashed.source = "panic record caller";
        }
        break;
      }
    }
  }
  if (!address) {
    sys.problems.push_back(Error(ErrorCode::kNotFound,
                                 "crashed task: no NT_TASKSTRUCT note, no valid panic_cpu or "
                                 "crashing_cpu, and no panic record with a caller",
                                 {.name = "panic_cpu"}));
    return;
  }
  crashed.address = *address;
  if (const Task* known = tasks ? tasks->find_address(*address) : nullptr) {
    crashed.pid = known->pid;
    crashed.comm = known->comm;
    crashed.cpu = known->cpu;
  } else {
    auto read =
        read_task(memory, **task_layout, read_task_state_bits(memory, **task_layout), *address);
    if (!read.ok()) {
      sys.problems.push_back(read.error().with_context("reading the crashed task"));
    } else {
      crashed.pid = read->pid;
      crashed.comm = read->comm;
      crashed.cpu = read->cpu;
    }
  }
  sys.crashed_task = std::move(crashed);
}

}  // namespace

Result<SysInfo> read_sys_info(const VirtualMemory& memory, const KernelLayouts& layouts,
                              const SysInputs& inputs, const CancellationToken& cancel) {
  SysInfo sys;
  if (inputs.vmcoreinfo) sys.page_size = inputs.vmcoreinfo->page_size().value_or(4096);
  VMSCOPE_TRY(const SysLayout* l, layouts.sys());
  read_utsname(memory, *l, sys);

  if (auto per_cpu = layouts.per_cpu(); per_cpu.ok()) {
    auto cpus = read_cpu_info(memory, **per_cpu);
    if (cpus.ok()) {
      sys.cpus_possible = cpus->possible.count();
      sys.cpus_present = cpus->present.count();
      sys.cpus_online = cpus->online.count();
    } else {
      sys.problems.push_back(cpus.error().with_context("reading the cpumasks"));
    }
  } else {
    sys.problems.push_back(per_cpu.error().with_context("CPUs"));
  }
  read_memory(memory, *l, sys);
  read_times(memory, *l, inputs.vmcoreinfo, sys);
  VMSCOPE_CHECK(cancel.check());

  std::optional<TaskList> own_tasks;
  const TaskList* tasks = inputs.tasks;
  if (!tasks) {
    auto listed = list_tasks(memory, layouts, cancel);
    if (!listed.ok()) {
      if (listed.error().code() == ErrorCode::kCancelled) return listed.error();
      sys.problems.push_back(listed.error().with_context("listing tasks"));
    } else {
      own_tasks = std::move(listed).value();
      tasks = &*own_tasks;
    }
  }
  if (tasks) sys.task_count = tasks->tasks.size();

  std::optional<KernelLog> own_log;
  const KernelLog* log = inputs.log;
  if (!log) {
    auto read = read_kernel_log(memory, layouts, cancel);
    if (!read.ok()) {
      if (read.error().code() == ErrorCode::kCancelled) return read.error();
      sys.problems.push_back(read.error().with_context("reading the log"));
    } else {
      own_log = std::move(read).value();
      log = &*own_log;
    }
  }
  sys.live = inputs.live;
  if (sys.live) return sys;  // nothing crashed: no panic message or crashed task to find
  if (log) {
    sys.panic_message = find_panic_message(*log);
  }
  find_crashed_task(memory, layouts, inputs, tasks, log, sys);
  return sys;
}

}  // namespace vmscope::kernel
