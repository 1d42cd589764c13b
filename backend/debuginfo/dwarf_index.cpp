#include "debuginfo/dwarf_index.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <unordered_map>

#include "debuginfo/dwarf_index_format.h"

namespace vmscope::debuginfo {

namespace format {

std::uint64_t checksum(const std::uint8_t* data, std::uint64_t size) {
  constexpr std::uint64_t kPrime = 0x100000001b3ULL;
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  std::uint64_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, data + i, 8);
    hash = (hash ^ word) * kPrime;
  }
  for (; i < size; ++i) hash = (hash ^ data[i]) * kPrime;
  return hash;
}

}  // namespace format

namespace {

using format::EnumeratorRecord;
using format::FileHeader;
using format::FunctionRecord;
using format::TypeRecord;
using format::VariableRecord;

std::uint64_t align8(std::uint64_t n) {
  return (n + 7) & ~std::uint64_t{7};
}

// Interns names into the string table; offset 0 is the empty string.
class StringTable {
 public:
  StringTable() { bytes_.push_back(0); }
  std::uint32_t add(std::string_view s) {
    if (s.empty()) return 0;
    auto [it, inserted] = offsets_.try_emplace(s, static_cast<std::uint32_t>(bytes_.size()));
    if (inserted) {
      bytes_.insert(bytes_.end(), s.begin(), s.end());
      bytes_.push_back(0);
    }
    return it->second;
  }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
  std::unordered_map<std::string_view, std::uint32_t> offsets_;
};

template <typename T>
void append(std::vector<std::uint8_t>& out, const T& value) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
  out.insert(out.end(), p, p + sizeof(T));
}

void pad8(std::vector<std::uint8_t>& out) {
  out.resize(align8(out.size()), 0);
}

Error corrupt(std::string what) {
  return Error(ErrorCode::kCorrupt, "DWARF index: " + std::move(what));
}

}  // namespace

std::string_view type_tag_name(TypeTag tag) {
  switch (tag) {
    case TypeTag::kStruct: return "struct";
    case TypeTag::kUnion: return "union";
    case TypeTag::kClass: return "class";
    case TypeTag::kEnum: return "enum";
    case TypeTag::kTypedef: return "typedef";
    case TypeTag::kBase: return "base";
  }
  return "unknown";
}

Result<std::shared_ptr<const DwarfIndex>> DwarfIndex::from_contents(IndexContents contents) {
  std::stable_sort(contents.types.begin(), contents.types.end(),
                   [](const IndexedType& a, const IndexedType& b) {
                     if (a.name != b.name) return a.name < b.name;
                     if (a.tag != b.tag) return a.tag < b.tag;
                     return !a.is_declaration && b.is_declaration;
                   });
  auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
  std::stable_sort(contents.variables.begin(), contents.variables.end(), by_name);
  std::stable_sort(contents.functions.begin(), contents.functions.end(), by_name);
  std::stable_sort(contents.enumerators.begin(), contents.enumerators.end(), by_name);

  StringTable strings;
  std::vector<std::uint8_t> types, variables, functions, by_address, enumerators;
  for (const IndexedType& t : contents.types) {
    append(types, TypeRecord{strings.add(t.name), static_cast<std::uint8_t>(t.tag),
                             static_cast<std::uint8_t>(t.is_declaration ? format::kDeclaration : 0),
                             0, t.die_offset});
  }
  for (const IndexedVariable& v : contents.variables) {
    append(variables, VariableRecord{strings.add(v.name), v.address ? 0u : format::kDeclaration,
                                     v.die_offset, v.address.value_or(0)});
  }
  std::vector<std::uint32_t> order;
  for (std::size_t i = 0; i < contents.functions.size(); ++i) {
    const IndexedFunction& f = contents.functions[i];
    append(functions,
           FunctionRecord{strings.add(f.name), f.is_declaration ? format::kDeclaration : 0u,
                          f.die_offset, f.low_pc, f.high_pc});
    if (!f.is_declaration) order.push_back(static_cast<std::uint32_t>(i));
  }
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return contents.functions[a].low_pc < contents.functions[b].low_pc;
  });
  for (std::uint32_t i : order) append(by_address, i);
  for (const IndexedEnumerator& e : contents.enumerators) {
    append(enumerators, EnumeratorRecord{strings.add(e.name), e.is_signed ? format::kSigned : 0u,
                                         e.enum_die_offset, e.value});
  }

  FileHeader header{};
  std::memcpy(header.magic, format::kMagic, sizeof(header.magic));
  header.version = format::kIndexFormatVersion;
  header.byte_order_mark = format::kByteOrderMark;
  header.source_size = contents.source.file_size;
  header.source_mtime_ns = contents.source.mtime_ns;
  header.build_id_size = static_cast<std::uint32_t>(
      std::min<std::size_t>(contents.source.build_id.size(), format::kMaxBuildIdSize));
  // memcpy from an empty vector's null data() is undefined even for 0 bytes (UBSan says so).
  if (header.build_id_size != 0) {
    std::memcpy(header.build_id, contents.source.build_id.data(), header.build_id_size);
  }

  std::vector<std::uint8_t> out(sizeof(FileHeader), 0);
  auto add_section = [&](format::SectionRef& ref, const std::vector<std::uint8_t>& bytes,
                         std::uint64_t count) {
    pad8(out);
    ref.offset = out.size();
    ref.count = count;
    out.insert(out.end(), bytes.begin(), bytes.end());
  };
  add_section(header.strings, strings.bytes(), strings.bytes().size());
  add_section(header.types, types, contents.types.size());
  add_section(header.variables, variables, contents.variables.size());
  add_section(header.functions, functions, contents.functions.size());
  add_section(header.functions_by_address, by_address, order.size());
  add_section(header.enumerators, enumerators, contents.enumerators.size());
  pad8(out);
  header.payload_size = out.size() - sizeof(FileHeader);
  header.payload_checksum = format::checksum(out.data() + sizeof(FileHeader), header.payload_size);
  std::memcpy(out.data(), &header, sizeof(header));

  // Parsing what was just written also validates it (a failure is a bug in this file).
  return parse(std::move(out), /*verify_checksum=*/false);
}

Result<std::shared_ptr<const DwarfIndex>> DwarfIndex::from_bytes(std::vector<std::uint8_t> bytes) {
  return parse(std::move(bytes), /*verify_checksum=*/true);
}

Result<std::shared_ptr<const DwarfIndex>> DwarfIndex::parse(std::vector<std::uint8_t> bytes,
                                                            bool verify_checksum) {
  if (bytes.size() < sizeof(FileHeader)) return corrupt("shorter than its header");
  FileHeader header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  if (std::memcmp(header.magic, format::kMagic, sizeof(header.magic)) != 0) {
    return corrupt("bad magic");
  }
  if (header.byte_order_mark != format::kByteOrderMark) {
    return Error(ErrorCode::kUnsupported, "DWARF index: written with another byte order");
  }
  if (header.version != format::kIndexFormatVersion) {
    return Error(ErrorCode::kUnsupported, "DWARF index: format version " +
                                              std::to_string(header.version) + ", expected " +
                                              std::to_string(format::kIndexFormatVersion));
  }
  if (header.build_id_size > format::kMaxBuildIdSize) return corrupt("bad build-id size");
  if (header.payload_size != bytes.size() - sizeof(FileHeader)) {
    return Error(ErrorCode::kTruncated, "DWARF index: payload size does not match the file");
  }
  if (verify_checksum && format::checksum(bytes.data() + sizeof(FileHeader), header.payload_size) !=
                             header.payload_checksum) {
    return corrupt("checksum mismatch");
  }
  auto check_section = [&](const format::SectionRef& ref, std::uint64_t record_size,
                           const char* what) -> Status {
    if (ref.offset % 8 != 0 || ref.offset < sizeof(FileHeader) || ref.offset > bytes.size() ||
        ref.count > (bytes.size() - ref.offset) / record_size) {
      return corrupt(std::string(what) + " section out of bounds");
    }
    return ok_status();
  };
  VMSCOPE_CHECK(check_section(header.strings, 1, "strings"));
  VMSCOPE_CHECK(check_section(header.types, sizeof(TypeRecord), "types"));
  VMSCOPE_CHECK(check_section(header.variables, sizeof(VariableRecord), "variables"));
  VMSCOPE_CHECK(check_section(header.functions, sizeof(FunctionRecord), "functions"));
  VMSCOPE_CHECK(check_section(header.functions_by_address, 4, "function addresses"));
  VMSCOPE_CHECK(check_section(header.enumerators, sizeof(EnumeratorRecord), "enumerators"));
  if (header.strings.count == 0 || bytes[header.strings.offset + header.strings.count - 1] != 0) {
    return corrupt("string table not terminated");
  }

  std::shared_ptr<DwarfIndex> index(new DwarfIndex());
  index->strings_offset_ = header.strings.offset;
  index->strings_size_ = header.strings.count;
  index->types_offset_ = header.types.offset;
  index->types_count_ = header.types.count;
  index->variables_offset_ = header.variables.offset;
  index->variables_count_ = header.variables.count;
  index->functions_offset_ = header.functions.offset;
  index->functions_count_ = header.functions.count;
  index->by_address_offset_ = header.functions_by_address.offset;
  index->by_address_count_ = header.functions_by_address.count;
  index->enumerators_offset_ = header.enumerators.offset;
  index->enumerators_count_ = header.enumerators.count;
  index->source_.build_id.assign(header.build_id, header.build_id + header.build_id_size);
  index->source_.file_size = header.source_size;
  index->source_.mtime_ns = header.source_mtime_ns;
  index->bytes_ = std::move(bytes);

  // Every name offset must point into the table (whose last byte is NUL, so every name ends),
  // and every function index into the function records: then no lookup can read out of bounds.
  auto name_ok = [&](std::uint32_t name) { return name < index->strings_size_; };
  for (std::uint64_t i = 0; i < index->types_count_; ++i) {
    auto r = index->read_record<TypeRecord>(index->types_offset_, i);
    if (!name_ok(r.name) || r.tag < 1 || r.tag > 6) return corrupt("bad type record");
  }
  for (std::uint64_t i = 0; i < index->variables_count_; ++i) {
    if (!name_ok(index->read_record<VariableRecord>(index->variables_offset_, i).name)) {
      return corrupt("bad variable record");
    }
  }
  for (std::uint64_t i = 0; i < index->functions_count_; ++i) {
    if (!name_ok(index->read_record<FunctionRecord>(index->functions_offset_, i).name)) {
      return corrupt("bad function record");
    }
  }
  for (std::uint64_t i = 0; i < index->by_address_count_; ++i) {
    if (index->read_record<std::uint32_t>(index->by_address_offset_, i) >=
        index->functions_count_) {
      return corrupt("bad function address record");
    }
  }
  for (std::uint64_t i = 0; i < index->enumerators_count_; ++i) {
    if (!name_ok(index->read_record<EnumeratorRecord>(index->enumerators_offset_, i).name)) {
      return corrupt("bad enumerator record");
    }
  }
  return std::shared_ptr<const DwarfIndex>(std::move(index));
}

std::string_view DwarfIndex::string_at(std::uint32_t offset) const {
  return std::string_view(reinterpret_cast<const char*>(bytes_.data() + strings_offset_ + offset));
}

template <typename Record>
Record DwarfIndex::read_record(std::uint64_t section_offset, std::uint64_t i) const {
  Record r;
  std::memcpy(&r, bytes_.data() + section_offset + i * sizeof(Record), sizeof(Record));
  return r;
}

template <typename Record>
std::pair<std::uint64_t, std::uint64_t> DwarfIndex::equal_range(std::uint64_t section_offset,
                                                                std::uint64_t count,
                                                                std::string_view name) const {
  auto name_of = [&](std::uint64_t i) {
    return string_at(read_record<Record>(section_offset, i).name);
  };
  std::uint64_t lo = 0, hi = count;
  while (lo < hi) {  // first record with name >= `name`
    std::uint64_t mid = lo + (hi - lo) / 2;
    if (name_of(mid) < name) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  std::uint64_t last = lo;
  while (last < count && name_of(last) == name) ++last;
  return {lo, last};
}

std::vector<IndexedType> DwarfIndex::find_types(TypeTag tag, std::string_view name) const {
  std::vector<IndexedType> found;
  auto [first, last] = equal_range<TypeRecord>(types_offset_, types_count_, name);
  for (std::uint64_t i = first; i < last; ++i) {
    auto r = read_record<TypeRecord>(types_offset_, i);
    if (r.tag != static_cast<std::uint8_t>(tag)) continue;
    found.push_back(
        IndexedType{string_at(r.name), tag, (r.flags & format::kDeclaration) != 0, r.die_offset});
  }
  return found;
}

std::optional<IndexedType> DwarfIndex::find_type(TypeTag tag, std::string_view name) const {
  auto found = find_types(tag, name);
  if (found.empty()) return std::nullopt;
  return found.front();  // sorted: definitions before the declaration
}

std::vector<IndexedVariable> DwarfIndex::find_variables(std::string_view name) const {
  std::vector<IndexedVariable> found;
  auto [first, last] = equal_range<VariableRecord>(variables_offset_, variables_count_, name);
  for (std::uint64_t i = first; i < last; ++i) {
    auto r = read_record<VariableRecord>(variables_offset_, i);
    IndexedVariable v{string_at(r.name), r.die_offset, std::nullopt};
    if (!(r.flags & format::kDeclaration)) v.address = r.address;
    found.push_back(v);
  }
  return found;
}

IndexedFunction DwarfIndex::function_at(std::uint64_t i) const {
  auto r = read_record<FunctionRecord>(functions_offset_, i);
  return IndexedFunction{string_at(r.name), r.die_offset, (r.flags & format::kDeclaration) != 0,
                         r.low_pc, r.high_pc};
}

std::vector<IndexedFunction> DwarfIndex::find_functions(std::string_view name) const {
  std::vector<IndexedFunction> found;
  auto [first, last] = equal_range<FunctionRecord>(functions_offset_, functions_count_, name);
  for (std::uint64_t i = first; i < last; ++i) found.push_back(function_at(i));
  return found;
}

std::optional<IndexedFunction> DwarfIndex::function_containing(std::uint64_t address) const {
  auto low_of = [&](std::uint64_t k) {
    return function_at(read_record<std::uint32_t>(by_address_offset_, k)).low_pc;
  };
  std::uint64_t lo = 0, hi = by_address_count_;
  while (lo < hi) {  // first range starting after `address`
    std::uint64_t mid = lo + (hi - lo) / 2;
    if (low_of(mid) <= address) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  // Look back over a few ranges in case one nests in another (not seen in kernels; bounded).
  for (std::uint64_t k = lo, steps = 0; k > 0 && steps < 16; --k, ++steps) {
    IndexedFunction f = function_at(read_record<std::uint32_t>(by_address_offset_, k - 1));
    if (address < f.high_pc) return f;
  }
  return std::nullopt;
}

std::vector<IndexedEnumerator> DwarfIndex::find_enumerators(std::string_view name) const {
  std::vector<IndexedEnumerator> found;
  auto [first, last] = equal_range<EnumeratorRecord>(enumerators_offset_, enumerators_count_, name);
  for (std::uint64_t i = first; i < last; ++i) {
    auto r = read_record<EnumeratorRecord>(enumerators_offset_, i);
    found.push_back(IndexedEnumerator{string_at(r.name), r.enum_die_offset, r.value,
                                      (r.flags & format::kSigned) != 0});
  }
  return found;
}

DwarfIndex::Counts DwarfIndex::counts() const {
  return Counts{types_count_, variables_count_, functions_count_, enumerators_count_,
                strings_size_};
}

}  // namespace vmscope::debuginfo
