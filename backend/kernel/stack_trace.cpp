#include "kernel/stack_trace.h"

#include <algorithm>
#include <cstring>

#include "debuginfo/dwarf_cfi.h"
#include "debuginfo/inline_frames.h"
#include "debuginfo/orc_table.h"
#include "debuginfo/type_layout.h"
#include "kernel/cpu_register_notes.h"
#include "kernel/task_stack.h"
#include "program/module_kallsyms.h"
#include "support/hex.h"

namespace vmscope::kernel {
namespace {

// What the tracer keeps of a loaded module: its text, ORC table and code symbols.
struct ModuleCode {
  std::string name;
  std::vector<debuginfo::AddressRange> text;
  debuginfo::OrcTable orc;
  std::vector<ModuleCodeSymbol> symbols;  // sorted by address

  bool contains(std::uint64_t pc) const {
    return std::any_of(text.begin(), text.end(), [&](const auto& r) { return r.contains(pc); });
  }
  const ModuleCodeSymbol* symbolize(std::uint64_t pc) const {
    return find_module_code_symbol(symbols, pc);
  }
};

// struct module's ORC members, detected from DWARF (absent in kernels built without ORC).
struct ModuleOrcOffsets {
  std::optional<std::uint64_t> ip, entries, count;
};

ModuleOrcOffsets resolve_module_orc_offsets(const debuginfo::DebugInfo& debug) {
  ModuleOrcOffsets m;
  auto module = debug.find_type("struct module");
  if (!module.ok()) return m;
  auto opt = [&](std::string_view d) -> std::optional<std::uint64_t> {
    auto o = debuginfo::offset_of(*module, d);
    return o.ok() ? std::optional<std::uint64_t>(*o) : std::nullopt;
  };
  m.ip = opt("arch.orc_unwind_ip");
  m.entries = opt("arch.orc_unwind");
  m.count = opt("arch.num_orcs");
  return m;
}

// A module's ORC table, straight from its memory (mod->arch); empty when it has none.
debuginfo::OrcTable read_module_orc(const VirtualMemory& memory, const ModuleOrcOffsets& m,
                                    std::uint64_t module, const std::string& name,
                                    const OrcEntryFormat& format, std::vector<std::string>& notes) {
  if (!m.ip || !m.entries || !m.count) return {};
  auto ip = memory.read_u64(module + *m.ip);
  auto entries = memory.read_u64(module + *m.entries);
  auto count = memory.read_u32(module + *m.count);
  if (!ip.ok() || !entries.ok() || !count.ok() || *count == 0 ||
      *count > debuginfo::OrcTable::kMaxEntries) {
    return {};
  }
  std::vector<std::byte> ip_bytes(std::uint64_t{*count} * 4);
  std::vector<std::byte> entry_bytes(std::uint64_t{*count} * format.size);
  Status a = memory.read(*ip, ip_bytes);
  Status b = memory.read(*entries, entry_bytes);
  if (!a.ok() || !b.ok()) {
    notes.push_back("module " + name +
                    ": ORC tables unreadable: " + (a.ok() ? b : a).error().message());
    return {};
  }
  auto table = debuginfo::OrcTable::build(ip_bytes, *ip, entry_bytes, format);
  if (!table.ok()) {
    notes.push_back("module " + name + ": " + table.error().message());
    return {};
  }
  return std::move(*table);
}

// The loaded modules' text and symbols (program/module_kallsyms.h) and ORC tables, read from
// memory.
std::vector<ModuleCode> load_modules(const VirtualMemory& memory, const debuginfo::DebugInfo& debug,
                                     const OrcEntryFormat& format,
                                     std::vector<std::string>& notes) {
  std::vector<ModuleCode> modules;
  auto listed = read_module_kallsyms(memory, debug);
  if (!listed.ok()) {
    notes.push_back("modules: not read (" + listed.error().message() + ")");
    return modules;
  }
  notes.insert(notes.end(), listed->problems.begin(), listed->problems.end());
  const ModuleOrcOffsets orc = resolve_module_orc_offsets(debug);
  for (const ModuleKallsyms& m : listed->modules) {
    ModuleCode code;
    code.name = m.name;
    code.text = m.text;
    code.orc = read_module_orc(memory, orc, m.module, m.name, format, notes);
    code.symbols = module_code_symbols(m);
    modules.push_back(std::move(code));
  }
  return modules;
}

}  // namespace

std::string StackFrame::symbol_offset_text() const {
  if (symbol.empty()) return hex_u64(pc);
  std::string text = symbol + "+" + hex_u64(symbol_offset);
  if (symbol_size) text += "/" + hex_u64(symbol_size);
  return text;
}

struct StackTracer::State final : X86_64UnwindSource {
  const Program* program = nullptr;
  const VirtualMemory* memory = nullptr;  // the program's, or the caller's override
  const debuginfo::DebugInfo* debug = nullptr;
  StackLayout layout;
  OrcEntryFormat orc_format;
  debuginfo::OrcTable vmlinux_orc;
  std::vector<ModuleCode> modules;
  std::unique_ptr<debuginfo::DwarfCfi> cfi;
  std::unique_ptr<debuginfo::InlineFrameResolver> inline_frames;
  std::vector<std::string> notes;
  CpuRegisterNotes cpu_notes;  // which dump note holds which CPU's registers

  const ModuleCode* module_of(std::uint64_t pc) const {
    for (const auto& m : modules) {
      if (m.contains(pc)) return &m;
    }
    return nullptr;
  }

  std::optional<OrcEntry> find_orc(std::uint64_t pc) const override {
    if (auto e = vmlinux_orc.find(pc)) return e;
    if (const ModuleCode* m = module_of(pc)) return m->orc.find(pc);
    return std::nullopt;
  }
  std::optional<CfiRow> find_cfi(std::uint64_t pc) const override {
    return cfi ? cfi->find(pc) : std::nullopt;
  }

  Result<StackTrace> trace(StartingRegisters start, std::vector<StackRegion> stacks,
                           const CancellationToken& cancel, const StackTraceOptions& options) const;
  void add_frames(const UnwoundFrame& frame, std::span<const StackRegion> stacks,
                  const StackTraceOptions& options, StackTrace& out) const;
};

StackTracer::StackTracer(std::unique_ptr<State> state) : state_(std::move(state)) {}
StackTracer::~StackTracer() = default;

const std::vector<std::string>& StackTracer::load_notes() const {
  return state_->notes;
}

std::vector<StackTracer::ModuleInfo> StackTracer::modules() const {
  std::vector<ModuleInfo> out;
  for (const auto& m : state_->modules) {
    out.push_back(ModuleInfo{m.name, m.text, m.orc.size(), m.symbols.size()});
  }
  return out;
}

std::optional<std::pair<std::string, std::uint64_t>> StackTracer::module_symbol(
    std::uint64_t address) const {
  const ModuleCode* m = state_->module_of(address);
  const ModuleCodeSymbol* s = m ? m->symbolize(address) : nullptr;
  if (!s) return std::nullopt;
  return std::make_pair(s->name, address - s->address);
}

Result<std::unique_ptr<StackTracer>> StackTracer::create(const Program& program,
                                                         const StackTracerOptions& options) {
  VMSCOPE_TRY(const debuginfo::DebugInfo* debug, program.require_debug_info("backtraces"));
  auto state = std::make_unique<State>();
  state->program = &program;
  state->memory = options.memory ? options.memory : &program.memory();
  state->debug = debug;
  VMSCOPE_TRY(state->layout, StackLayout::resolve(*debug));
  VMSCOPE_TRY(state->orc_format, debuginfo::orc_entry_format(*debug));
  const std::string& vmlinux = debug->elf().path();
  auto orc = debuginfo::OrcTable::from_elf(vmlinux, state->orc_format, debug->load_offset());
  if (orc.ok()) {
    state->vmlinux_orc = std::move(*orc);
    state->notes.push_back("ORC: vmlinux " + std::to_string(state->vmlinux_orc.size()) +
                           " entries (" + std::string(state->orc_format.origin) + ")");
  } else {
    state->notes.push_back("ORC: vmlinux has none (" + orc.error().message() + ")");
  }
  if (options.load_modules) {
    state->modules = load_modules(*state->memory, *debug, state->orc_format, state->notes);
    std::size_t with_orc = 0;
    for (const auto& m : state->modules) with_orc += m.orc.empty() ? 0 : 1;
    state->notes.push_back("modules: " + std::to_string(state->modules.size()) + " loaded, " +
                           std::to_string(with_orc) + " with ORC tables read from memory");
  }
  if (options.load_cfi) {
    auto cfi = debuginfo::DwarfCfi::open(vmlinux, debug->load_offset());
    if (cfi.ok()) {
      state->cfi = std::move(*cfi);
      state->notes.push_back("CFI: vmlinux call frame information");
    } else {
      state->notes.push_back("CFI: none (" + cfi.error().message() + ")");
    }
  }
  VMSCOPE_TRY(state->inline_frames,
              debuginfo::InlineFrameResolver::open(vmlinux, debug->load_offset()));
  state->cpu_notes = map_cpu_register_notes(*state->memory, *debug, program.dump().notes());
  state->notes.push_back("CPU registers: " + std::to_string(state->cpu_notes.note_of_cpu.size()) +
                         " NT_PRSTATUS notes matched to CPUs by " + state->cpu_notes.method);
  return std::unique_ptr<StackTracer>(new StackTracer(std::move(state)));
}

void StackTracer::State::add_frames(const UnwoundFrame& frame, std::span<const StackRegion> stacks,
                                    const StackTraceOptions& options, StackTrace& out) const {
  StackFrame base;
  base.pc = frame.regs.pc();
  base.sp = frame.regs.sp();
  base.interrupted = frame.interrupted;
  base.user_mode = frame.user_mode;
  base.method = frame.method;
  base.pt_regs = frame.pt_regs;
  base.partial_pt_regs = frame.partial_pt_regs;
  base.registers = frame.regs;
  if (frame.stack && *frame.stack < stacks.size()) base.stack_kind = stacks[*frame.stack].kind;
  if (frame.user_mode) {
    out.frames.push_back(std::move(base));
    return;
  }
  // A return address belongs to the call before it.
  const std::uint64_t lookup = frame.interrupted ? base.pc : base.pc - 1;

  if (const ModuleCode* module = module_of(lookup)) {
    base.module = module->name;
    if (const ModuleCodeSymbol* s = module->symbolize(lookup)) {
      base.symbol = s->name;
      base.symbol_offset = base.pc - s->address;
      base.symbol_size = s->size;
    }
    base.function = base.symbol;
    out.frames.push_back(std::move(base));
    return;
  }
  if (auto s = debug->symbolize(lookup)) {
    base.symbol = std::string(s->symbol.name);
    base.symbol_offset = base.pc - s->symbol.address;
    base.symbol_size = s->symbol.size;
  }
  auto chain = inline_frames->at(lookup);
  if (chain->empty()) {
    base.function = base.symbol;
    out.frames.push_back(std::move(base));
    return;
  }
  debuginfo::FrameState state;
  state.reg = [&frame](int reg) { return frame.regs.get(reg); };
  state.cfa = frame.cfa;
  state.memory = memory;
  state.load_offset = debug->load_offset();
  for (const debuginfo::InlineFrame& f : *chain) {
    StackFrame s = base;
    s.function = f.function.empty() ? base.symbol : f.function;
    s.inline_frame = f.inlined;
    s.source = f.location;
    if (options.variables && f.function_die != 0) {
      auto vars = debuginfo::frame_variables(inline_frames->file(), debug->types(), f,
                                             lookup - debug->load_offset(), state);
      if (vars.ok()) {
        s.variables = std::move(*vars);
      } else {
        out.notes.push_back("variables of " + s.function + ": " + vars.error().message());
      }
    }
    out.frames.push_back(std::move(s));
  }
}

Result<StackTrace> StackTracer::State::trace(StartingRegisters start,
                                             std::vector<StackRegion> stacks,
                                             const CancellationToken& cancel,
                                             const StackTraceOptions& options) const {
  StackTrace out;
  out.start = start.origin;
  UnwindLimits limits;
  limits.max_frames = options.max_frames;
  VMSCOPE_TRY(Unwind unwind, unwind_x86_64(start.registers, start.interrupted, *this, *memory,
                                           stacks, layout.pt_regs, cancel, limits));
  for (const UnwoundFrame& frame : unwind.frames) {
    VMSCOPE_CHECK(cancel.check());
    if (frame.method == UnwindMethod::kCfi || frame.method == UnwindMethod::kFramePointer) {
      out.notes.push_back("frame at " + hex_u64(frame.regs.pc()) + " found by " +
                          std::string(unwind_method_name(frame.method)) +
                          " (no ORC entry for the frame below)");
    }
    add_frames(frame, stacks, options, out);
  }
  out.stopped = std::move(unwind.stopped);
  out.end_reason = std::move(unwind.end_reason);
  return out;
}

Result<StackTrace> StackTracer::trace(const TaskRef& task, const CancellationToken& cancel,
                                      const StackTraceOptions& options) const {
  VMSCOPE_CHECK(cancel.check());
  const State& s = *state_;
  const VirtualMemory& memory = *s.memory;
  StackTrace failed;
  failed.task = task;
  auto fail = [&](Error e) -> Result<StackTrace> {
    failed.stopped = std::move(e);
    return std::move(failed);
  };

  std::vector<StackRegion> stacks;
  auto own = task_stack_region(memory, s.layout, task.address);
  if (!own.ok()) return fail(own.error().with_context("task " + hex_u64(task.address)));
  stacks.push_back(*own);

  std::optional<StartingRegisters> start;
  std::vector<std::string> notes;
  if (task.running_on_cpu) {
    const std::uint32_t cpu = *task.running_on_cpu;
    const std::string which = "NT_PRSTATUS of CPU " + std::to_string(cpu);
    if (const PrStatusNote* note = s.cpu_notes.find(s.program->dump().notes(), cpu)) {
      auto regs = X86_64Registers::from_prstatus(note->registers);
      if (regs.ok()) {
        start = StartingRegisters{FrameRegisters::from(*regs), true, which};
      } else {
        notes.push_back(which + ": " + regs.error().message());
      }
    } else {
      notes.push_back("no NT_PRSTATUS note for CPU " + std::to_string(cpu) +
                      "; using the task's last switch frame");
    }
    std::vector<Error> problems;
    for (auto& r : cpu_stack_regions(memory, s.layout, cpu, &problems)) stacks.push_back(r);
    for (const auto& p : problems) notes.push_back(p.message());
  }
  if (!start) {
    auto frame = switch_frame_registers(memory, s.layout, task.address);
    if (!frame.ok()) return fail(frame.error().with_context("task " + hex_u64(task.address)));
    start = std::move(*frame);
  }
  VMSCOPE_TRY(StackTrace trace, s.trace(std::move(*start), std::move(stacks), cancel, options));
  trace.task = task;
  trace.notes.insert(trace.notes.begin(), notes.begin(), notes.end());
  return trace;
}

Result<StackTrace> StackTracer::trace_from(const FrameRegisters& registers, bool interrupted,
                                           std::vector<StackRegion> stacks, std::string origin,
                                           const CancellationToken& cancel,
                                           const StackTraceOptions& options) const {
  return state_->trace(StartingRegisters{registers, interrupted, std::move(origin)},
                       std::move(stacks), cancel, options);
}

Result<std::vector<StackTrace>> backtrace_all(const StackTracer& tracer,
                                              std::span<const TaskRef> tasks,
                                              const CancellationToken& cancel,
                                              const StackTraceOptions& options) {
  std::vector<StackTrace> out;
  out.reserve(tasks.size());
  for (const TaskRef& task : tasks) {
    VMSCOPE_TRY(StackTrace trace, tracer.trace(task, cancel, options));
    out.push_back(std::move(trace));
  }
  return out;
}

Result<std::vector<StackTrace>> backtrace_all(const Program& program,
                                              std::span<const TaskRef> tasks,
                                              const CancellationToken& cancel,
                                              const StackTraceOptions& options) {
  VMSCOPE_TRY(auto tracer, StackTracer::create(program));
  return backtrace_all(*tracer, tasks, cancel, options);
}

}  // namespace vmscope::kernel
