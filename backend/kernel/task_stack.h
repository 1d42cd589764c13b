// Where a task's stacks are and where its unwind starts — the Linux-specific half of a
// backtrace (arch/x86_64_unwinder.h does the rest).
//
// Stacks (all sizes and offsets from DWARF or symbols, never constants):
//   task stack   [task->stack, + THREAD_SIZE); THREAD_SIZE is sizeof(union thread_union) where
//                DWARF has it, else the span of the boot task's stack (__end_init_task -
//                __start_init_task, which the linker script makes THREAD_SIZE long);
//   IRQ stack    the CPU's hardirq_stack_ptr (a per-CPU variable, or a member of per-CPU
//                pcpu_hot on newer kernels), which points just below the stack's top; the size
//                is sizeof(struct irq_stack);
//   exception    the CPU's cea_exception_stacks (per-CPU pointer into the CPU entry area): each
//   stacks       `*_stack` member of struct cea_exception_stacks (DF, NMI, DB, MCE, VC, …) is
//                one stack, its guard pages excluded.
// A task that was running when the dump was taken may be on its CPU's IRQ or exception stacks;
// a sleeping task only on its own.
//
// Starting registers:
//   running task   the NT_PRSTATUS registers of its CPU (the caller picks the note);
//   sleeping task  the switch frame the scheduler left at task->thread.sp: struct
//                  inactive_task_frame (callee-saved registers, rbp, the return address into
//                  __schedule); sp continues just above it. A task that never ran returns to
//                  ret_from_fork, whose code is entered, not returned to, so that pc is exact
//                  (the kernel's own unwinder makes the same exception).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "arch/x86_64_unwinder.h"
#include "debuginfo/debug_info.h"
#include "support/result.h"

namespace vmscope::kernel {

struct StackLayout {
  std::uint64_t thread_size = 0;
  std::string thread_size_origin;  // which source gave THREAD_SIZE
  std::uint64_t task_stack = 0;    // offsetof(struct task_struct, stack)
  std::uint64_t thread_sp = 0;     // offsetof(struct task_struct, thread.sp)

  // struct inactive_task_frame: its size and each member (absent members are nullopt).
  struct SwitchFrame {
    std::uint32_t size = 0;
    std::optional<std::uint32_t> bp, ret_addr, bx, r12, r13, r14, r15;
  };
  std::optional<SwitchFrame> switch_frame;  // nullopt: this kernel has no inactive_task_frame

  PtRegsLayout pt_regs;

  // Per-CPU: the IRQ stack pointer's per-CPU offset and the stack size.
  std::optional<std::uint64_t> hardirq_stack_ptr;
  std::uint64_t irq_stack_size = 0;
  // Per-CPU pointer to struct cea_exception_stacks, and its stacks (offset, size, name).
  std::optional<std::uint64_t> cea_exception_stacks;
  struct ExceptionStack {
    std::string name;  // "NMI", "DF", …
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
  };
  std::vector<ExceptionStack> exception_stacks;
  // __per_cpu_offset[] (nullopt: a kernel without SMP, per-CPU offsets are 0).
  std::optional<std::uint64_t> per_cpu_offsets;
  std::uint32_t per_cpu_offsets_length = 0;

  std::vector<std::uint64_t> fork_return;  // ret_from_fork (and ret_from_fork_asm)

  static Result<StackLayout> resolve(const debuginfo::DebugInfo& debug);
};

// Reads pt_regs' layout from DWARF (also used on its own by tests).
Result<PtRegsLayout> resolve_pt_regs_layout(const debuginfo::DebugInfo& debug);

// The task's own stack.
Result<StackRegion> task_stack_region(const VirtualMemory& memory, const StackLayout& layout,
                                      std::uint64_t task);

// CPU `cpu`'s IRQ and exception stacks. What cannot be read is left out; `problems` (optional)
// collects why.
std::vector<StackRegion> cpu_stack_regions(const VirtualMemory& memory, const StackLayout& layout,
                                           std::uint32_t cpu, std::vector<Error>* problems);

struct StartingRegisters {
  FrameRegisters registers;
  bool interrupted = false;  // the pc is exact
  std::string origin;        // "inactive_task_frame at thread.sp 0x…", "NT_PRSTATUS of CPU 1"
};

// The registers a sleeping task's unwind starts from.
Result<StartingRegisters> switch_frame_registers(const VirtualMemory& memory,
                                                 const StackLayout& layout, std::uint64_t task);

}  // namespace vmscope::kernel
