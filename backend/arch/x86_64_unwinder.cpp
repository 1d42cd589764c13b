#include "arch/x86_64_unwinder.h"

#include <cstring>
#include <map>

#include "support/hex.h"

namespace vmscope {
namespace {

constexpr std::uint64_t kPageSize = 4096;

// The first address of the canonical upper half: kernel text and stacks live above it.
constexpr std::uint64_t kKernelHalf = 0xffff800000000000ull;

bool is_callee_saved(int reg) {
  return reg == kRbx || reg == kRbp || (reg >= kR12 && reg <= kR15);
}

// Reads stack words, only inside the known stacks, one page at a time with a small cache (a
// frame reads a word or two; a pt_regs 168 bytes). A page that failed keeps its error.
class StackReader {
 public:
  StackReader(const VirtualMemory& memory, std::span<const StackRegion> stacks)
      : memory_(memory), stacks_(stacks) {}

  std::optional<std::size_t> region_of(std::uint64_t address, std::uint64_t length = 8) const {
    for (std::size_t i = 0; i < stacks_.size(); ++i) {
      if (stacks_[i].contains(address, length)) return i;
    }
    return std::nullopt;
  }

  Result<std::uint64_t> read_u64(std::uint64_t address) {
    std::uint64_t value = 0;
    VMSCOPE_CHECK(read(address, &value, sizeof(value)));
    return value;
  }

  Status read(std::uint64_t address, void* out, std::uint64_t length) {
    if (!region_of(address, length)) {
      return Error(ErrorCode::kInvalidArgument,
                   "stack read at " + hex_u64(address) + " is outside the task's known stacks",
                   ErrorPayload{.address = address});
    }
    auto* bytes = static_cast<std::byte*>(out);
    while (length > 0) {
      const std::uint64_t page = address & ~(kPageSize - 1);
      const std::uint64_t in_page = std::min(length, page + kPageSize - address);
      auto data = page_bytes(page);
      if (!data.ok()) {
        // Name the word the unwinder wanted, not the page the cache tried to fill.
        Error e = data.error().with_context("stack read at " + hex_u64(address));
        e.payload().address = address;
        return e;
      }
      std::memcpy(bytes, (*data)->data() + (address - page), in_page);
      bytes += in_page;
      address += in_page;
      length -= in_page;
    }
    return ok_status();
  }

 private:
  Result<const std::vector<std::byte>*> page_bytes(std::uint64_t page) {
    auto it = pages_.find(page);
    if (it == pages_.end()) {
      std::vector<std::byte> data(kPageSize);
      Status s = memory_.read(page, data);
      Result<std::vector<std::byte>> entry = s.ok()
                                                 ? Result<std::vector<std::byte>>(std::move(data))
                                                 : Result<std::vector<std::byte>>(s.error());
      it = pages_.emplace(page, std::move(entry)).first;
    }
    if (!it->second.ok()) return it->second.error();
    return &it->second.value();
  }

  const VirtualMemory& memory_;
  std::span<const StackRegion> stacks_;
  std::map<std::uint64_t, Result<std::vector<std::byte>>> pages_;
};

// The result of one step: the caller's frame, or the end of the stack.
struct Step {
  bool end = false;
  std::string end_reason;
  UnwoundFrame next;
};

Error no_register(std::string_view what, int reg, std::uint64_t pc) {
  return Error(ErrorCode::kNotFound,
               std::string(what) + " needs " + std::string(x86_64_reg_name(reg)) +
                   ", which is not known in the frame at " + hex_u64(pc),
               ErrorPayload{.address = pc});
}

Result<std::uint64_t> need(const FrameRegisters& regs, int reg, std::string_view what) {
  if (auto v = regs.get(reg)) return *v;
  return no_register(what, reg, regs.pc());
}

Result<std::uint64_t> read_pt_regs_slot(StackReader& reader, std::uint64_t base,
                                        const PtRegsLayout::Slot& slot) {
  std::uint64_t value = 0;
  VMSCOPE_CHECK(reader.read(base + slot.offset, &value, std::min<std::uint32_t>(slot.size, 8)));
  return value;
}

// ORC's step, following unwind_next_frame(): the previous SP from sp_reg, then ip/sp (and
// registers) by type, then bp by bp_reg.
Result<Step> orc_step(const OrcEntry& orc, const UnwoundFrame& frame, StackReader& reader,
                      const PtRegsLayout& layout) {
  const FrameRegisters& cur = frame.regs;
  const std::uint64_t pc = cur.pc();
  Step step;
  if (orc.type == OrcType::kEndOfStack) {
    step.end = true;
    step.end_reason = "end of stack (ORC) at " + hex_u64(pc);
    return step;
  }
  if (orc.type == OrcType::kUndefined) {
    return Error(ErrorCode::kNotFound, "no unwind information (ORC undefined) at " + hex_u64(pc),
                 ErrorPayload{.address = pc});
  }

  std::uint64_t sp = 0;
  bool indirect = false;
  int base_reg = -1;
  switch (orc.sp_reg) {
    case OrcReg::kSp: base_reg = kRsp; break;
    case OrcReg::kBp: base_reg = kRbp; break;
    case OrcReg::kSpIndirect:
      base_reg = kRsp;
      indirect = true;
      break;
    case OrcReg::kBpIndirect:
      base_reg = kRbp;
      indirect = true;
      break;
    case OrcReg::kR10: base_reg = kR10; break;
    case OrcReg::kR13: base_reg = kR13; break;
    case OrcReg::kDi: base_reg = kRdi; break;
    case OrcReg::kDx: base_reg = kRdx; break;
    case OrcReg::kUndefined:
    case OrcReg::kPrevSp:
      return Error(
          ErrorCode::kCorrupt,
          "ORC entry at " + hex_u64(pc) + " has sp_reg " + std::string(orc_reg_name(orc.sp_reg)),
          ErrorPayload{.address = pc});
  }
  const bool from_pt_regs_only = base_reg != kRsp && base_reg != kRbp;
  // The kernel takes R10/R13/DI/DX only from a pt_regs (an interrupted frame).
  if (from_pt_regs_only && !frame.pt_regs && frame.method != UnwindMethod::kInitial) {
    return no_register("ORC sp_reg outside an interrupted frame", base_reg, pc);
  }
  VMSCOPE_TRY(sp, need(cur, base_reg, "ORC sp_reg"));
  // SP_INDIRECT adds its offset after the dereference (the IRQ-stack switch saved the old sp
  // at the top of the new stack); every other base before.
  if (orc.sp_reg == OrcReg::kSp || orc.sp_reg == OrcReg::kBp || orc.sp_reg == OrcReg::kBpIndirect) {
    sp += static_cast<std::uint64_t>(std::int64_t{orc.sp_offset});
  }
  if (indirect) {
    VMSCOPE_TRY(sp, reader.read_u64(sp));
    if (orc.sp_reg == OrcReg::kSpIndirect) {
      sp += static_cast<std::uint64_t>(std::int64_t{orc.sp_offset});
    }
  }

  UnwoundFrame& next = step.next;
  next.method = UnwindMethod::kOrc;
  switch (orc.type) {
    case OrcType::kCall: {
      next.regs = cur;
      // Only rip, rsp and (below) rbp are known in the caller; the CFI pass may add the other
      // callee-saved registers.
      for (int r = 0; r < kUnwindRegisterCount; ++r) {
        if (r != kRbp && r != kCs && r != kSs) next.regs.forget(r);
      }
      VMSCOPE_TRY(std::uint64_t ip, reader.read_u64(sp - 8));
      next.regs.set(kRip, ip);
      next.regs.set(kRsp, sp);
      next.interrupted = orc.signal;
      break;
    }
    case OrcType::kRegs: {
      if (layout.size == 0 || !layout.slots[kRip] || !layout.slots[kRsp]) {
        return Error(ErrorCode::kUnsupported,
                     "struct pt_regs layout unknown; cannot cross the "
                     "entry frame at " +
                         hex_u64(pc));
      }
      if (!reader.region_of(sp, layout.size)) {
        return Error(ErrorCode::kInvalidArgument,
                     "pt_regs at " + hex_u64(sp) + " does not fit on the known stacks",
                     ErrorPayload{.address = sp});
      }
      // Every register the layout knows comes from the pt_regs.
      next.regs = FrameRegisters{};
      for (int r = 0; r < kUnwindRegisterCount; ++r) {
        if (!layout.slots[r]) continue;
        VMSCOPE_TRY(std::uint64_t v, read_pt_regs_slot(reader, sp, *layout.slots[r]));
        next.regs.set(r, v);
      }
      next.pt_regs = sp;
      next.interrupted = true;
      break;
    }
    case OrcType::kRegsPartial: {
      auto iret = layout.iret_offset();
      if (!iret) {
        return Error(
            ErrorCode::kUnsupported,
            "struct pt_regs layout unknown; cannot cross the IRET frame at " + hex_u64(pc));
      }
      const std::uint64_t base = sp - *iret;
      next.regs = cur;  // registers the IRET frame does not hold are unchanged
      for (int r : {kRip, kCs, kEflags, kRsp, kSs}) {
        if (!layout.slots[r]) continue;
        VMSCOPE_TRY(std::uint64_t v, read_pt_regs_slot(reader, base, *layout.slots[r]));
        next.regs.set(r, v);
      }
      next.pt_regs = base;
      next.partial_pt_regs = true;
      next.interrupted = true;
      break;
    }
    default:
      return Error(ErrorCode::kCorrupt, "ORC entry at " + hex_u64(pc) + " has an unknown type",
                   ErrorPayload{.address = pc});
  }

  switch (orc.bp_reg) {
    case OrcReg::kUndefined:
      // Unchanged — or, after a full pt_regs, what it held (already loaded).
      break;
    case OrcReg::kPrevSp: {
      VMSCOPE_TRY(std::uint64_t bp,
                  reader.read_u64(sp + static_cast<std::uint64_t>(std::int64_t{orc.bp_offset})));
      next.regs.set(kRbp, bp);
      break;
    }
    case OrcReg::kBp: {
      VMSCOPE_TRY(std::uint64_t cur_bp, need(cur, kRbp, "ORC bp_reg BP"));
      VMSCOPE_TRY(
          std::uint64_t bp,
          reader.read_u64(cur_bp + static_cast<std::uint64_t>(std::int64_t{orc.bp_offset})));
      next.regs.set(kRbp, bp);
      break;
    }
    default:
      return Error(
          ErrorCode::kCorrupt,
          "ORC entry at " + hex_u64(pc) + " has bp_reg " + std::string(orc_reg_name(orc.bp_reg)),
          ErrorPayload{.address = pc});
  }
  step.next.cfa = sp;  // carried back to the current frame by the caller
  return step;
}

// Applies a CFI row's rule for `reg` to the caller's registers.
Status apply_cfi_rule(const CfiRule& rule, int reg, std::uint64_t cfa, const FrameRegisters& cur,
                      FrameRegisters& next, StackReader& reader) {
  switch (rule.kind) {
    case CfiRule::Kind::kUnspecified:
      if (is_callee_saved(reg) && cur.has(reg)) {
        next.set(reg, cur.value[reg]);
      } else {
        next.forget(reg);
      }
      break;
    case CfiRule::Kind::kSameValue:
      if (cur.has(reg)) {
        next.set(reg, cur.value[reg]);
      } else {
        next.forget(reg);
      }
      break;
    case CfiRule::Kind::kOffset: {
      VMSCOPE_TRY(std::uint64_t v, reader.read_u64(cfa + static_cast<std::uint64_t>(rule.offset)));
      next.set(reg, v);
      break;
    }
    case CfiRule::Kind::kValOffset:
      next.set(reg, cfa + static_cast<std::uint64_t>(rule.offset));
      break;
    case CfiRule::Kind::kRegister:
      if (cur.has(rule.reg)) {
        next.set(reg, cur.value[rule.reg]);
      } else {
        next.forget(reg);
      }
      break;
    case CfiRule::Kind::kUndefined:
      // libdw reports registers the CFI never mentions as undefined unless it knows the ABI;
      // compilers never mark a callee-saved register undefined, so treat it as unmentioned.
      if (is_callee_saved(reg) && cur.has(reg)) {
        next.set(reg, cur.value[reg]);
      } else {
        next.forget(reg);
      }
      break;
    case CfiRule::Kind::kUnsupported: next.forget(reg); break;
  }
  return ok_status();
}

Result<std::uint64_t> cfi_cfa(const CfiRow& row, const FrameRegisters& cur) {
  if (!row.cfa_supported) {
    return Error(ErrorCode::kUnsupported, "CFA rule is a DWARF expression at " + hex_u64(cur.pc()),
                 ErrorPayload{.address = cur.pc()});
  }
  VMSCOPE_TRY(std::uint64_t base, need(cur, row.cfa_register, "CFI CFA"));
  return base + static_cast<std::uint64_t>(row.cfa_offset);
}

Result<Step> cfi_step(const CfiRow& row, const UnwoundFrame& frame, StackReader& reader) {
  const FrameRegisters& cur = frame.regs;
  VMSCOPE_TRY(std::uint64_t cfa, cfi_cfa(row, cur));
  Step step;
  FrameRegisters& next = step.next.regs;
  next = cur;
  for (int r = 0; r <= kR15; ++r) {
    VMSCOPE_CHECK(apply_cfi_rule(row.rules[r], r, cfa, cur, next, reader));
  }
  FrameRegisters ra = cur;
  const int ra_reg = row.return_address_register;
  if (ra_reg < 0 || ra_reg > 16) {
    return Error(ErrorCode::kUnsupported, "CFI return-address column " + std::to_string(ra_reg));
  }
  VMSCOPE_CHECK(apply_cfi_rule(row.rules[ra_reg], kRip, cfa, cur, ra, reader));
  if (!ra.has(kRip) || row.rules[ra_reg].kind == CfiRule::Kind::kUndefined) {
    step.end = true;
    step.end_reason = "end of stack (CFI: return address undefined) at " + hex_u64(cur.pc());
    return step;
  }
  next.set(kRip, ra.value[kRip]);
  next.set(kRsp, cfa);
  step.next.method = UnwindMethod::kCfi;
  step.next.interrupted = row.signal_frame;
  step.next.cfa = cfa;
  return step;
}

// With an ORC step done, recovers the callee-saved registers ORC does not track from the CFI
// row of the same pc — only if both agree on where the caller's frame starts.
void recover_callee_saved(const X86_64UnwindSource& source, std::uint64_t lookup_pc,
                          const UnwoundFrame& frame, Step& step, StackReader& reader) {
  if (!step.next.cfa || step.next.pt_regs) return;
  auto row = source.find_cfi(lookup_pc);
  if (!row) return;
  auto cfa = cfi_cfa(*row, frame.regs);
  if (!cfa.ok() || *cfa != *step.next.cfa) return;
  for (int r : {kRbx, kR12, kR13, kR14, kR15}) {
    FrameRegisters candidate = step.next.regs;
    if (apply_cfi_rule(row->rules[r], r, *cfa, frame.regs, candidate, reader).ok() &&
        candidate.has(r)) {
      step.next.regs.set(r, candidate.value[r]);
    }
  }
}

// What the kernel guesses for code without ORC: a frame-pointer frame.
constexpr OrcEntry kFramePointerEntry{
    .sp_offset = 16,
    .bp_offset = -16,
    .sp_reg = OrcReg::kBp,
    .bp_reg = OrcReg::kPrevSp,
    .type = OrcType::kCall,
    .signal = false,
};

// A call through a NULL function pointer leaves pc 0 with the return address at sp.
constexpr OrcEntry kNullPcEntry{
    .sp_offset = 8,
    .bp_offset = 0,
    .sp_reg = OrcReg::kSp,
    .bp_reg = OrcReg::kUndefined,
    .type = OrcType::kCall,
    .signal = false,
};

bool user_mode(const FrameRegisters& regs) {
  if (auto cs = regs.get(kCs)) return (*cs & 3) != 0;
  return regs.pc() < kKernelHalf;
}

}  // namespace

std::string_view x86_64_reg_name(int reg) {
  static constexpr std::string_view kNames[kUnwindRegisterCount] = {
      "rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",    "r8", "r9",
      "r10", "r11", "r12", "r13", "r14", "r15", "rip", "eflags", "cs", "ss"};
  return reg >= 0 && reg < kUnwindRegisterCount ? kNames[reg] : "?";
}

std::string_view unwind_method_name(UnwindMethod method) {
  switch (method) {
    case UnwindMethod::kInitial: return "initial";
    case UnwindMethod::kOrc: return "orc";
    case UnwindMethod::kCfi: return "cfi";
    case UnwindMethod::kFramePointer: return "frame-pointer";
  }
  return "unknown";
}

FrameRegisters FrameRegisters::from(const X86_64Registers& r) {
  FrameRegisters f;
  f.set(kRax, r.rax);
  f.set(kRdx, r.rdx);
  f.set(kRcx, r.rcx);
  f.set(kRbx, r.rbx);
  f.set(kRsi, r.rsi);
  f.set(kRdi, r.rdi);
  f.set(kRbp, r.rbp);
  f.set(kRsp, r.rsp);
  f.set(kR8, r.r8);
  f.set(kR9, r.r9);
  f.set(kR10, r.r10);
  f.set(kR11, r.r11);
  f.set(kR12, r.r12);
  f.set(kR13, r.r13);
  f.set(kR14, r.r14);
  f.set(kR15, r.r15);
  f.set(kRip, r.rip);
  f.set(kEflags, r.eflags);
  f.set(kCs, r.cs);
  f.set(kSs, r.ss);
  return f;
}

Result<Unwind> unwind_x86_64(const FrameRegisters& initial, bool interrupted,
                             const X86_64UnwindSource& source, const VirtualMemory& memory,
                             std::span<const StackRegion> stacks, const PtRegsLayout& pt_regs,
                             const CancellationToken& cancel, const UnwindLimits& limits) {
  Unwind out;
  StackReader reader(memory, stacks);
  std::vector<bool> left(stacks.size(), false);  // stacks the walk has moved off

  UnwoundFrame frame;
  frame.regs = initial;
  frame.interrupted = interrupted;
  frame.method = UnwindMethod::kInitial;
  frame.user_mode = user_mode(initial);
  frame.stack = frame.user_mode ? std::nullopt : reader.region_of(initial.sp());

  auto stop = [&](Error error) {
    out.frames.push_back(frame);
    out.stopped = std::move(error);
    return std::move(out);
  };

  if (!initial.has(kRip) || !initial.has(kRsp)) {
    return stop(Error(ErrorCode::kInvalidArgument, "the initial registers lack rip or rsp"));
  }

  while (true) {
    VMSCOPE_CHECK(cancel.check());
    if (frame.user_mode) {
      out.frames.push_back(frame);
      out.end_reason = "user mode at " + hex_u64(frame.regs.pc());
      return out;
    }
    if (out.frames.size() + 1 >= limits.max_frames) {
      return stop(Error(ErrorCode::kLimitExceeded,
                        "stopped after " + std::to_string(limits.max_frames) + " frames"));
    }
    if (!frame.stack) {
      return stop(Error(ErrorCode::kInvalidArgument,
                        "sp " + hex_u64(frame.regs.sp()) + " is outside the task's known stacks",
                        ErrorPayload{.address = frame.regs.sp()}));
    }

    const std::uint64_t pc = frame.regs.pc();
    const std::uint64_t lookup_pc = frame.interrupted ? pc : pc - 1;
    Result<Step> step = Error(ErrorCode::kInternal, "no step");
    if (pc == 0 && frame.interrupted) {
      step = orc_step(kNullPcEntry, frame, reader, pt_regs);
    } else if (auto orc = source.find_orc(lookup_pc)) {
      step = orc_step(*orc, frame, reader, pt_regs);
      if (step.ok() && !step->end && limits.recover_callee_saved) {
        recover_callee_saved(source, lookup_pc, frame, *step, reader);
      }
    } else if (auto row = source.find_cfi(lookup_pc)) {
      step = cfi_step(*row, frame, reader);
    } else {
      step = orc_step(kFramePointerEntry, frame, reader, pt_regs);
      if (step.ok()) step->next.method = UnwindMethod::kFramePointer;
    }
    if (!step.ok()) return stop(std::move(step).error());
    if (step->end) {
      out.frames.push_back(frame);
      out.end_reason = step->end_reason;
      return out;
    }

    UnwoundFrame next = std::move(step->next);
    frame.cfa = next.cfa;
    next.cfa.reset();
    next.user_mode = user_mode(next.regs);
    if (!next.user_mode) {
      next.stack = reader.region_of(next.regs.sp());
      if (next.stack && *next.stack == *frame.stack && next.regs.sp() <= frame.regs.sp()) {
        return stop(Error(ErrorCode::kLoopDetected,
                          "stack pointer did not grow: " + hex_u64(frame.regs.sp()) + " -> " +
                              hex_u64(next.regs.sp()) + " at " + hex_u64(pc),
                          ErrorPayload{.address = next.regs.sp()}));
      }
      if (next.stack && *next.stack != *frame.stack) {
        left[*frame.stack] = true;
        if (left[*next.stack]) {
          return stop(Error(ErrorCode::kLoopDetected,
                            "unwound back onto the " + stacks[*next.stack].kind +
                                " stack it had left, at " + hex_u64(pc),
                            ErrorPayload{.address = next.regs.sp()}));
        }
      }
    }
    if (next.regs.pc() == 0 && !next.interrupted) {
      out.frames.push_back(frame);
      out.end_reason = "return address 0 at " + hex_u64(pc);
      return out;
    }
    out.frames.push_back(std::move(frame));
    frame = std::move(next);
  }
}

}  // namespace vmscope
