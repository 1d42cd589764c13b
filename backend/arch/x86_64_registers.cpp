#include "arch/x86_64_registers.h"

#include <array>
#include <string>

namespace vmscope {
namespace {

// user_regs_struct order: name and member.
struct Slot {
  std::string_view name;
  std::uint64_t X86_64Registers::*member;
};
using R = X86_64Registers;
constexpr std::array<Slot, X86_64Registers::kCount> kSlots = {{
    {"r15", &R::r15},         {"r14", &R::r14},
    {"r13", &R::r13},         {"r12", &R::r12},
    {"rbp", &R::rbp},         {"rbx", &R::rbx},
    {"r11", &R::r11},         {"r10", &R::r10},
    {"r9", &R::r9},           {"r8", &R::r8},
    {"rax", &R::rax},         {"rcx", &R::rcx},
    {"rdx", &R::rdx},         {"rsi", &R::rsi},
    {"rdi", &R::rdi},         {"orig_rax", &R::orig_rax},
    {"rip", &R::rip},         {"cs", &R::cs},
    {"eflags", &R::eflags},   {"rsp", &R::rsp},
    {"ss", &R::ss},           {"fs_base", &R::fs_base},
    {"gs_base", &R::gs_base}, {"ds", &R::ds},
    {"es", &R::es},           {"fs", &R::fs},
    {"gs", &R::gs},
}};

}  // namespace

Result<X86_64Registers> X86_64Registers::from_prstatus(const std::vector<std::uint64_t>& words) {
  if (words.size() < kCount) {
    return Error(ErrorCode::kCorrupt, "NT_PRSTATUS holds " + std::to_string(words.size()) +
                                          " registers, x86_64 needs " + std::to_string(kCount));
  }
  X86_64Registers r;
  for (std::size_t i = 0; i < kCount; ++i) r.*(kSlots[i].member) = words[i];
  return r;
}

std::optional<std::uint64_t> X86_64Registers::by_dwarf_number(int number) const {
  switch (number) {
    case 0: return rax;
    case 1: return rdx;
    case 2: return rcx;
    case 3: return rbx;
    case 4: return rsi;
    case 5: return rdi;
    case 6: return rbp;
    case 7: return rsp;
    case 8: return r8;
    case 9: return r9;
    case 10: return r10;
    case 11: return r11;
    case 12: return r12;
    case 13: return r13;
    case 14: return r14;
    case 15: return r15;
    case 16: return rip;
    default: return std::nullopt;
  }
}

std::optional<std::uint64_t> X86_64Registers::by_name(std::string_view name) const {
  for (const Slot& slot : kSlots) {
    if (slot.name == name) return this->*(slot.member);
  }
  return std::nullopt;
}

}  // namespace vmscope
