// An opened crash dump: its physical memory plus the notes the format carries.
//
// Every format reader returns a Dump. The notes are kept raw and architecture-neutral here
// (register sets as the ELF note laid them out); arch/ gives them meaning.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dump/physical_memory.h"
#include "support/error.h"

namespace vmscope {

// One NT_PRSTATUS note: the registers of one CPU at the time of the dump.
struct PrStatusNote {
  std::uint32_t index = 0;               // order of the note in the dump (CPU order)
  std::int32_t pid = 0;                  // pr_pid (QEMU writes vCPU number + 1, not a pid)
  std::vector<std::uint64_t> registers;  // pr_reg as written (x86_64: user_regs_struct)
};

struct DumpNotes {
  std::vector<PrStatusNote> prstatus;
  std::optional<std::string> vmcoreinfo;    // raw "KEY=value\n" text
  std::optional<std::uint64_t> panic_task;  // netdump NT_TASKSTRUCT: the panic task's address
  std::vector<std::vector<std::byte>> qemu_cpu_state;  // QEMU "QEMU" notes (struct QEMUCPUState)
};

class Dump {
 public:
  virtual ~Dump() = default;
  virtual const PhysicalMemory& memory() const = 0;
  virtual const DumpNotes& notes() const = 0;
  // A short stable name of the format: "elf", "kdump", "flattened", "kcore", …
  virtual std::string format_name() const = 0;
  // What the reader found wrong but could read around, in the order found: a truncated file
  // (pages past the end are absent), a malformed note, an incomplete kdump. Empty for a
  // healthy dump. Reported to clients with every open, so a partial dump is never mistaken
  // for a whole one.
  virtual const std::vector<Error>& problems() const = 0;
};

}  // namespace vmscope
