// The kernel methods: sys/info, tasks/list, tasks/backtrace, log/read, modules/list and
// triage/report. Each takes a dumpId and answers from that dump's kept kernel facts
// (server/kernel_facts.h): the first request computes a fact, every later one, from any
// client, reuses it. Handlers convert between wire JSON and kernel-model values only; the
// shapes are in protocol-spec/openrpc.json and the shared ones in methods_kernel_wire.h.
//
// Every result that can be partial says so: `partial` and `problems` (JSON-RPC error objects
// naming what could not be read, e.g. an excluded page with its address).
#pragma once

#include <memory>

#include "rpc/dispatcher.h"
#include "server/kernel_facts.h"
#include "server/kernel_facts_cache.h"
#include "server/session_registry.h"

namespace vmscope::rpc {

void register_kernel_methods(Dispatcher& dispatcher, server::SessionRegistry& sessions);

// What each area's handlers share: the registry and the facts of its dumps.
struct KernelMethods {
  server::SessionRegistry& sessions;
  std::shared_ptr<server::KernelFactsCache> facts;

  struct Dump {
    server::OpenDump dump;
    std::shared_ptr<const server::KernelFacts> facts;
  };
  // The dump params.dumpId names, with its facts.
  Result<Dump> dump(const Json& params) const;
};

// The task a per-task request names: `address` (a task_struct; one missing from the task list
// still names it, `task` then null), or `pid` (with `cpu` for the idle tasks, which all have
// pid 0). Exactly one of pid and address. Defined in methods_tasks.cpp.
struct NamedTask {
  kernel::TaskRef ref;
  const kernel::Task* task = nullptr;  // null: an address not in the task list
};
Result<NamedTask> named_task(const kernel::TaskList& tasks, const Json& params);

void register_sys_methods(Dispatcher& dispatcher, const KernelMethods& methods);
void register_task_methods(Dispatcher& dispatcher, const KernelMethods& methods);
void register_log_methods(Dispatcher& dispatcher, const KernelMethods& methods);
void register_module_methods(Dispatcher& dispatcher, const KernelMethods& methods);
void register_triage_methods(Dispatcher& dispatcher, const KernelMethods& methods);
// The next ten crash commands (methods_kernel_commands.cpp): kernel/runQueues, kernel/mounts,
// tasks/files, tasks/memoryMap, kernel/netDevices, memory/summary, kernel/irqs, kernel/timers,
// kernel/devices, percpu/read.
void register_kernel_command_methods(Dispatcher& dispatcher, const KernelMethods& methods);

// The page size of the dump (VMCOREINFO PAGESIZE, else 4096).
std::uint64_t page_size_of(const server::KernelFacts& facts);

}  // namespace vmscope::rpc
