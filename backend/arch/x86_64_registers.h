// x86_64 CPU registers as the kernel saves them: NT_PRSTATUS notes carry `struct
// user_regs_struct` (arch/x86/include/uapi/asm/ptrace.h), whose order is user-space ABI and
// therefore fixed. The unwinder and the kernel model use these names, never raw indices.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "support/result.h"

namespace vmscope {

struct X86_64Registers {
  std::uint64_t r15 = 0, r14 = 0, r13 = 0, r12 = 0, rbp = 0, rbx = 0, r11 = 0, r10 = 0;
  std::uint64_t r9 = 0, r8 = 0, rax = 0, rcx = 0, rdx = 0, rsi = 0, rdi = 0, orig_rax = 0;
  std::uint64_t rip = 0, cs = 0, eflags = 0, rsp = 0, ss = 0;
  std::uint64_t fs_base = 0, gs_base = 0, ds = 0, es = 0, fs = 0, gs = 0;

  // Number of u64 slots in user_regs_struct.
  static constexpr std::size_t kCount = 27;

  // From the raw pr_reg words of an NT_PRSTATUS note; kCorrupt if there are too few.
  static Result<X86_64Registers> from_prstatus(const std::vector<std::uint64_t>& words);

  // By DWARF register number (System V AMD64 ABI: 0 rax, 1 rdx, 2 rcx, 3 rbx, 4 rsi, 5 rdi,
  // 6 rbp, 7 rsp, 8-15 r8-r15, 16 return address = rip).
  std::optional<std::uint64_t> by_dwarf_number(int number) const;
  // By name ("rip", "rsp", …).
  std::optional<std::uint64_t> by_name(std::string_view name) const;
};

}  // namespace vmscope
