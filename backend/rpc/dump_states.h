// What the protocol layer keeps per open dump beyond the KernelTarget itself: the value
// handles `value/evaluate` hands out and `value/children` comes back with, the sorted symbol
// names `symbols/search` pages through, and the module symbols `symbols/lookup` names module
// addresses with. The server's SessionRegistry owns the dump; this follows it.
//
// Lifetime: a state lives exactly as long as its dump session. A state is found through
// SessionRegistry::get(), so once `dump/close` removed the dump no request reaches its
// handles again; the state itself is dropped on the next lookup of any dump (its target is
// gone or no longer registered), and the ids of closed dumps are remembered (a bounded number)
// so a late `value/children` is told that its dump was closed rather than that it never
// existed. Handles hold Objects that point into the target's memory: they are used only while
// the request holds the target (Entry::dump keeps it alive).
//
// Threading: every method is safe from any thread; lazily built parts are built once.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "kernel/stack_trace.h"
#include "program/object_handles.h"
#include "program/symbol_catalog.h"
#include "server/session_registry.h"
#include "support/result.h"

namespace vmscope::rpc {

class DumpState {
 public:
  // Handles per dump: a task_struct rendered one level deep takes ~100; old ones are evicted
  // least-recently-used (object_handles.h), so a client re-evaluates after long browsing.
  static constexpr std::size_t kHandleCapacity = 16384;

  ObjectHandles& handles() { return handles_; }
  // The names of the vmlinux's symbols and of the kernel's own tables in memory (kallsyms, the
  // modules' symtabs), read on first use. kNotFound when neither can be read.
  Result<const SymbolCatalog*> catalog(const Program& program);
  // Module code symbols from the modules' kallsyms in memory (the stack tracer reads them),
  // built on first use.
  Result<const kernel::StackTracer*> module_symbols(const Program& program);

 private:
  ObjectHandles handles_{kHandleCapacity};
  std::mutex mutex_;  // guards the lazily built parts below
  std::unique_ptr<SymbolCatalog> catalog_;
  std::unique_ptr<kernel::StackTracer> tracer_;
  std::optional<Error> tracer_error_;  // a failed build is not retried on every request
};

class DumpStates {
 public:
  explicit DumpStates(server::SessionRegistry& sessions) : sessions_(sessions) {}

  struct Entry {
    server::OpenDump dump;  // holds the target alive for the request
    std::shared_ptr<DumpState> state;
  };
  // The open dump `dump_id` and its state. kNotFound naming the id when the dump is not open,
  // saying so when it was open and has been closed.
  Result<Entry> get(const std::string& dump_id);

  std::size_t size() const;

 private:
  struct Slot {
    std::weak_ptr<const KernelTarget> target;
    std::shared_ptr<DumpState> state;
  };
  static constexpr std::size_t kRememberClosed = 1024;
  void forget_closed_locked();
  bool was_closed_locked(const std::string& dump_id) const;

  server::SessionRegistry& sessions_;
  mutable std::mutex mutex_;
  std::map<std::string, Slot> slots_;
  std::deque<std::string> closed_;  // most recent last
};

}  // namespace vmscope::rpc
