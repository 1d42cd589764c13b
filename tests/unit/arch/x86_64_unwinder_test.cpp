// The unwinder on synthetic stacks: hand-made ORC entries and CFI rows over a sparse memory
// in which the test lays out return addresses, saved registers and pt_regs.
#include "arch/x86_64_unwinder.h"

#include <gtest/gtest.h>

#include <map>

#include "testing/sparse_physical_memory.h"

namespace vmscope {
namespace {

constexpr std::uint64_t kWindow = 0xffffc90000000000ull;  // virtual base of the test window
constexpr std::uint64_t kPhysical = 0x100000;             // where it lies in "physical" memory

// Maps [kWindow, kWindow + 1 MiB) linearly onto kPhysical; nothing else.
class WindowTranslator : public AddressTranslator {
 public:
  Result<Translation> translate(std::uint64_t vaddr) const override {
    if (vaddr < kWindow || vaddr >= kWindow + (1u << 20)) {
      return Error(ErrorCode::kAddressNotMapped, "not mapped", {.address = vaddr});
    }
    return Translation{vaddr - kWindow + kPhysical, 4096};
  }
};

// Code addresses (never read, only looked up).
constexpr std::uint64_t kFunc1 = 0xffffffff81001000ull;
constexpr std::uint64_t kFunc2 = 0xffffffff81002000ull;
constexpr std::uint64_t kFunc3 = 0xffffffff81003000ull;

class FakeSource : public X86_64UnwindSource {
 public:
  // Entries cover [address, next entry's address).
  void orc(std::uint64_t address, OrcEntry e) { orc_[address] = e; }
  void cfi(std::uint64_t begin, std::uint64_t end, CfiRow row) { cfi_[begin] = {end, row}; }
  std::optional<OrcEntry> find_orc(std::uint64_t pc) const override {
    auto it = orc_.upper_bound(pc);
    if (it == orc_.begin()) return std::nullopt;
    --it;
    if (it->second.type == OrcType::kUndefined && it->second.sp_offset == -1) return std::nullopt;
    return it->second;
  }
  std::optional<CfiRow> find_cfi(std::uint64_t pc) const override {
    auto it = cfi_.upper_bound(pc);
    if (it == cfi_.begin()) return std::nullopt;
    --it;
    if (pc >= it->second.first) return std::nullopt;
    return it->second.second;
  }

 private:
  std::map<std::uint64_t, OrcEntry> orc_;
  std::map<std::uint64_t, std::pair<std::uint64_t, CfiRow>> cfi_;
};

// "No ORC here" marker for FakeSource ranges.
constexpr OrcEntry kNoOrc{.sp_offset = -1, .type = OrcType::kUndefined};

OrcEntry call_entry(std::int16_t sp_offset, OrcReg bp_reg = OrcReg::kUndefined,
                    std::int16_t bp_offset = 0) {
  return OrcEntry{.sp_offset = sp_offset,
                  .bp_offset = bp_offset,
                  .sp_reg = OrcReg::kSp,
                  .bp_reg = bp_reg,
                  .type = OrcType::kCall};
}
constexpr OrcEntry kEnd{.sp_reg = OrcReg::kUndefined, .type = OrcType::kEndOfStack};

// The kernel's pt_regs order (r15 … ss), 8 bytes each.
PtRegsLayout standard_pt_regs() {
  PtRegsLayout l;
  const int order[] = {kR15, kR14, kR13, kR12, kRbp,           kRbx, kR11, kR10,    kR9,  kR8, kRax,
                       kRcx, kRdx, kRsi, kRdi, -1 /*orig_ax*/, kRip, kCs,  kEflags, kRsp, kSs};
  for (std::uint32_t i = 0; i < 21; ++i) {
    if (order[i] >= 0) l.slots[order[i]] = PtRegsLayout::Slot{i * 8, 8};
  }
  l.size = 21 * 8;
  return l;
}

class UnwinderTest : public ::testing::Test {
 protected:
  UnwinderTest() : memory_(physical_, translator_) {}

  void put(std::uint64_t vaddr, std::uint64_t value) {
    physical_.write_u64(vaddr - kWindow + kPhysical, value);
  }
  void exclude(std::uint64_t vaddr) { physical_.exclude_page(vaddr - kWindow + kPhysical); }

  FrameRegisters regs(std::uint64_t pc, std::uint64_t sp, std::uint64_t bp = 0) {
    FrameRegisters r;
    r.set(kRip, pc);
    r.set(kRsp, sp);
    r.set(kRbp, bp);
    return r;
  }

  Result<Unwind> unwind(const FrameRegisters& start, bool interrupted = true,
                        UnwindLimits limits = {}, CancellationToken cancel = {}) {
    return unwind_x86_64(start, interrupted, source_, memory_, stacks_, pt_regs_, cancel, limits);
  }

  testing::SparsePhysicalMemory physical_;
  WindowTranslator translator_;
  VirtualMemory memory_;
  FakeSource source_;
  PtRegsLayout pt_regs_ = standard_pt_regs();
  // A 16 KiB task stack and a 16 KiB IRQ stack.
  std::uint64_t task_base_ = kWindow + 0x10000;
  std::uint64_t irq_base_ = kWindow + 0x20000;
  std::vector<StackRegion> stacks_ = {{task_base_, task_base_ + 0x4000, "task"},
                                      {irq_base_, irq_base_ + 0x4000, "irq"}};
};

TEST_F(UnwinderTest, CallFramesUpToTheEndOfTheStack) {
  // func1 pushed rbp: prev_sp = sp + 16, return address at sp + 8, rbp saved at sp.
  source_.orc(kFunc1, call_entry(16, OrcReg::kPrevSp, -16));
  // func2 calls at its very end (a noreturn call): the return address is past the call, where
  // the entry is different — the lookup must use the call instruction (pc - 1).
  source_.orc(kFunc2, call_entry(8));
  source_.orc(kFunc2 + 0x40, OrcEntry{.sp_reg = OrcReg::kUndefined, .type = OrcType::kUndefined});
  source_.orc(kFunc3, kEnd);
  source_.orc(kFunc3 + 0x100, kNoOrc);

  const std::uint64_t sp = task_base_ + 0x3f00;
  put(sp, 0xb0b0);                  // saved rbp
  put(sp + 8, kFunc2 + 0x40);       // return into func2, right after its last call
  put(sp + 16 + 0, kFunc3 + 0x10);  // func2's return address

  auto u = unwind(regs(kFunc1 + 0x10, sp, 0x1234));
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(u->complete()) << u->stopped->to_string();
  ASSERT_EQ(u->frames.size(), 3u);
  EXPECT_EQ(u->frames[0].regs.pc(), kFunc1 + 0x10);
  EXPECT_TRUE(u->frames[0].interrupted);
  EXPECT_EQ(u->frames[0].cfa, sp + 16);
  EXPECT_EQ(u->frames[1].regs.pc(), kFunc2 + 0x40);
  EXPECT_EQ(u->frames[1].regs.sp(), sp + 16);
  EXPECT_EQ(u->frames[1].regs.get(kRbp), 0xb0b0u);
  EXPECT_FALSE(u->frames[1].interrupted);
  EXPECT_EQ(u->frames[1].method, UnwindMethod::kOrc);
  EXPECT_FALSE(u->frames[1].regs.has(kRax)) << "caller-saved registers are lost in a call";
  EXPECT_EQ(u->frames[2].regs.pc(), kFunc3 + 0x10);
  EXPECT_EQ(u->frames[2].regs.sp(), sp + 24);
  EXPECT_EQ(u->frames[2].stack, 0u);
  EXPECT_NE(u->end_reason.find("end of stack"), std::string::npos) << u->end_reason;
}

TEST_F(UnwinderTest, CrossesAPtRegsFromTheIrqStackToTheTaskStack) {
  // func1 runs on the IRQ stack; its caller is an entry stub whose ORC says "full pt_regs at
  // sp"; the interrupted code (func3) ran on the task stack.
  source_.orc(kFunc1, call_entry(8));
  source_.orc(kFunc2, OrcEntry{.sp_reg = OrcReg::kSp, .type = OrcType::kRegs, .signal = true});
  source_.orc(kFunc3, kEnd);
  source_.orc(kFunc3 + 0x100, kNoOrc);

  const std::uint64_t sp = irq_base_ + 0x3e00;
  put(sp, kFunc2 + 0x8);  // return into the entry stub
  const std::uint64_t regs_at = sp + 8;
  const std::uint64_t interrupted_sp = task_base_ + 0x3000;
  auto slot = [&](int reg) { return regs_at + pt_regs_.slots[reg]->offset; };
  put(slot(kRip), kFunc3 + 0x20);
  put(slot(kRsp), interrupted_sp);
  put(slot(kRbp), 0xbbbb);
  put(slot(kRbx), 0x1111);
  put(slot(kRdi), 0x2222);
  put(slot(kCs), 0x10);
  put(slot(kEflags), 0x246);
  put(slot(kSs), 0x18);

  auto u = unwind(regs(kFunc1 + 4, sp));
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(u->complete()) << u->stopped->to_string();
  ASSERT_EQ(u->frames.size(), 3u);
  const UnwoundFrame& entry = u->frames[1];
  EXPECT_EQ(entry.regs.pc(), kFunc2 + 0x8);
  EXPECT_EQ(entry.stack, 1u);  // irq
  const UnwoundFrame& interrupted = u->frames[2];
  EXPECT_TRUE(interrupted.interrupted);
  EXPECT_EQ(interrupted.pt_regs, regs_at);
  EXPECT_FALSE(interrupted.partial_pt_regs);
  EXPECT_EQ(interrupted.regs.pc(), kFunc3 + 0x20);
  EXPECT_EQ(interrupted.regs.sp(), interrupted_sp);
  EXPECT_EQ(interrupted.regs.get(kRbx), 0x1111u);
  EXPECT_EQ(interrupted.regs.get(kRdi), 0x2222u);
  EXPECT_EQ(interrupted.regs.get(kRbp), 0xbbbbu);
  EXPECT_EQ(interrupted.stack, 0u);  // back on the task stack
  EXPECT_FALSE(interrupted.user_mode);
}

TEST_F(UnwinderTest, StopsAtTheUserModeFrameOfASyscall) {
  source_.orc(kFunc1, OrcEntry{.sp_reg = OrcReg::kSp, .type = OrcType::kRegs, .signal = true});
  source_.orc(kFunc1 + 0x100, kNoOrc);
  const std::uint64_t sp = task_base_ + 0x4000 - pt_regs_.size;
  put(sp + pt_regs_.slots[kRip]->offset, 0x401000);
  put(sp + pt_regs_.slots[kRsp]->offset, 0x7ffc0000);
  put(sp + pt_regs_.slots[kCs]->offset, 0x33);
  auto u = unwind(regs(kFunc1 + 0x10, sp), /*interrupted=*/false);
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(u->complete());
  ASSERT_EQ(u->frames.size(), 2u);
  EXPECT_TRUE(u->frames[1].user_mode);
  EXPECT_TRUE(u->frames[1].interrupted);
  EXPECT_EQ(u->frames[1].regs.pc(), 0x401000u);
  EXPECT_FALSE(u->frames[1].stack.has_value());
  EXPECT_EQ(u->end_reason.rfind("user mode", 0), 0u);
}

TEST_F(UnwinderTest, PartialPtRegsKeepsTheOtherRegisters) {
  // An IRET frame only: ip, cs, flags, sp, ss; rbx stays what it was.
  source_.orc(
      kFunc1,
      OrcEntry{
          .sp_offset = 0, .sp_reg = OrcReg::kSp, .type = OrcType::kRegsPartial, .signal = true});
  source_.orc(kFunc2, kEnd);
  source_.orc(kFunc2 + 0x100, kNoOrc);
  const std::uint64_t sp = task_base_ + 0x2000;
  const std::uint64_t base = sp - *pt_regs_.iret_offset();
  put(base + pt_regs_.slots[kRip]->offset, kFunc2 + 0x30);
  put(base + pt_regs_.slots[kRsp]->offset, task_base_ + 0x3000);
  put(base + pt_regs_.slots[kCs]->offset, 0x10);
  FrameRegisters start = regs(kFunc1 + 2, sp, 0x5555);
  start.set(kRbx, 0x7777);
  auto u = unwind(start);
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(u->complete()) << u->stopped->to_string();
  ASSERT_EQ(u->frames.size(), 2u);
  EXPECT_TRUE(u->frames[1].partial_pt_regs);
  EXPECT_EQ(u->frames[1].pt_regs, base);
  EXPECT_EQ(u->frames[1].regs.pc(), kFunc2 + 0x30);
  EXPECT_EQ(u->frames[1].regs.get(kRbx), 0x7777u);
  EXPECT_EQ(u->frames[1].regs.get(kRbp), 0x5555u);
}

TEST_F(UnwinderTest, SpIndirectFollowsTheIrqStackSwitch) {
  // call_on_irqstack(): the old sp is saved at the top of the IRQ stack; the frame's prev_sp is
  // that saved value plus the offset.
  source_.orc(kFunc1,
              OrcEntry{.sp_offset = 8, .sp_reg = OrcReg::kSpIndirect, .type = OrcType::kCall});
  source_.orc(kFunc2, kEnd);
  source_.orc(kFunc2 + 0x100, kNoOrc);
  const std::uint64_t sp = irq_base_ + 0x3ff8;
  const std::uint64_t old_sp = task_base_ + 0x3800;
  put(sp, old_sp);
  put(old_sp + 8 - 8, kFunc2 + 0x10);  // return address just below prev_sp
  auto u = unwind(regs(kFunc1 + 1, sp));
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(u->complete()) << u->stopped->to_string();
  ASSERT_EQ(u->frames.size(), 2u);
  EXPECT_EQ(u->frames[1].regs.sp(), old_sp + 8);
  EXPECT_EQ(u->frames[1].stack, 0u);
}

TEST_F(UnwinderTest, AFrameWhoseSpDoesNotGrowIsALoop) {
  // sp_offset 0: prev_sp == sp, the return address below it leads back to the same code.
  source_.orc(kFunc1, call_entry(0));
  source_.orc(kFunc1 + 0x100, kNoOrc);
  const std::uint64_t sp = task_base_ + 0x3000;
  put(sp - 8, kFunc1 + 0x10);
  auto u = unwind(regs(kFunc1 + 0x10, sp));
  ASSERT_TRUE(u.ok());
  ASSERT_FALSE(u->complete());
  EXPECT_EQ(u->stopped->code(), ErrorCode::kLoopDetected);
  EXPECT_EQ(u->frames.size(), 1u);
}

TEST_F(UnwinderTest, ReturningToAStackAlreadyLeftIsALoop) {
  // IRQ stack -> task stack -> IRQ stack again.
  source_.orc(kFunc1,
              OrcEntry{.sp_offset = 0, .sp_reg = OrcReg::kSpIndirect, .type = OrcType::kCall});
  source_.orc(kFunc1 + 0x100, kNoOrc);
  const std::uint64_t irq_sp = irq_base_ + 0x100;
  const std::uint64_t task_sp = task_base_ + 0x100;
  put(irq_sp, task_sp);
  put(task_sp - 8, kFunc1 + 0x10);
  put(task_sp, irq_sp + 0x200);
  put(irq_sp + 0x200 - 8, kFunc1 + 0x10);
  auto u = unwind(regs(kFunc1 + 0x10, irq_sp));
  ASSERT_TRUE(u.ok());
  ASSERT_FALSE(u->complete());
  EXPECT_EQ(u->stopped->code(), ErrorCode::kLoopDetected);
  EXPECT_EQ(u->frames.size(), 2u);
}

TEST_F(UnwinderTest, AnExcludedStackPageGivesTheFramesSoFarAndTheReason) {
  source_.orc(kFunc1, call_entry(8));
  source_.orc(kFunc2, call_entry(0x1000));  // a big frame reaching into the next page
  source_.orc(kFunc2 + 0x100, kNoOrc);
  const std::uint64_t sp = task_base_ + 0x1ff0;
  put(sp, kFunc2 + 0x10);
  exclude(task_base_ + 0x2000);  // the page holding func2's return address
  auto u = unwind(regs(kFunc1 + 1, sp));
  ASSERT_TRUE(u.ok());
  ASSERT_FALSE(u->complete());
  EXPECT_EQ(u->stopped->code(), ErrorCode::kPageExcluded) << u->stopped->to_string();
  ASSERT_EQ(u->frames.size(), 2u);
  EXPECT_EQ(u->frames[1].regs.pc(), kFunc2 + 0x10);
}

TEST_F(UnwinderTest, ASpOutsideTheKnownStacksStops) {
  source_.orc(kFunc1, call_entry(0x6000));  // prev_sp beyond the task stack's end
  source_.orc(kFunc1 + 0x100, kNoOrc);
  auto u = unwind(regs(kFunc1 + 1, task_base_ + 0x100));
  ASSERT_TRUE(u.ok());
  ASSERT_FALSE(u->complete());
  EXPECT_NE(u->stopped->message().find("outside"), std::string::npos) << u->stopped->message();
  EXPECT_EQ(u->frames.size(), 1u);

  // A starting sp on no known stack stops at once, with the frame.
  auto v = unwind(regs(kFunc1 + 1, kWindow + 0x80000));
  ASSERT_TRUE(v.ok());
  ASSERT_FALSE(v->complete());
  EXPECT_EQ(v->frames.size(), 1u);
}

TEST_F(UnwinderTest, TheFrameLimitBoundsTheWalk) {
  source_.orc(kFunc1, call_entry(8));
  source_.orc(kFunc1 + 0x100, kNoOrc);
  const std::uint64_t sp = task_base_ + 0x100;
  for (int i = 0; i < 100; ++i) put(sp + 8 * i, kFunc1 + 0x10);
  UnwindLimits limits;
  limits.max_frames = 10;
  auto u = unwind(regs(kFunc1 + 0x10, sp), true, limits);
  ASSERT_TRUE(u.ok());
  ASSERT_FALSE(u->complete());
  EXPECT_EQ(u->stopped->code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(u->frames.size(), 10u);
}

TEST_F(UnwinderTest, UndefinedOrcIsAnErrorNotAGuess) {
  source_.orc(kFunc1, OrcEntry{.sp_reg = OrcReg::kUndefined, .type = OrcType::kUndefined});
  source_.orc(kFunc1 + 0x100, kNoOrc);
  auto u = unwind(regs(kFunc1 + 1, task_base_ + 0x100));
  ASSERT_TRUE(u.ok());
  ASSERT_FALSE(u->complete());
  EXPECT_EQ(u->stopped->code(), ErrorCode::kNotFound);
  EXPECT_EQ(u->stopped->payload().address, kFunc1 + 1);
}

TEST_F(UnwinderTest, FallsBackToCfiThenToFramePointers) {
  // func1: no ORC, CFI says CFA = rsp + 16, return address at CFA - 8, rbx at CFA - 16.
  CfiRow row;
  row.cfa_supported = true;
  row.cfa_register = kRsp;
  row.cfa_offset = 16;
  row.rules[kRip] = CfiRule{CfiRule::Kind::kOffset, -8};
  row.rules[kRbx] = CfiRule{CfiRule::Kind::kOffset, -16};
  source_.cfi(kFunc1, kFunc1 + 0x100, row);
  // func2: neither; a frame-pointer frame (rbp -> saved rbp, return address above it).
  source_.orc(kFunc3, kEnd);
  source_.orc(kFunc3 + 0x100, kNoOrc);

  const std::uint64_t sp = task_base_ + 0x1000;
  put(sp, 0xabcd);             // rbx saved by func1
  put(sp + 8, kFunc2 + 0x20);  // func1's return address
  const std::uint64_t fp = task_base_ + 0x1800;
  put(fp, 0x9999);             // saved rbp
  put(fp + 8, kFunc3 + 0x10);  // func2's return address
  auto u = unwind(regs(kFunc1 + 4, sp, fp));
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(u->complete()) << u->stopped->to_string();
  ASSERT_EQ(u->frames.size(), 3u);
  EXPECT_EQ(u->frames[1].method, UnwindMethod::kCfi);
  EXPECT_EQ(u->frames[1].regs.sp(), sp + 16);
  EXPECT_EQ(u->frames[1].regs.get(kRbx), 0xabcdu);
  EXPECT_EQ(u->frames[0].cfa, sp + 16);
  EXPECT_EQ(u->frames[2].method, UnwindMethod::kFramePointer);
  EXPECT_EQ(u->frames[2].regs.sp(), fp + 16);
  EXPECT_EQ(u->frames[2].regs.get(kRbp), 0x9999u);
}

TEST_F(UnwinderTest, CfiRecoversCalleeSavedRegistersAlongsideOrc) {
  source_.orc(kFunc1, call_entry(24));
  source_.orc(kFunc2, kEnd);
  source_.orc(kFunc2 + 0x100, kNoOrc);
  CfiRow row;
  row.cfa_supported = true;
  row.cfa_register = kRsp;
  row.cfa_offset = 24;
  row.rules[kRip] = CfiRule{CfiRule::Kind::kOffset, -8};
  row.rules[kR12] = CfiRule{CfiRule::Kind::kOffset, -16};
  row.rules[kRbx] = CfiRule{CfiRule::Kind::kUndefined};  // libdw's "never mentioned"
  source_.cfi(kFunc1, kFunc1 + 0x100, row);
  const std::uint64_t sp = task_base_ + 0x1000;
  put(sp + 8, 0x1212);
  put(sp + 16, kFunc2 + 0x8);
  FrameRegisters start = regs(kFunc1 + 4, sp);
  start.set(kRbx, 0x3b3b);
  start.set(kRax, 0xaaaa);
  auto u = unwind(start);
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(u->complete()) << u->stopped->to_string();
  ASSERT_EQ(u->frames.size(), 2u);
  EXPECT_EQ(u->frames[1].method, UnwindMethod::kOrc);
  EXPECT_EQ(u->frames[1].regs.get(kR12), 0x1212u);
  EXPECT_EQ(u->frames[1].regs.get(kRbx), 0x3b3bu);
  EXPECT_FALSE(u->frames[1].regs.has(kRax));

  // Without the CFI pass only rbp and the pc/sp survive.
  UnwindLimits limits;
  limits.recover_callee_saved = false;
  auto v = unwind(start, true, limits);
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->frames.size(), 2u);
  EXPECT_FALSE(v->frames[1].regs.has(kR12));
}

TEST_F(UnwinderTest, ACallThroughANullPointerUnwindsFromTheReturnAddress) {
  source_.orc(kFunc2, kEnd);
  source_.orc(kFunc2 + 0x100, kNoOrc);
  const std::uint64_t sp = task_base_ + 0x1000;
  put(sp, kFunc2 + 0x8);
  FrameRegisters start = regs(0, sp);
  start.set(kCs, 0x10);  // kernel mode: a pc of 0 is not user space
  auto u = unwind(start);
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(u->complete()) << u->stopped->to_string();
  ASSERT_EQ(u->frames.size(), 2u);
  EXPECT_EQ(u->frames[1].regs.pc(), kFunc2 + 0x8);
}

TEST_F(UnwinderTest, CancellationIsTheOnlyError) {
  source_.orc(kFunc1, call_entry(8));
  source_.orc(kFunc1 + 0x100, kNoOrc);
  CancellationSource cancel;
  cancel.cancel();
  auto u = unwind(regs(kFunc1 + 1, task_base_ + 0x100), true, {}, cancel.token());
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().code(), ErrorCode::kCancelled);
}

TEST_F(UnwinderTest, RegistersFromPrstatusAreAllKnown) {
  X86_64Registers r;
  r.rip = 1;
  r.rsp = 2;
  r.rbx = 3;
  r.cs = 0x10;
  FrameRegisters f = FrameRegisters::from(r);
  for (int i = 0; i < kUnwindRegisterCount; ++i) EXPECT_TRUE(f.has(i)) << x86_64_reg_name(i);
  EXPECT_EQ(f.pc(), 1u);
  EXPECT_EQ(f.sp(), 2u);
  EXPECT_EQ(f.get(kRbx), 3u);
  EXPECT_EQ(x86_64_reg_name(kR13), "r13");
  EXPECT_EQ(unwind_method_name(UnwindMethod::kFramePointer), "frame-pointer");
}

}  // namespace
}  // namespace vmscope
