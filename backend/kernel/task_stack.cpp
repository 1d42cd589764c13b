#include "kernel/task_stack.h"

#include <cstring>

#include "debuginfo/type_layout.h"
#include "support/hex.h"

namespace vmscope::kernel {
namespace {

constexpr std::uint64_t kPageSize = 4096;
// No kernel stack is larger than this; a bigger THREAD_SIZE is a misread.
constexpr std::uint64_t kMaxStackSize = 1u << 20;

std::optional<std::uint32_t> member_offset(const debuginfo::QualifiedType& type,
                                           std::string_view name) {
  auto offset = debuginfo::offset_of(type, name);
  if (!offset.ok()) return std::nullopt;
  return static_cast<std::uint32_t>(*offset);
}

Result<std::uint64_t> find_thread_size(const debuginfo::DebugInfo& debug, std::string& origin) {
  if (auto type = debug.find_type("union thread_union"); type.ok() && (*type)->is_complete()) {
    if (auto size = debuginfo::sizeof_type(*type); size.ok() && *size > 0) {
      origin = "sizeof(union thread_union)";
      return *size;
    }
  }
  auto begin = debug.symbols().find("__start_init_task");
  auto end = debug.symbols().find("__end_init_task");
  if (begin && end && end->address > begin->address) {
    origin = "__end_init_task - __start_init_task";
    return end->address - begin->address;
  }
  return Error(ErrorCode::kNotFound,
               "THREAD_SIZE unknown: no union thread_union in DWARF and no __start_init_task / "
               "__end_init_task symbols",
               ErrorPayload{.name = "thread_union"});
}

// The per-CPU offset of a variable, or of a member of one (pcpu_hot.hardirq_stack_ptr).
std::optional<std::uint64_t> per_cpu_variable(const debuginfo::DebugInfo& debug,
                                              std::string_view name, std::string_view container) {
  if (auto v = debug.find_variable(name); v.ok()) return v->address;
  if (auto c = debug.find_variable(container); c.ok()) {
    if (auto offset = debuginfo::offset_of(c->type, name); offset.ok()) return c->address + *offset;
  }
  return std::nullopt;
}

Result<std::uint64_t> per_cpu_base(const VirtualMemory& memory, const StackLayout& layout,
                                   std::uint32_t cpu) {
  if (!layout.per_cpu_offsets) return std::uint64_t{0};
  if (cpu >= layout.per_cpu_offsets_length) {
    return Error(ErrorCode::kInvalidArgument, "CPU " + std::to_string(cpu) + " is beyond NR_CPUS");
  }
  return memory.read_u64(*layout.per_cpu_offsets + 8ull * cpu);
}

}  // namespace

Result<PtRegsLayout> resolve_pt_regs_layout(const debuginfo::DebugInfo& debug) {
  VMSCOPE_TRY(auto type, debug.find_type("struct pt_regs"));
  PtRegsLayout layout;
  VMSCOPE_TRY(layout.size, [&]() -> Result<std::uint32_t> {
    VMSCOPE_TRY(std::uint64_t size, debuginfo::sizeof_type(type));
    return static_cast<std::uint32_t>(size);
  }());
  static constexpr struct {
    std::string_view member;
    int reg;
  } kSlots[] = {
      {"r15", kR15}, {"r14", kR14}, {"r13", kR13},      {"r12", kR12}, {"bp", kRbp},
      {"bx", kRbx},  {"r11", kR11}, {"r10", kR10},      {"r9", kR9},   {"r8", kR8},
      {"ax", kRax},  {"cx", kRcx},  {"dx", kRdx},       {"si", kRsi},  {"di", kRdi},
      {"ip", kRip},  {"cs", kCs},   {"flags", kEflags}, {"sp", kRsp},  {"ss", kSs},
  };
  for (const auto& slot : kSlots) {
    auto member = debuginfo::find_member(type, slot.member);
    if (!member.ok() || member->bit_field_size != 0 || member->bit_offset % 8 != 0) continue;
    const std::uint64_t size = member->type->size().value_or(0);
    if (size == 0 || size > 8) continue;
    layout.slots[slot.reg] = PtRegsLayout::Slot{static_cast<std::uint32_t>(member->bit_offset / 8),
                                                static_cast<std::uint32_t>(size)};
  }
  if (!layout.slots[kRip] || !layout.slots[kRsp]) {
    return Error(ErrorCode::kNotFound, "struct pt_regs has no ip/sp members",
                 ErrorPayload{.name = "pt_regs"});
  }
  return layout;
}

Result<StackLayout> StackLayout::resolve(const debuginfo::DebugInfo& debug) {
  StackLayout l;
  VMSCOPE_TRY(l.thread_size, find_thread_size(debug, l.thread_size_origin));
  if (l.thread_size > kMaxStackSize || l.thread_size % kPageSize != 0) {
    return Error(ErrorCode::kCorrupt, "implausible THREAD_SIZE " + std::to_string(l.thread_size));
  }
  VMSCOPE_TRY(auto task, debug.find_type("struct task_struct"));
  VMSCOPE_TRY(l.task_stack, debuginfo::offset_of(task, "stack"));
  VMSCOPE_TRY(l.thread_sp, debuginfo::offset_of(task, "thread.sp"));

  if (auto frame = debug.find_type("struct inactive_task_frame");
      frame.ok() && (*frame)->is_complete()) {
    SwitchFrame f;
    f.size = static_cast<std::uint32_t>((*frame)->size().value_or(0));
    f.bp = member_offset(*frame, "bp");
    f.ret_addr = member_offset(*frame, "ret_addr");
    f.bx = member_offset(*frame, "bx");
    f.r12 = member_offset(*frame, "r12");
    f.r13 = member_offset(*frame, "r13");
    f.r14 = member_offset(*frame, "r14");
    f.r15 = member_offset(*frame, "r15");
    if (f.size > 0 && f.bp && f.ret_addr) l.switch_frame = f;
  }

  VMSCOPE_TRY(l.pt_regs, resolve_pt_regs_layout(debug));

  l.hardirq_stack_ptr = per_cpu_variable(debug, "hardirq_stack_ptr", "pcpu_hot");
  if (auto irq = debug.find_type("struct irq_stack"); irq.ok() && (*irq)->is_complete()) {
    l.irq_stack_size = (*irq)->size().value_or(0);
  }
  if (l.irq_stack_size == 0) l.irq_stack_size = l.thread_size;  // x86_64: IRQ_STACK_SIZE

  if (auto cea = debug.find_variable("cea_exception_stacks"); cea.ok()) {
    const auto& pointee = debuginfo::underlying(cea->type)->target();
    if (pointee.type) {
      if (auto members = debuginfo::underlying(pointee)->members(); members.ok()) {
        l.cea_exception_stacks = cea->address;
        for (const auto& m : *members) {
          if (!m.name || !m.name->ends_with("_stack")) continue;
          ExceptionStack s;
          s.name = m.name->substr(0, m.name->size() - 6);
          s.offset = m.bit_offset / 8;
          s.size = m.type->size().value_or(0);
          if (s.size > 0) l.exception_stacks.push_back(std::move(s));
        }
      }
    }
  }

  if (auto offsets = debug.find_variable("__per_cpu_offset"); offsets.ok()) {
    l.per_cpu_offsets = offsets->address;
    const auto& array = debuginfo::underlying(offsets->type);
    l.per_cpu_offsets_length = static_cast<std::uint32_t>(array->length().value_or(1));
  }

  for (const char* name : {"ret_from_fork", "ret_from_fork_asm"}) {
    if (auto s = debug.symbols().find(name)) l.fork_return.push_back(s->address);
  }
  return l;
}

Result<StackRegion> task_stack_region(const VirtualMemory& memory, const StackLayout& layout,
                                      std::uint64_t task) {
  VMSCOPE_TRY(std::uint64_t stack, memory.read_u64(task + layout.task_stack));
  if (stack == 0 || stack % kPageSize != 0 || stack + layout.thread_size < stack) {
    return Error(ErrorCode::kCorrupt,
                 "task " + hex_u64(task) + " has stack pointer " + hex_u64(stack),
                 ErrorPayload{.address = task});
  }
  return StackRegion{stack, stack + layout.thread_size, "task"};
}

std::vector<StackRegion> cpu_stack_regions(const VirtualMemory& memory, const StackLayout& layout,
                                           std::uint32_t cpu, std::vector<Error>* problems) {
  std::vector<StackRegion> regions;
  auto note = [&](Error e) {
    if (problems) problems->push_back(std::move(e));
  };
  auto base = per_cpu_base(memory, layout, cpu);
  if (!base.ok()) {
    note(base.error().with_context("CPU " + std::to_string(cpu) + " per-CPU offset"));
    return regions;
  }
  if (layout.hardirq_stack_ptr && layout.irq_stack_size > 0) {
    auto ptr = memory.read_u64(*base + *layout.hardirq_stack_ptr);
    if (!ptr.ok()) {
      note(ptr.error().with_context("CPU " + std::to_string(cpu) + " hardirq_stack_ptr"));
    } else if (*ptr != 0) {
      // The pointer sits at (or just below) the top of the stack; the top is page-aligned.
      const std::uint64_t end = (*ptr + kPageSize - 1) & ~(kPageSize - 1);
      regions.push_back(StackRegion{end - layout.irq_stack_size, end, "irq"});
    }
  }
  if (layout.cea_exception_stacks) {
    auto stacks = memory.read_u64(*base + *layout.cea_exception_stacks);
    if (!stacks.ok()) {
      note(stacks.error().with_context("CPU " + std::to_string(cpu) + " cea_exception_stacks"));
    } else if (*stacks != 0) {
      for (const auto& s : layout.exception_stacks) {
        regions.push_back(StackRegion{*stacks + s.offset, *stacks + s.offset + s.size, s.name});
      }
    }
  }
  return regions;
}

Result<StartingRegisters> switch_frame_registers(const VirtualMemory& memory,
                                                 const StackLayout& layout, std::uint64_t task) {
  if (!layout.switch_frame) {
    return Error(ErrorCode::kUnsupported,
                 "this kernel has no struct inactive_task_frame; its switch frame is not known",
                 ErrorPayload{.name = "inactive_task_frame"});
  }
  const auto& f = *layout.switch_frame;
  VMSCOPE_TRY(std::uint64_t sp, memory.read_u64(task + layout.thread_sp));
  std::vector<std::byte> frame(f.size);
  Status read = memory.read(sp, frame);
  if (!read.ok()) return read.error().with_context("switch frame at thread.sp " + hex_u64(sp));
  auto word = [&](std::uint32_t offset) {
    std::uint64_t v = 0;
    std::memcpy(&v, frame.data() + offset, sizeof(v));
    return v;
  };
  StartingRegisters start;
  FrameRegisters& r = start.registers;
  r.set(kRsp, sp + f.size);
  r.set(kRbp, word(*f.bp));
  r.set(kRip, word(*f.ret_addr));
  if (f.bx) r.set(kRbx, word(*f.bx));
  if (f.r12) r.set(kR12, word(*f.r12));
  if (f.r13) r.set(kR13, word(*f.r13));
  if (f.r14) r.set(kR14, word(*f.r14));
  if (f.r15) r.set(kR15, word(*f.r15));
  for (std::uint64_t fork : layout.fork_return) {
    if (r.pc() == fork) start.interrupted = true;
  }
  start.origin = "inactive_task_frame at thread.sp " + hex_u64(sp);
  return start;
}

}  // namespace vmscope::kernel
