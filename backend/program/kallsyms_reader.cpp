#include "program/kallsyms_reader.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <span>

namespace vmscope {
namespace {

Error corrupt(const std::string& what, std::uint64_t address) {
  return Error(ErrorCode::kCorrupt, "kallsyms: " + what, {.address = address});
}

// Sequential reads of kallsyms_names through a window of a few pages, so decoding 150k names
// costs a few hundred reads rather than one per byte. A window never crosses the end of the
// page holding its last byte, and a failed window falls back to one page, so an unreadable
// page after the table's end is touched only if the table really runs into it.
class ByteStream {
 public:
  ByteStream(const VirtualMemory& memory, std::uint64_t start, std::uint64_t limit)
      : memory_(memory), start_(start), limit_(limit) {}

  Result<std::uint8_t> next() {
    if (position_ >= window_begin_ + window_.size() || position_ < window_begin_) {
      VMSCOPE_CHECK(fill());
    }
    return static_cast<std::uint8_t>(window_[position_++ - window_begin_]);
  }
  std::uint64_t consumed() const { return position_; }

 private:
  static constexpr std::uint64_t kPage = 4096;
  static constexpr std::uint64_t kWindow = 16 * kPage;

  Status fill() {
    if (position_ >= limit_) {
      return corrupt("kallsyms_names runs past " + std::to_string(limit_) + " bytes",
                     start_ + position_);
    }
    const std::uint64_t address = start_ + position_;
    std::uint64_t length = kWindow - (address % kPage);
    length = std::min(length, limit_ - position_);
    window_.resize(length);
    Status read = memory_.read(address, window_);
    if (!read.ok()) {
      length = std::min(kPage - (address % kPage), limit_ - position_);
      window_.resize(length);
      VMSCOPE_CHECK(memory_.read(address, window_));
    }
    window_begin_ = position_;
    return ok_status();
  }

  const VirtualMemory& memory_;
  const std::uint64_t start_;
  const std::uint64_t limit_;
  std::uint64_t position_ = 0;
  std::uint64_t window_begin_ = 0;
  std::vector<std::byte> window_;
};

// The 256 tokens, expanded from the token table through the index.
Result<std::array<std::string, 256>> read_tokens(const VirtualMemory& memory,
                                                 const KallsymsLocations& where) {
  std::array<std::uint16_t, 256> index{};
  VMSCOPE_CHECK(
      memory.read(where.token_index, std::as_writable_bytes(std::span<std::uint16_t>(index))));
  std::uint32_t end = 0;
  for (std::uint16_t offset : index) end = std::max<std::uint32_t>(end, offset);
  // The last token starts at the largest offset; no token is longer than a symbol name.
  constexpr std::uint32_t kMaxToken = 256;
  std::vector<std::byte> table(std::size_t{end} + kMaxToken);
  Status whole = memory.read(where.token_table, table);
  if (!whole.ok()) {
    // The table may end just before an unreadable page: read up to the last token's start,
    // then the last token alone.
    table.resize(end);
    VMSCOPE_CHECK(memory.read(where.token_table, table));
    VMSCOPE_TRY(std::string last, memory.read_c_string(where.token_table + end, kMaxToken));
    for (char c : last) table.push_back(static_cast<std::byte>(c));
    table.push_back(std::byte{0});
  }
  std::array<std::string, 256> tokens;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const char* begin = reinterpret_cast<const char*>(table.data()) + index[i];
    const std::size_t room = table.size() - index[i];
    const std::size_t length = strnlen(begin, room);
    if (length == room) {
      return corrupt("token " + std::to_string(i) + " is not terminated",
                     where.token_table + index[i]);
    }
    tokens[i].assign(begin, length);
  }
  return tokens;
}

}  // namespace

std::string_view kallsyms_addressing_name(KallsymsAddressing addressing) {
  switch (addressing) {
    case KallsymsAddressing::kAbsolutePerCpu: return "base-relative, absolute per-CPU";
    case KallsymsAddressing::kRelative: return "base-relative";
    case KallsymsAddressing::kAbsolute: return "absolute";
  }
  return "?";
}

Result<KallsymsLocations> locate_kallsyms(const SymbolAddressFinder& find, std::string source) {
  KallsymsLocations where;
  where.source = std::move(source);
  auto required = [&](std::string_view name, std::uint64_t& out) -> Status {
    auto address = find(name);
    if (!address) {
      return Error(ErrorCode::kNotFound,
                   "kallsyms: " + std::string(name) + " not found in " + where.source,
                   {.name = std::string(name)});
    }
    out = *address;
    return ok_status();
  };
  VMSCOPE_CHECK(required("kallsyms_num_syms", where.num_syms));
  VMSCOPE_CHECK(required("kallsyms_names", where.names));
  VMSCOPE_CHECK(required("kallsyms_token_table", where.token_table));
  VMSCOPE_CHECK(required("kallsyms_token_index", where.token_index));
  where.offsets = find("kallsyms_offsets");
  where.relative_base = find("kallsyms_relative_base");
  where.addresses = find("kallsyms_addresses");
  if (!(where.offsets && where.relative_base) && !where.addresses) {
    return Error(ErrorCode::kUnsupported,
                 "kallsyms: neither kallsyms_offsets with kallsyms_relative_base nor "
                 "kallsyms_addresses in " +
                     where.source,
                 {.name = "kallsyms_offsets"});
  }
  return where;
}

Result<KallsymsTable> read_kallsyms(const VirtualMemory& memory, const KallsymsLocations& where,
                                    const KallsymsLimits& limits) {
  VMSCOPE_TRY(std::uint32_t count, memory.read_u32(where.num_syms));
  if (count == 0 || count > limits.max_symbols) {
    return corrupt("kallsyms_num_syms is " + std::to_string(count) + " (limit " +
                       std::to_string(limits.max_symbols) + ")",
                   where.num_syms);
  }
  VMSCOPE_TRY(auto tokens, read_tokens(memory, where));

  KallsymsTable table;
  table.symbols.resize(count);
  // Addresses first: they decide the encoding and are one read each.
  const bool base_relative = where.offsets && where.relative_base;
  if (base_relative) {
    VMSCOPE_TRY(std::uint64_t base, memory.read_u64(*where.relative_base));
    std::vector<std::int32_t> offsets(count);
    VMSCOPE_CHECK(
        memory.read(*where.offsets, std::as_writable_bytes(std::span<std::int32_t>(offsets))));
    bool any_negative = false;
    for (std::int32_t o : offsets) any_negative |= o < 0;
    table.addressing =
        any_negative ? KallsymsAddressing::kAbsolutePerCpu : KallsymsAddressing::kRelative;
    for (std::uint32_t i = 0; i < count; ++i) {
      const std::int32_t o = offsets[i];
      std::uint64_t address;
      if (!any_negative) {
        address = base + static_cast<std::uint32_t>(o);
      } else if (o >= 0) {
        address = static_cast<std::uint64_t>(o);
      } else {
        address = base - 1 - static_cast<std::uint64_t>(static_cast<std::int64_t>(o));
      }
      table.symbols[i].address = address;
    }
  } else {
    table.addressing = KallsymsAddressing::kAbsolute;
    std::vector<std::uint64_t> addresses(count);
    VMSCOPE_CHECK(
        memory.read(*where.addresses, std::as_writable_bytes(std::span<std::uint64_t>(addresses))));
    for (std::uint32_t i = 0; i < count; ++i) table.symbols[i].address = addresses[i];
  }

  ByteStream names(memory, where.names, limits.max_names_bytes);
  std::string expanded;
  for (std::uint32_t i = 0; i < count; ++i) {
    VMSCOPE_TRY(std::uint8_t first, names.next());
    std::uint32_t length = first;
    if (first & 0x80) {
      VMSCOPE_TRY(std::uint8_t second, names.next());
      length = (first & 0x7fu) | (std::uint32_t{second} << 7);
    }
    expanded.clear();
    for (std::uint32_t t = 0; t < length; ++t) {
      VMSCOPE_TRY(std::uint8_t token, names.next());
      expanded += tokens[token];
      if (expanded.size() > limits.max_name_length + 1) {
        return corrupt("symbol " + std::to_string(i) + "'s name is longer than " +
                           std::to_string(limits.max_name_length) + " bytes",
                       where.names + names.consumed());
      }
    }
    if (expanded.empty()) {
      return corrupt("symbol " + std::to_string(i) + " has an empty name",
                     where.names + names.consumed());
    }
    table.symbols[i].type = expanded[0];
    table.symbols[i].name.assign(expanded, 1);
  }
  return table;
}

}  // namespace vmscope
