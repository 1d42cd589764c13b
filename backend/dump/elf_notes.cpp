#include "dump/elf_notes.h"

#include <cstring>
#include <string_view>

#include "support/hex.h"

namespace vmscope {
namespace {

constexpr std::uint32_t kNtPrStatus = 1;
constexpr std::uint32_t kNtTaskStruct = 4;
constexpr std::size_t kNoteHeaderSize = 12;

std::uint32_t load_u32(const std::byte* p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);  // dumps are little-endian, like the hosts vmscope runs on
  return v;
}

std::uint64_t load_u64(const std::byte* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Rounds up without overflow: values come from 32-bit fields, computed in 64 bits.
std::uint64_t align_up(std::uint64_t value, std::uint32_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

std::string note_name(std::span<const std::byte> raw) {
  std::string name(reinterpret_cast<const char*>(raw.data()), raw.size());
  while (!name.empty() && name.back() == '\0') name.pop_back();
  return name;
}

}  // namespace

ElfNoteList parse_elf_notes(std::span<const std::byte> bytes, std::uint64_t base_offset,
                            std::uint32_t alignment) {
  if (alignment != 8) alignment = 4;
  ElfNoteList list;
  std::uint64_t pos = 0;
  const std::uint64_t size = bytes.size();
  // Every turn consumes at least one 12-byte header, so the loop is bounded by the area size.
  while (size - pos >= kNoteHeaderSize) {
    const std::byte* header = bytes.data() + pos;
    std::uint32_t namesz = load_u32(header);
    std::uint32_t descsz = load_u32(header + 4);
    std::uint32_t type = load_u32(header + 8);
    if (namesz == 0 && descsz == 0 && type == 0) break;  // zero padding after the last note

    std::uint64_t name_at = pos + kNoteHeaderSize;
    std::uint64_t desc_at = name_at + align_up(namesz, alignment);
    std::uint64_t next = desc_at + align_up(descsz, alignment);
    // The last note may omit the padding after its descriptor.
    if (desc_at > size || desc_at + descsz > size) {
      list.stopped = Error(ErrorCode::kCorrupt,
                           "ELF note at file offset " + hex_u64(base_offset + pos) + " (namesz " +
                               std::to_string(namesz) + ", descsz " + std::to_string(descsz) +
                               ") runs past the end of its note segment",
                           {.offset = base_offset + pos});
      break;
    }
    ElfNote note;
    note.name = note_name(bytes.subspan(name_at, namesz));
    note.type = type;
    note.offset = base_offset + pos;
    note.desc = bytes.subspan(desc_at, descsz);
    list.notes.push_back(std::move(note));
    pos = next < size ? next : size;
  }
  if (!list.stopped && pos < size) {
    bool padding = true;
    for (std::uint64_t i = pos; i < size; ++i) padding = padding && bytes[i] == std::byte{0};
    if (!padding) {
      list.stopped =
          Error(ErrorCode::kCorrupt,
                "stray bytes after the last ELF note at file offset " + hex_u64(base_offset + pos),
                {.offset = base_offset + pos});
    }
  }
  return list;
}

void collect_dump_notes(const std::vector<ElfNote>& notes, DumpNotes& out,
                        std::vector<Error>& problems) {
  auto index = static_cast<std::uint32_t>(out.prstatus.size());
  for (const ElfNote& note : notes) {
    if (note.name == "CORE" && note.type == kNtPrStatus) {
      std::uint32_t this_index = index++;  // a bad note still holds its CPU's place
      constexpr std::size_t regs_end = kPrStatusRegsOffset + kPrStatusRegCount * 8;
      if (note.desc.size() < regs_end) {
        problems.emplace_back(ErrorCode::kCorrupt,
                              "NT_PRSTATUS note at file offset " + hex_u64(note.offset) + " has " +
                                  std::to_string(note.desc.size()) + " bytes, x86_64 needs " +
                                  std::to_string(regs_end),
                              ErrorPayload{.offset = note.offset});
        continue;
      }
      PrStatusNote prstatus;
      prstatus.index = this_index;
      prstatus.pid = static_cast<std::int32_t>(load_u32(note.desc.data() + kPrStatusPidOffset));
      prstatus.registers.reserve(kPrStatusRegCount);
      for (std::size_t i = 0; i < kPrStatusRegCount; ++i) {
        prstatus.registers.push_back(load_u64(note.desc.data() + kPrStatusRegsOffset + i * 8));
      }
      out.prstatus.push_back(std::move(prstatus));
    } else if (note.name == "VMCOREINFO") {
      if (out.vmcoreinfo) {
        problems.emplace_back(
            ErrorCode::kCorrupt,
            "second VMCOREINFO note at file offset " + hex_u64(note.offset) + " ignored",
            ErrorPayload{.offset = note.offset});
        continue;
      }
      std::string text(reinterpret_cast<const char*>(note.desc.data()), note.desc.size());
      while (!text.empty() && text.back() == '\0') text.pop_back();
      out.vmcoreinfo = std::move(text);
    } else if (note.name == "QEMU") {
      out.qemu_cpu_state.emplace_back(note.desc.begin(), note.desc.end());
    } else if ((note.name == "CORE" || note.name == "SNAP") && note.type == kNtTaskStruct) {
      if (note.desc.size() < 8) {
        problems.emplace_back(ErrorCode::kCorrupt,
                              "NT_TASKSTRUCT note at file offset " + hex_u64(note.offset) +
                                  " is too short to hold a task address",
                              ErrorPayload{.offset = note.offset});
        continue;
      }
      if (!out.panic_task) out.panic_task = load_u64(note.desc.data());
    }
  }
}

}  // namespace vmscope
