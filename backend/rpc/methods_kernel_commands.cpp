// The next ten crash commands over JSON-RPC: kernel/runQueues (runq), kernel/mounts (mount),
// tasks/files (files), tasks/memoryMap (vm), kernel/netDevices (net), memory/summary
// (kmem -i), kernel/irqs (irq), kernel/timers (timer), kernel/devices (dev and dev -d) and
// percpu/read (p <per-CPU variable>:a). Each reads the dump through the kernel model
// (kernel/*.h) with the dump's kept layouts and task list (server/kernel_facts.h); shapes are
// in protocol-spec/openrpc.json. Every result says whether it is partial and why.
#include <algorithm>
#include <climits>
#include <vector>

#include "debuginfo/type_layout.h"
#include "debuginfo/type_name.h"
#include "kernel/devices.h"
#include "kernel/disk_io.h"
#include "kernel/irqs.h"
#include "kernel/memory_summary.h"
#include "kernel/mounts.h"
#include "kernel/net_devices.h"
#include "kernel/open_files.h"
#include "kernel/per_cpu_variable.h"
#include "kernel/runq.h"
#include "kernel/timers.h"
#include "kernel/vm_areas.h"
#include "rpc/methods_kernel.h"
#include "rpc/methods_kernel_wire.h"
#include "rpc/wire_values.h"
#include "support/hex.h"

namespace vmscope::rpc {
namespace {

constexpr std::uint64_t kMaxPerCpuBytes = 4096;  // bytes of each CPU's copy percpu/read returns

// What every handler here reads with.
struct Reading {
  KernelMethods::Dump dump;
  const kernel::KernelLayouts* layouts = nullptr;
  const VirtualMemory& memory() const { return dump.facts->target().program().memory(); }
};

Result<Reading> reading(const KernelMethods& methods, const Json& params) {
  VMSCOPE_TRY(KernelMethods::Dump d, methods.dump(params));
  VMSCOPE_TRY(const kernel::KernelLayouts* layouts, d.facts->layouts());
  return Reading{std::move(d), layouts};
}

Json nullable_hex(std::uint64_t value) {
  return value == 0 ? Json(nullptr) : Json(hex_u64(value));
}

Json nullable_text(const std::string& text) {
  return text.empty() ? Json(nullptr) : Json(text);
}

Json with_problems(Json result, std::span<const Error> problems) {
  result["partial"] = !problems.empty();
  result["problems"] = problems_json(problems);
  return result;
}

// The task a per-task request names (named_task), which must be in the task list: these
// methods read its files and memory map through the list's entry.
Result<const kernel::Task*> listed_task(const kernel::TaskList& tasks, const Json& params) {
  VMSCOPE_TRY(NamedTask named, named_task(tasks, params));
  if (named.task) return named.task;
  return Error(ErrorCode::kNotFound,
               "no task at " + hex_u64(named.ref.address) + " in the task list",
               {.address = named.ref.address});
}

Json queued_json(const kernel::QueuedTask& t) {
  return {{"pid", t.pid},
          {"comm", t.comm},
          {"address", hex_u64(t.task)},
          {"prio", t.prio},
          {"depth", t.depth}};
}

Json queued_list(const std::vector<kernel::QueuedTask>& list) {
  Json out = Json::array();
  for (const kernel::QueuedTask& t : list) out.push_back(queued_json(t));
  return out;
}

Result<Json> run_queues(const KernelMethods& methods, const Json& params,
                        const RequestContext& context) {
  VMSCOPE_TRY(Reading r, reading(methods, params));
  VMSCOPE_TRY(kernel::RunQueues q, kernel::read_run_queues(r.memory(), *r.layouts, context.cancel));
  Json cpus = Json::array();
  for (const kernel::CpuRunQueue& c : q.cpus) {
    cpus.push_back(
        {{"cpu", c.cpu},
         {"online", c.online},
         {"runqueue", hex_u64(c.rq)},
         {"current", {{"pid", c.curr_pid}, {"comm", c.curr_comm}, {"address", hex_u64(c.curr)}}},
         {"rtPrioArray", hex_u64(c.rt_prio_array)},
         {"rt", queued_list(c.rt)},
         {"cfsRoot", hex_u64(c.cfs_root)},
         {"cfs", queued_list(c.cfs)},
         {"dlRoot", c.dl_root ? Json(hex_u64(*c.dl_root)) : Json(nullptr)},
         {"dl", queued_list(c.dl)}});
  }
  return with_problems({{"cpus", std::move(cpus)}}, q.problems);
}

Result<Json> mounts(const KernelMethods& methods, const Json& params,
                    const RequestContext& context) {
  VMSCOPE_TRY(Reading r, reading(methods, params));
  std::optional<std::uint64_t> owner;
  if (params.contains("pid") || params.contains("address")) {
    VMSCOPE_TRY(auto tasks, r.dump.facts->tasks(context.cancel));
    VMSCOPE_TRY(const kernel::Task* task, listed_task(*tasks, params));
    owner = task->address;
  }
  VMSCOPE_TRY(kernel::MountList m,
              kernel::list_mounts(r.memory(), *r.layouts, context.cancel, owner));
  Json list = Json::array();
  for (const kernel::MountEntry& e : m.mounts) {
    list.push_back({{"mount", hex_u64(e.mount)},
                    {"superBlock", hex_u64(e.superblock)},
                    {"type", e.type},
                    {"devname", e.devname},
                    {"dirname", e.dirname}});
  }
  return with_problems({{"mntNamespace", hex_u64(m.mnt_namespace)}, {"mounts", std::move(list)}},
                       m.problems);
}

Result<Json> files(const KernelMethods& methods, const Json& params,
                   const RequestContext& context) {
  VMSCOPE_TRY(Reading r, reading(methods, params));
  VMSCOPE_TRY(auto tasks, r.dump.facts->tasks(context.cancel));
  VMSCOPE_TRY(const kernel::Task* task, listed_task(*tasks, params));
  VMSCOPE_TRY(kernel::OpenFiles f,
              kernel::list_open_files(r.memory(), *r.layouts, task->address, context.cancel));
  Json list = Json::array();
  for (const kernel::OpenFile& e : f.files) {
    list.push_back({{"fd", e.fd},
                    {"file", hex_u64(e.file)},
                    {"dentry", nullable_hex(e.dentry)},
                    {"inode", nullable_hex(e.inode)},
                    {"type", e.type},
                    {"path", e.path}});
  }
  return with_problems({{"task", task_ref_json(*task)},
                        {"root", f.root},
                        {"cwd", f.cwd},
                        {"filesStruct", nullable_hex(f.files_struct)},
                        {"maxFds", f.max_fds},
                        {"files", std::move(list)}},
                       f.problems);
}

Result<Json> memory_map(const KernelMethods& methods, const Json& params,
                        const RequestContext& context) {
  VMSCOPE_TRY(Reading r, reading(methods, params));
  VMSCOPE_TRY(auto tasks, r.dump.facts->tasks(context.cancel));
  VMSCOPE_TRY(const kernel::Task* task, listed_task(*tasks, params));
  VMSCOPE_TRY(kernel::VmAreas v,
              kernel::list_vm_areas(r.memory(), *r.layouts, task->address, context.cancel));
  Json list = Json::array();
  for (const kernel::VmArea& a : v.areas) {
    list.push_back({{"vma", hex_u64(a.vma)},
                    {"start", hex_u64(a.start)},
                    {"end", hex_u64(a.end)},
                    {"flags", hex_u64(a.flags)},
                    {"file", nullable_hex(a.file)},
                    {"path", nullable_text(a.path)}});
  }
  return with_problems({{"task", task_ref_json(*task)},
                        {"mm", nullable_hex(v.mm)},
                        {"pgd", nullable_hex(v.pgd)},
                        {"areas", std::move(list)}},
                       v.problems);
}

Result<Json> net_devices(const KernelMethods& methods, const Json& params,
                         const RequestContext& context) {
  VMSCOPE_TRY(Reading r, reading(methods, params));
  VMSCOPE_TRY(kernel::NetDevices n,
              kernel::list_net_devices(r.memory(), *r.layouts, context.cancel));
  Json list = Json::array();
  for (const kernel::NetDevice& d : n.devices) {
    list.push_back(
        {{"address", hex_u64(d.address)}, {"name", d.name}, {"ipv4", d.ipv4}, {"ipv6", d.ipv6}});
  }
  return with_problems({{"devices", std::move(list)}}, n.problems);
}

Result<Json> memory_summary(const KernelMethods& methods, const Json& params,
                            const RequestContext& context) {
  VMSCOPE_TRY(Reading r, reading(methods, params));
  kernel::MemorySummaryOptions options;
  options.page_size = page_size_of(*r.dump.facts);
  VMSCOPE_TRY(kernel::MemorySummary m,
              kernel::read_memory_summary(r.memory(), *r.layouts, options, context.cancel));
  return with_problems({{"pageSize", m.page_size},
                        {"totalPages", m.total},
                        {"freePages", m.free},
                        {"usedPages", m.used},
                        {"sharedPages", m.shared},
                        {"bufferPages", m.buffers},
                        {"cachedPages", m.cached},
                        {"slabPages", m.slab},
                        {"hugeTotalPages", m.huge_total},
                        {"hugeFreePages", m.huge_free},
                        {"swapTotalPages", m.swap_total},
                        {"swapFreePages", m.swap_free},
                        {"swapUsedPages", m.swap_used},
                        {"commitLimitPages", m.commit_limit},
                        {"committedPages", m.committed}},
                       m.problems);
}

Result<Json> irqs(const KernelMethods& methods, const Json& params, const RequestContext& context) {
  VMSCOPE_TRY(Reading r, reading(methods, params));
  VMSCOPE_TRY(kernel::Irqs q, kernel::list_irqs(r.memory(), *r.layouts, context.cancel));
  Json list = Json::array();
  for (const kernel::IrqEntry& e : q.irqs) {
    Json actions = Json::array();
    for (const kernel::IrqAction& a : e.actions) {
      actions.push_back({{"action", hex_u64(a.action)}, {"name", a.name}});
    }
    list.push_back({{"irq", e.irq}, {"desc", hex_u64(e.desc)}, {"actions", std::move(actions)}});
  }
  return with_problems({{"nrIrqs", q.nr_irqs}, {"irqs", std::move(list)}}, q.problems);
}

Result<Json> timers(const KernelMethods& methods, const Json& params,
                    const RequestContext& context) {
  VMSCOPE_TRY(Reading r, reading(methods, params));
  VMSCOPE_TRY(kernel::TimerWheel w, kernel::list_timers(r.memory(), *r.layouts, context.cancel));
  Json bases = Json::array();
  for (const kernel::TimerBase& b : w.bases) {
    Json list = Json::array();
    for (const kernel::PendingTimer& t : b.timers) {
      list.push_back({{"timer", hex_u64(t.timer)},
                      {"expires", t.expires},
                      {"function", hex_u64(t.function)},
                      {"functionName", nullable_text(t.function_name)}});
    }
    bases.push_back({{"cpu", b.cpu},
                     {"index", b.index},
                     {"address", hex_u64(b.address)},
                     {"timers", std::move(list)}});
  }
  return with_problems({{"jiffies", w.jiffies}, {"bases", std::move(bases)}}, w.problems);
}

Result<Json> devices(const KernelMethods& methods, const Json& params,
                     const RequestContext& context) {
  VMSCOPE_TRY(Reading r, reading(methods, params));
  const KernelSymbols* symbols =
      r.dump.facts->target().program().kernel_symbols().value_or(nullptr);
  VMSCOPE_TRY(kernel::Devices d,
              kernel::list_devices(r.memory(), *r.layouts, context.cancel, symbols));
  VMSCOPE_TRY(kernel::DiskIoList disks,
              kernel::list_disk_io(r.memory(), *r.layouts, context.cancel));
  Json chr = Json::array();
  for (const kernel::CharDeviceRegion& c : d.char_devices) {
    chr.push_back({{"region", hex_u64(c.region)},
                   {"major", c.major},
                   {"baseMinor", c.baseminor},
                   {"minorCount", c.minorct},
                   {"name", c.name},
                   {"cdev", nullable_hex(c.cdev)},
                   {"operations", nullable_hex(c.ops)},
                   {"operationsName", nullable_text(c.ops_name)}});
  }
  Json blk = Json::array();
  for (const kernel::BlockDeviceMajor& b : d.block_devices) {
    blk.push_back({{"majorName", hex_u64(b.major_name)},
                   {"major", b.major},
                   {"name", b.name},
                   {"gendisk", nullable_hex(b.gendisk)},
                   {"operations", nullable_hex(b.ops)},
                   {"operationsName", nullable_text(b.ops_name)}});
  }
  Json disk_list = Json::array();
  for (const kernel::DiskIo& k : disks.disks) {
    disk_list.push_back({{"gendisk", hex_u64(k.gendisk)},
                         {"major", k.major},
                         {"name", k.name},
                         {"queue", nullable_hex(k.queue)},
                         {"inFlightReads", k.reads ? Json(*k.reads) : Json(nullptr)},
                         {"inFlightWrites", k.writes ? Json(*k.writes) : Json(nullptr)}});
  }
  std::vector<Error> problems = d.problems;
  problems.insert(problems.end(), disks.problems.begin(), disks.problems.end());
  return with_problems({{"charDevices", std::move(chr)},
                        {"blockDevices", std::move(blk)},
                        {"disks", std::move(disk_list)}},
                       problems);
}

Result<Json> per_cpu_read(const KernelMethods& methods, const Json& params,
                          const RequestContext& context) {
  VMSCOPE_TRY(Reading r, reading(methods, params));
  VMSCOPE_TRY(std::string name, required_string(params, "name"));
  VMSCOPE_CHECK(context.cancel.check());
  VMSCOPE_TRY(kernel::PerCpuVariable v,
              kernel::find_per_cpu_variable(r.memory(), *r.layouts, name));
  const std::uint64_t size = debuginfo::sizeof_type(v.type).value_or(0);
  VMSCOPE_TRY(std::uint64_t length,
              optional_count(params, "length", std::min(size, kMaxPerCpuBytes), kMaxPerCpuBytes));
  std::vector<Error> problems = v.problems;
  Json copies = Json::array();
  for (const kernel::PerCpuCopy& c : v.copies) {
    std::vector<std::byte> bytes(length);
    Status read = r.memory().read(c.address, bytes);
    if (!read.ok())
      problems.push_back(
          read.error().with_context("reading CPU " + std::to_string(c.cpu) + "'s copy"));
    copies.push_back({{"cpu", c.cpu},
                      {"address", hex_u64(c.address)},
                      {"data", read.ok() ? Json(hex_bytes(bytes)) : Json(nullptr)}});
  }
  return with_problems({{"name", v.name},
                        {"type", debuginfo::type_name(v.type)},
                        {"size", size},
                        {"linkAddress", hex_u64(v.link_address)},
                        {"copies", std::move(copies)}},
                       problems);
}

}  // namespace

void register_kernel_command_methods(Dispatcher& dispatcher, const KernelMethods& methods) {
  using CommandHandler = Result<Json> (*)(const KernelMethods&, const Json&, const RequestContext&);
  const std::pair<const char*, CommandHandler> table[] = {
      {"kernel/runQueues", run_queues},
      {"kernel/mounts", mounts},
      {"tasks/files", files},
      {"tasks/memoryMap", memory_map},
      {"kernel/netDevices", net_devices},
      {"memory/summary", memory_summary},
      {"kernel/irqs", irqs},
      {"kernel/timers", timers},
      {"kernel/devices", devices},
      {"percpu/read", per_cpu_read},
  };
  for (const auto& [name, handler] : table) {
    dispatcher.add(name, [methods, handler](const Json& params, const RequestContext& context) {
      return handler(methods, params, context);
    });
  }
}

}  // namespace vmscope::rpc
