// The x86_64 stack unwinder: from one frame's registers to its caller's, frame after frame,
// the way the kernel's own ORC unwinder (arch/x86/kernel/unwind_orc.c) walks a stack.
//
// Per step, in order of preference:
//   ORC          the entry covering the pc (arch/x86_64_orc.h): CALL frames (return address
//                below the previous SP), REGS frames (a full struct pt_regs: IRQ, exception and
//                syscall entry — the next frame is the interrupted one) and REGS_PARTIAL frames
//                (only the IRET part of a pt_regs); sp bases SP, BP, SP_INDIRECT (the IRQ-stack
//                switch of call_on_irqstack()), BP_INDIRECT, and R10/R13/DI/DX (only with
//                registers from a pt_regs, as the kernel requires);
//   DWARF CFI    when no ORC table covers the pc (CfiRow, filled by debuginfo/dwarf_cfi.h);
//   frame pointer  as a last guess (the kernel does the same for code without ORC, e.g. BPF);
// and each frame records which one produced it. With ORC, callee-saved registers other than
// rbp are unknown in the caller unless a CFI row for the same pc agrees on the CFA and says
// where they were saved — then they are recovered too (function arguments need them).
//
// Knowing nothing of Linux's data structures, the unwinder is told where the stacks are
// (StackRegion: a task's stack, a CPU's IRQ and exception stacks) and how struct pt_regs is laid
// out (PtRegsLayout, from the kernel's DWARF). Every walk is bounded (max frames), detects loops
// (a frame whose sp does not grow on the same stack, or a return to a stack already left),
// refuses to read outside the known stacks, and polls cancellation. A failure to go on is not
// an error of the call: the frames so far come back with `stopped` saying why (the read that
// failed — an excluded page, with its address —, the pc without unwind information, …).
//
// Threading: stateless; safe to call from several threads if the source and memory are.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "arch/x86_64_orc.h"
#include "arch/x86_64_registers.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope {

// Register numbers: 0–16 are the DWARF numbers of the System V x86_64 ABI (16 = the return
// address, i.e. rip); eflags, cs and ss follow for pt_regs' sake.
enum X86_64Reg : std::uint8_t {
  kRax = 0,
  kRdx = 1,
  kRcx = 2,
  kRbx = 3,
  kRsi = 4,
  kRdi = 5,
  kRbp = 6,
  kRsp = 7,
  kR8 = 8,
  kR9 = 9,
  kR10 = 10,
  kR11 = 11,
  kR12 = 12,
  kR13 = 13,
  kR14 = 14,
  kR15 = 15,
  kRip = 16,
  kEflags = 17,
  kCs = 18,
  kSs = 19,
  kUnwindRegisterCount = 20,
};

std::string_view x86_64_reg_name(int reg);

// One frame's registers, each known or not.
struct FrameRegisters {
  std::array<std::uint64_t, kUnwindRegisterCount> value{};
  std::uint32_t known = 0;

  bool has(int reg) const { return reg >= 0 && reg < kUnwindRegisterCount && (known >> reg) & 1; }
  std::optional<std::uint64_t> get(int reg) const {
    return has(reg) ? std::optional<std::uint64_t>(value[reg]) : std::nullopt;
  }
  void set(int reg, std::uint64_t v) {
    value[reg] = v;
    known |= 1u << reg;
  }
  void forget(int reg) {
    value[reg] = 0;
    known &= ~(1u << reg);
  }
  std::uint64_t pc() const { return value[kRip]; }
  std::uint64_t sp() const { return value[kRsp]; }

  // Every register of an NT_PRSTATUS set, all known.
  static FrameRegisters from(const X86_64Registers& regs);
};

// Where each register lies in the kernel's struct pt_regs (from its DWARF): offset and size
// (cs and ss are 16-bit in some kernels' unions). Registers without a slot are not restored.
struct PtRegsLayout {
  struct Slot {
    std::uint32_t offset = 0;
    std::uint32_t size = 8;
  };
  std::array<std::optional<Slot>, kUnwindRegisterCount> slots{};
  std::uint32_t size = 0;  // sizeof(struct pt_regs)

  // offsetof(ip): a REGS_PARTIAL entry's SP points there (the IRET frame).
  std::optional<std::uint32_t> iret_offset() const {
    return slots[kRip] ? std::optional<std::uint32_t>(slots[kRip]->offset) : std::nullopt;
  }
};

// A stack the unwinder may read: [begin, end).
struct StackRegion {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::string kind;  // "task", "irq", "NMI", "DF", … (the kernel layer names them)
  bool contains(std::uint64_t address, std::uint64_t length = 8) const {
    return address >= begin && address < end && end - address >= length;
  }
};

// One row of DWARF call frame information: how to compute the CFA and each register of the
// caller. Only the rules x86_64 kernels use are representable; the rest are kUnsupported.
struct CfiRule {
  enum class Kind : std::uint8_t {
    kUnspecified,  // no rule: callee-saved registers keep their value, others are lost
    kUndefined,
    kSameValue,
    kOffset,     // saved at CFA + offset
    kValOffset,  // the value is CFA + offset
    kRegister,   // the value is in register `reg`
    kUnsupported,
  };
  Kind kind = Kind::kUnspecified;
  std::int64_t offset = 0;
  int reg = -1;
};

struct CfiRow {
  bool cfa_supported = false;  // CFA = register + offset (not an expression)
  int cfa_register = kRsp;
  std::int64_t cfa_offset = 0;
  std::array<CfiRule, 17> rules{};  // by DWARF number; 16 = the return address
  int return_address_register = kRip;
  bool signal_frame = false;
};

// What the unwinder asks about code addresses. find_orc/find_cfi answer nullopt when no table
// covers the pc.
class X86_64UnwindSource {
 public:
  virtual ~X86_64UnwindSource() = default;
  virtual std::optional<OrcEntry> find_orc(std::uint64_t pc) const = 0;
  virtual std::optional<CfiRow> find_cfi(std::uint64_t pc) const = 0;
};

enum class UnwindMethod : std::uint8_t {
  kInitial,       // the starting registers
  kOrc,           // an ORC entry
  kCfi,           // DWARF call frame information
  kFramePointer,  // a guess: rbp chain (no ORC or CFI covered the pc)
};
std::string_view unwind_method_name(UnwindMethod method);

struct UnwoundFrame {
  FrameRegisters regs;
  // The pc is exact (the initial registers, or registers read from a pt_regs): the code there
  // was interrupted, not calling. Otherwise the pc is a return address.
  bool interrupted = false;
  // How this frame's registers were recovered from the frame before (kInitial for frame 0).
  UnwindMethod method = UnwindMethod::kInitial;
  // Set when they were read from a struct pt_regs (an IRQ, exception or syscall entry frame):
  // its address, and whether only the IRET part was there.
  std::optional<std::uint64_t> pt_regs;
  bool partial_pt_regs = false;
  // Running in user mode (cs & 3 == 3): the last frame; user space is not unwound.
  bool user_mode = false;
  // The stack the frame's sp is on (index into the stacks given); nullopt for user frames.
  std::optional<std::size_t> stack;
  // This frame's canonical frame address (its caller's sp before the call), once the step to
  // the caller computed it.
  std::optional<std::uint64_t> cfa;
};

struct UnwindLimits {
  std::size_t max_frames = 256;
  // Recover callee-saved registers from CFI alongside ORC (costs one CFI lookup per frame).
  bool recover_callee_saved = true;
};

struct Unwind {
  std::vector<UnwoundFrame> frames;
  // Why the walk ended before the outermost frame; nullopt when it reached the end of the
  // stack (ORC's end-of-stack, user mode).
  std::optional<Error> stopped;
  // How it ended when complete ("end of stack at …", "user mode").
  std::string end_reason;
  bool complete() const { return !stopped; }
};

// Walks from `initial` (`interrupted`: its pc is exact). Errors: only kCancelled; every other
// reason to stop comes back in Unwind::stopped with the frames found so far.
Result<Unwind> unwind_x86_64(const FrameRegisters& initial, bool interrupted,
                             const X86_64UnwindSource& source, const VirtualMemory& memory,
                             std::span<const StackRegion> stacks, const PtRegsLayout& pt_regs,
                             const CancellationToken& cancel, const UnwindLimits& limits = {});

}  // namespace vmscope
