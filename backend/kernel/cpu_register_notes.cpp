#include "kernel/cpu_register_notes.h"

#include <array>
#include <vector>

#include "dump/elf_notes.h"
#include "kernel/per_cpu.h"

namespace vmscope::kernel {
namespace {

// The NT_PRSTATUS note in one CPU's crash_notes buffer: header, "CORE\0" padded to 8, the
// prstatus. Nothing when the buffer is empty (that CPU saved no registers) or unreadable.
std::optional<PrStatusNote> saved_note(const VirtualMemory& memory, std::uint64_t buffer) {
  constexpr std::size_t kNoteBytes = 12 + 8 + kPrStatusSize;
  std::array<std::byte, kNoteBytes> bytes{};
  if (!memory.read(buffer, bytes).ok()) return std::nullopt;
  ElfNoteList list = parse_elf_notes(bytes, 0);
  DumpNotes parsed;
  std::vector<Error> ignored;
  collect_dump_notes(list.notes, parsed, ignored);
  if (parsed.prstatus.size() != 1) return std::nullopt;
  return parsed.prstatus.front();
}

bool same_note(const PrStatusNote& a, const PrStatusNote& b) {
  return a.pid == b.pid && a.registers == b.registers;
}

}  // namespace

CpuRegisterNotes map_cpu_register_notes(const VirtualMemory& memory,
                                        const debuginfo::DebugInfo& debug, const DumpNotes& notes) {
  CpuRegisterNotes out;
  auto variable = debug.find_variable("crash_notes");
  auto per_cpu = PerCpuLayout::resolve(debug);
  if (variable.ok() && per_cpu.ok() && !notes.prstatus.empty()) {
    auto cpus = read_cpu_info(memory, *per_cpu);
    auto pointer = memory.read_u64(variable->address);
    if (cpus.ok() && pointer.ok() && *pointer != 0) {
      std::vector<bool> taken(notes.prstatus.size(), false);
      for (std::uint32_t cpu : cpus->possible_cpus()) {
        auto buffer = cpus->address(*pointer, cpu);
        if (!buffer.ok()) continue;
        std::optional<PrStatusNote> saved = saved_note(memory, *buffer);
        if (!saved) continue;
        for (std::size_t i = 0; i < notes.prstatus.size(); ++i) {
          if (!taken[i] && same_note(*saved, notes.prstatus[i])) {
            taken[i] = true;
            out.note_of_cpu[cpu] = i;
            break;
          }
        }
      }
    }
  }
  if (!out.note_of_cpu.empty()) {
    out.method = "crash_notes";
    return out;
  }
  out.method = "note order";
  for (std::size_t i = 0; i < notes.prstatus.size(); ++i) {
    out.note_of_cpu[static_cast<std::uint32_t>(i)] = i;
  }
  return out;
}

}  // namespace vmscope::kernel
