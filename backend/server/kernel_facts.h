// The kernel facts of one open dump, each computed once on first demand and kept for every
// later request and every client: struct layouts, the task list, the kernel log, the modules,
// `sys` information, the stack tracer (ORC tables, CFI), each task's backtrace and the triage
// of the crash. A dump is immutable, so none of these ever changes; recomputing the task list
// for each page of a task table, or every backtrace for each triage, would be pure waste.
//
// Each accessor takes the calling request's cancellation token. The first request computes
// with its own token; concurrent ones wait for it (computed_once.h); a cancelled computation
// is forgotten, not kept, so one client's cancel never poisons the cache for the others.
// Failures that are facts about the dump (no debug info, a kernel without a log buffer) are
// kept like values.
//
// Values come out as shared_ptr<const T>: callers keep what they read alive on their own, even
// if the dump is closed meanwhile. The KernelFacts keeps its KernelTarget alive the same way.
//
// Threading: every method is safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "kernel/kernel_layouts.h"
#include "kernel/kernel_target.h"
#include "kernel/modules.h"
#include "kernel/printk_records.h"
#include "kernel/stack_trace.h"
#include "kernel/sys_info.h"
#include "kernel/tasks.h"
#include "kernel/triage.h"
#include "server/computed_once.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::server {

class KernelFacts {
 public:
  // Backtraces kept per dump; beyond this many distinct task addresses, traces are computed
  // and returned without being kept (a client naming arbitrary addresses cannot grow memory
  // without bound).
  static constexpr std::size_t kMaxCachedTraces = 1 << 16;

  explicit KernelFacts(std::shared_ptr<const KernelTarget> target);
  KernelFacts(const KernelFacts&) = delete;
  KernelFacts& operator=(const KernelFacts&) = delete;

  const KernelTarget& target() const { return *target_; }

  // kUnsupported when the dump was opened without debug info (every fact below needs DWARF).
  Result<const kernel::KernelLayouts*> layouts() const;

  Result<std::shared_ptr<const kernel::TaskList>> tasks(const CancellationToken& cancel) const;
  Result<std::shared_ptr<const kernel::KernelLog>> log(const CancellationToken& cancel) const;
  // Module debug files are looked up under the debug root the vmlinux came from
  // (module_debug_root()); none are named when there is none.
  Result<std::shared_ptr<const kernel::ModuleList>> modules(const CancellationToken& cancel) const;
  // Reuses the task list and the log when they can be computed.
  Result<std::shared_ptr<const kernel::SysInfo>> sys(const CancellationToken& cancel) const;
  Result<std::shared_ptr<const kernel::StackTracer>> tracer(const CancellationToken& cancel) const;
  // The trace of one task (kept per task address, see kMaxCachedTraces).
  Result<std::shared_ptr<const kernel::StackTrace>> backtrace(
      const kernel::TaskRef& task, const CancellationToken& cancel) const;
  // The crash's title, culprit and bucket (kernel/triage.h), from the log, sys, the task list
  // and the backtraces above.
  Result<std::shared_ptr<const kernel::Triage>> triage(const CancellationToken& cancel) const;

 private:
  std::shared_ptr<const KernelTarget> target_;
  std::unique_ptr<kernel::KernelLayouts> layouts_;  // null without debug info

  ComputedOnce<kernel::TaskList> tasks_;
  ComputedOnce<kernel::KernelLog> log_;
  ComputedOnce<kernel::ModuleList> modules_;
  ComputedOnce<kernel::SysInfo> sys_;
  ComputedOnce<kernel::StackTracer> tracer_;
  ComputedOnce<kernel::Triage> triage_;

  mutable std::mutex traces_mutex_;
  mutable std::map<std::uint64_t, std::shared_ptr<ComputedOnce<kernel::StackTrace>>> traces_;
};

// Where a vmlinux's sibling debug files live: for Debian's layout, <root>/boot/vmlinux-<kver>
// and <root>/lib/modules/<kver>/vmlinux both give <root> when <root>/lib/modules exists.
// Empty when the path fits neither.
std::string module_debug_root(const std::string& vmlinux_path);

}  // namespace vmscope::server
