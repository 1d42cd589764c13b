// Which CPU each NT_PRSTATUS note of a dump belongs to.
//
// A note's position is not its CPU number. kdump's /proc/vmcore emits one note per CPU whose
// per-CPU buffer `crash_notes` holds one, in CPU order, skipping CPUs that saved none (a CPU
// that did not stop); a panic-time network sender may send only the panicking CPU's. The
// kernel's own copy settles it: crash_save_cpu() writes CPU c's note into CPU c's crash_notes
// buffer, so a dump note equal to the note in that buffer (pid and registers) is CPU c's.
// Dumps whose writer is not the kernel (QEMU's dump-guest-memory) leave those buffers empty and
// write one note per vCPU in vCPU order: there, and only when no buffer matched, position = CPU.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "arch/virtual_memory.h"
#include "debuginfo/debug_info.h"
#include "dump/dump.h"

namespace vmscope::kernel {

struct CpuRegisterNotes {
  std::map<std::uint32_t, std::size_t> note_of_cpu;  // CPU -> index into DumpNotes::prstatus
  // "crash_notes" (matched against the kernel's per-CPU buffers) or "note order".
  std::string method;

  const PrStatusNote* find(const DumpNotes& notes, std::uint32_t cpu) const {
    auto it = note_of_cpu.find(cpu);
    return it == note_of_cpu.end() || it->second >= notes.prstatus.size()
               ? nullptr
               : &notes.prstatus[it->second];
  }
};

// Never fails: what cannot be read (no crash_notes, no per-CPU data, an unreadable buffer)
// leaves that CPU to the note-order fallback.
CpuRegisterNotes map_cpu_register_notes(const VirtualMemory& memory,
                                        const debuginfo::DebugInfo& debug, const DumpNotes& notes);

}  // namespace vmscope::kernel
