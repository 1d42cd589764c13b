// Backtraces of kernel tasks, as crash's `bt` and drgn's prog.stack_trace() give them.
//
// A StackTracer is built once per dump and holds what every trace needs:
//   - ORC tables: the vmlinux's (its .orc_unwind_ip/.orc_unwind sections, in the format of the
//     build's DWARF `struct orc_entry`) and each loaded module's, read straight from the dump's
//     memory at mod->arch.orc_unwind_ip / orc_unwind / num_orcs (exact, and needs no .ko);
//   - DWARF CFI of the vmlinux (.debug_frame) as the fallback where ORC has no entry, and for
//     callee-saved registers; then frame pointers as a last guess — each frame says which;
//   - the stack layout (kernel/task_stack.h) and struct pt_regs from DWARF;
//   - inline expansion (debuginfo/inline_frames.h) and, on request, arguments and locals
//     (debuginfo/dwarf_locals.h);
//   - module names, text and symbols for module addresses, from each module's kallsyms in memory
//     (program/module_kallsyms.h, the same reader as the kernel symbol tables').
//
// A task running on a CPU when the dump was taken starts from that CPU's NT_PRSTATUS
// registers (the i-th note is CPU i, whatever its pr_pid says: QEMU writes vCPU + 1); a sleeping
// task from its switch frame. Its stacks are its own plus, if it was running, its CPU's IRQ
// and exception stacks.
//
// Frames: one per function activation, inline expansions expanded innermost first (so one
// unwound frame may give several StackFrames with the same pc and sp). A return address is
// looked up at pc - 1 (the call instruction), an interrupted pc as is. The walk ends at the
// end of the kernel stack or at the first user-mode frame (its pc is reported; user space is
// not unwound). A trace that could not finish keeps its frames and says why (`stopped`: an
// excluded page with its address, a pc without unwind information, a loop, the frame limit).
//
// Tasks come as TaskRefs (address, and the CPU it was running on): the task list
// (kernel/tasks.h) provides them; nothing here walks the task list.
//
// Threading: a StackTracer is immutable after create() and safe to share; trace() may run on
// several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "arch/x86_64_unwinder.h"
#include "debuginfo/dwarf_locals.h"
#include "debuginfo/line_table.h"
#include "program/program.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::kernel {

struct TaskRef {
  std::uint64_t address = 0;  // struct task_struct
  // The CPU it was running on when the dump was taken (rq->curr / task->on_cpu).
  std::optional<std::uint32_t> running_on_cpu;
};

struct StackFrame {
  std::uint64_t pc = 0;
  std::uint64_t sp = 0;
  // The function: DWARF's name (an inline expansion's own), else the ELF symbol's.
  std::string function;
  // The ELF symbol containing the pc (e.g. "__handle_sysrq.cold"), pc's offset into it and its
  // size; empty when none.
  std::string symbol;
  std::uint64_t symbol_offset = 0;
  std::uint64_t symbol_size = 0;
  std::string module;  // empty for the kernel image
  std::optional<debuginfo::SourceLocation> source;
  bool inline_frame = false;
  bool interrupted = false;  // the pc is exact (first frame, or registers from a pt_regs)
  bool user_mode = false;
  UnwindMethod method = UnwindMethod::kInitial;  // how this frame's registers were found
  // The frame was reached by crossing a struct pt_regs (IRQ, exception or syscall entry): its
  // address, and whether only its IRET part was there.
  std::optional<std::uint64_t> pt_regs;
  bool partial_pt_regs = false;
  std::string stack_kind;  // "task", "irq", "NMI", … ("" for user mode)
  // The registers known in this frame (all of them at an interrupted frame; rip, rsp, rbp and
  // whatever CFI recovered after a call).
  FrameRegisters registers;
  std::vector<debuginfo::FrameVariable> variables;  // with StackTraceOptions::variables

  // "name+0x1c/0x40" as drgn prints the symbol, or the hex pc.
  std::string symbol_offset_text() const;
};

struct StackTrace {
  TaskRef task;
  std::string start;  // where the registers came from
  std::vector<StackFrame> frames;
  // Why the trace ends early (nullopt: it reached the end of the stack or user mode).
  std::optional<Error> stopped;
  std::string end_reason;
  // Fallbacks used ("CFI at 0x…", "frame pointer at 0x…"), stacks that could not be located.
  std::vector<std::string> notes;
  bool complete() const { return !stopped; }
};

struct StackTraceOptions {
  std::size_t max_frames = 256;  // unwound frames (before inline expansion)
  bool variables = false;        // evaluate arguments and locals
};

struct StackTracerOptions {
  bool load_modules = true;  // read modules' ORC tables and symbols from memory
  bool load_cfi = true;      // the vmlinux's .debug_frame
  // Read task data and stacks through this instead of the program's memory (it must outlive
  // the tracer): tests use it to put an excluded page under a stack.
  const VirtualMemory* memory = nullptr;
};

class StackTracer {
 public:
  // Needs the program's debug info (a vmlinux with DWARF and ORC tables).
  static Result<std::unique_ptr<StackTracer>> create(const Program& program,
                                                     const StackTracerOptions& options = {});
  ~StackTracer();
  StackTracer(const StackTracer&) = delete;
  StackTracer& operator=(const StackTracer&) = delete;

  // Errors: kCancelled only. Everything else (an unreadable task, a stack in an excluded page)
  // is a StackTrace with `stopped` set.
  Result<StackTrace> trace(const TaskRef& task, const CancellationToken& cancel,
                           const StackTraceOptions& options = {}) const;

  // A trace from given registers over given stacks (a pt_regs found elsewhere, tests).
  Result<StackTrace> trace_from(const FrameRegisters& registers, bool interrupted,
                                std::vector<StackRegion> stacks, std::string origin,
                                const CancellationToken& cancel,
                                const StackTraceOptions& options = {}) const;

  // What was loaded: ORC table sizes and format origin, modules, CFI.
  const std::vector<std::string>& load_notes() const;

  // The loaded modules as the tracer sees them (for module names of frames and checks).
  struct ModuleInfo {
    std::string name;
    std::vector<debuginfo::AddressRange> text;
    std::size_t orc_entries = 0;
    std::size_t symbols = 0;
  };
  std::vector<ModuleInfo> modules() const;
  // The module symbol containing `address` ("name", offset), as frames name module code.
  std::optional<std::pair<std::string, std::uint64_t>> module_symbol(std::uint64_t address) const;

 private:
  struct State;
  explicit StackTracer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Every task's trace, in the order given. Errors: kCancelled only.
Result<std::vector<StackTrace>> backtrace_all(const StackTracer& tracer,
                                              std::span<const TaskRef> tasks,
                                              const CancellationToken& cancel,
                                              const StackTraceOptions& options = {});
// The same, building the tracer first.
Result<std::vector<StackTrace>> backtrace_all(const Program& program,
                                              std::span<const TaskRef> tasks,
                                              const CancellationToken& cancel,
                                              const StackTraceOptions& options = {});

}  // namespace vmscope::kernel
