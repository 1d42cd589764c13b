#include "debuginfo/orc_table.h"

#include <elf.h>
#include <libelf.h>

#include <algorithm>
#include <cstring>
#include <numeric>

#include "debuginfo/elf_file.h"
#include "debuginfo/type_layout.h"

namespace vmscope::debuginfo {
namespace {

Result<OrcBitField> bit_field(const QualifiedType& type, std::string_view name) {
  VMSCOPE_TRY(MemberLocation m, find_member(type, name));
  // A plain (non-bit-field) member of one byte would do too; ORC's are bit fields.
  const std::uint64_t size = m.bit_field_size ? m.bit_field_size : m.type->size().value_or(0) * 8;
  if (size == 0 || size > 16 || m.bit_offset > 0xffff) {
    return Error(ErrorCode::kUnsupported,
                 "struct orc_entry." + std::string(name) + " has an unexpected layout");
  }
  return OrcBitField{static_cast<std::uint32_t>(m.bit_offset), static_cast<std::uint32_t>(size)};
}

Result<std::uint32_t> s16_member(const QualifiedType& type, std::string_view name) {
  VMSCOPE_TRY(MemberLocation m, find_member(type, name));
  if (m.bit_field_size != 0 || m.bit_offset % 8 != 0 || m.type->size().value_or(0) != 2) {
    return Error(ErrorCode::kUnsupported,
                 "struct orc_entry." + std::string(name) + " is not a 16-bit member");
  }
  return static_cast<std::uint32_t>(m.bit_offset / 8);
}

Result<std::span<const std::byte>> section_bytes(const ElfFile& file, const ElfSection& section) {
  if (section.type == SHT_NOBITS) {
    return Error(ErrorCode::kNotFound, section.name + " has no contents in " + file.path(),
                 ErrorPayload{.name = section.name});
  }
  Elf_Scn* scn = elf_getscn(file.elf(), section.index);
  Elf_Data* data = scn ? elf_getdata(scn, nullptr) : nullptr;
  if (!data || (data->d_size > 0 && !data->d_buf)) {
    return Error(ErrorCode::kCorrupt,
                 "cannot read " + section.name + " of " + file.path() + ": " + elf_errmsg(-1));
  }
  return std::span<const std::byte>(static_cast<const std::byte*>(data->d_buf), data->d_size);
}

}  // namespace

Result<OrcEntryFormat> orc_entry_format_from_type(const QualifiedType& type) {
  OrcEntryFormat f;
  auto size = sizeof_type(type);
  if (!size.ok()) return size.error();
  f.size = static_cast<std::uint32_t>(*size);
  VMSCOPE_TRY(f.sp_offset_byte, s16_member(type, "sp_offset"));
  VMSCOPE_TRY(f.bp_offset_byte, s16_member(type, "bp_offset"));
  VMSCOPE_TRY(f.sp_reg, bit_field(type, "sp_reg"));
  VMSCOPE_TRY(f.bp_reg, bit_field(type, "bp_reg"));
  VMSCOPE_TRY(f.type, bit_field(type, "type"));
  // `end` and `signal` are features of the build: present or not.
  if (auto end = bit_field(type, "end"); end.ok()) f.end = *end;
  if (auto signal = bit_field(type, "signal"); signal.ok()) f.signal = *signal;
  f.origin = "DWARF struct orc_entry";
  VMSCOPE_CHECK(f.validate());
  return f;
}

Result<OrcEntryFormat> orc_entry_format(const DebugInfo& debug) {
  auto type = debug.find_type("struct orc_entry");
  if (type.ok() && (*type)->is_complete()) return orc_entry_format_from_type(*type);
  // No DWARF for the struct: the .orc_header section (a hash of the format) exists only in
  // builds with the newer layout.
  if (debug.elf().find_section(".orc_header")) return OrcEntryFormat::documented_with_signal_bit();
  return OrcEntryFormat::documented_with_end_bit();
}

Result<OrcTable> OrcTable::build(std::span<const std::byte> ip_section,
                                 std::uint64_t ip_section_address,
                                 std::span<const std::byte> entry_bytes,
                                 const OrcEntryFormat& format) {
  VMSCOPE_CHECK(format.validate());
  if (ip_section.size() % 4 != 0 || entry_bytes.size() % format.size != 0 ||
      ip_section.size() / 4 != entry_bytes.size() / format.size) {
    return Error(ErrorCode::kCorrupt, "ORC tables disagree: " + std::to_string(ip_section.size()) +
                                          " bytes of addresses, " +
                                          std::to_string(entry_bytes.size()) + " bytes of " +
                                          std::to_string(format.size) + "-byte entries");
  }
  const std::size_t count = ip_section.size() / 4;
  if (count > kMaxEntries) {
    return Error(ErrorCode::kLimitExceeded,
                 "ORC table of " + std::to_string(count) + " entries is implausibly large");
  }
  std::vector<std::uint64_t> addresses(count);
  std::vector<OrcEntry> entries(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::int32_t offset;
    std::memcpy(&offset, ip_section.data() + 4 * i, sizeof(offset));
    addresses[i] = ip_section_address + 4 * i + static_cast<std::uint64_t>(std::int64_t{offset});
    entries[i] = decode_orc_entry(format, entry_bytes.subspan(i * format.size, format.size));
  }

  OrcTable table;
  // A terminator (type undefined) sharing an address with a real entry goes first, so the
  // lookup (last entry <= pc) finds the real one.
  auto before = [&](std::size_t a, std::size_t b) {
    if (addresses[a] != addresses[b]) return addresses[a] < addresses[b];
    return (entries[a].type == OrcType::kUndefined) && (entries[b].type != OrcType::kUndefined);
  };
  std::vector<std::size_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  bool sorted = true;
  for (std::size_t i = 1; i < count && sorted; ++i) sorted = !before(i, i - 1);
  if (!sorted) {
    std::stable_sort(order.begin(), order.end(), before);
    table.sorted_here_ = true;
  }
  table.addresses_.reserve(count);
  table.entries_.reserve(count);
  for (std::size_t i : order) {
    table.addresses_.push_back(addresses[i]);
    table.entries_.push_back(entries[i]);
  }
  return table;
}

Result<OrcTable> OrcTable::from_elf(const std::string& path, const OrcEntryFormat& format,
                                    std::uint64_t load_offset) {
  VMSCOPE_TRY(auto file, ElfFile::open(path));
  const ElfSection* ip = file->find_section(".orc_unwind_ip");
  const ElfSection* unwind = file->find_section(".orc_unwind");
  if (!ip || !unwind) {
    return Error(ErrorCode::kNotFound, path + " has no ORC unwind tables",
                 ErrorPayload{.name = ".orc_unwind"});
  }
  VMSCOPE_TRY(auto ip_bytes, section_bytes(*file, *ip));
  VMSCOPE_TRY(auto entry_bytes, section_bytes(*file, *unwind));
  return build(ip_bytes, ip->address + load_offset, entry_bytes, format);
}

std::optional<OrcEntry> OrcTable::find(std::uint64_t pc) const {
  if (addresses_.empty() || pc < addresses_.front() || pc > addresses_.back()) return std::nullopt;
  auto it = std::upper_bound(addresses_.begin(), addresses_.end(), pc);
  return entries_[static_cast<std::size_t>(it - addresses_.begin()) - 1];
}

}  // namespace vmscope::debuginfo
