// ELF notes of a kernel dump: splitting a PT_NOTE area into notes, and picking out the ones
// vmscope uses (DumpNotes in dump/dump.h).
//
// Note layout (ELF gABI): a 12-byte header {namesz, descsz, type}, the name (namesz bytes,
// NUL included), then the descriptor; name and descriptor each padded to 4 bytes (8 for a
// segment whose p_align is 8 — never the case in dumps, but it is the rule).
//
// Which notes matter, and where their facts sit:
//   "CORE"/NT_PRSTATUS (1)   one per CPU, in CPU order. x86_64 struct elf_prstatus: pr_pid is
//                            the int at byte 32; pr_reg (elf_gregset_t, 27 u64 in the order of
//                            user_regs_struct) starts at byte 112; 336 bytes in all.
//   "VMCOREINFO" (type 0)    the KEY=value text (dump/vmcoreinfo.h); trailing NULs dropped.
//   "QEMU" (type 0)          QEMU's QEMUCPUState per CPU, kept raw.
//   "CORE"/NT_TASKSTRUCT (4) netdump: the first 8 bytes of the descriptor are the address of
//                            the panic task (crash reads them the same way; the "SNAP" name is
//                            crash's live-dump variant of the same note). /proc/kcore writes
//                            a note of this type holding a whole task_struct — the reader's
//                            own — which is why dump/kcore drops it.
// Malformed notes never make a dump unreadable: they are reported as problems (Error values
// with the file offset) and skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dump/dump.h"
#include "support/error.h"

namespace vmscope {

struct ElfNote {
  std::string name;  // without its terminating NUL(s)
  std::uint32_t type = 0;
  std::uint64_t offset = 0;         // file offset of the note header
  std::span<const std::byte> desc;  // points into the bytes given to parse_elf_notes()
};

struct ElfNoteList {
  std::vector<ElfNote> notes;
  std::optional<Error> stopped;  // set when a malformed note ended parsing early
};

// Splits `bytes` (a note area that starts at file offset `base_offset`) into notes. Stops at
// the first note that does not fit, or at an all-zero header (padding).
ElfNoteList parse_elf_notes(std::span<const std::byte> bytes, std::uint64_t base_offset,
                            std::uint32_t alignment = 4);

// x86_64 struct elf_prstatus, as the kernel and QEMU write it.
inline constexpr std::size_t kPrStatusPidOffset = 32;
inline constexpr std::size_t kPrStatusRegsOffset = 112;
inline constexpr std::size_t kPrStatusRegCount = 27;
inline constexpr std::size_t kPrStatusSize = 336;

// Adds the notes vmscope understands to `out` (appending PRSTATUS in order, continuing their
// index from what `out` already holds); appends a problem for each malformed or repeated one.
void collect_dump_notes(const std::vector<ElfNote>& notes, DumpNotes& out,
                        std::vector<Error>& problems);

}  // namespace vmscope
