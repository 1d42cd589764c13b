// Names -> DIE offsets for one DWARF file (the vmlinux): named types, global variables,
// functions and enumerators. Built by dwarf_index_builder.h, cached on disk by index_cache.h.
//
// The index is one flat byte buffer in the format of dwarf_index_format.h; lookups binary-search
// it in place, so loading a cached index is reading a file and checking it, with nothing to
// rebuild (the warm-open target is 50 ms for ~300k names). Types are built from the DIE offsets
// later, lazily (dwarf_types.h).
//
// What is recorded, per name:
//  - types (struct/union/class/enum/typedef/base): every distinct definition (a kernel header's
//    struct is repeated in each of ~2,000 CUs; repeats with the same size and declaration line
//    are folded into the first), in CU order. A declaration is kept only when no CU defines the
//    name. Base types are indexed under drgn's spelling ("unsigned long", not "long unsigned
//    int").
//  - variables: each definition with a DW_OP_addr location (by address); else one declaration
//    (e.g. `jiffies`, which only the linker script defines: its address comes from the symtab).
//  - functions: each address range of each concrete definition; else one declaration.
//  - enumerators: each distinct (name, value), with the enum type's DIE.
// Addresses are link-time; callers add the KASLR offset (debug_info.h does).
//
// Threading: immutable after construction; safe to share.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/result.h"

namespace vmscope::debuginfo {

enum class TypeTag : std::uint8_t {
  kStruct = 1,
  kUnion = 2,
  kClass = 3,
  kEnum = 4,
  kTypedef = 5,
  kBase = 6,
};
std::string_view type_tag_name(TypeTag tag);

// What identifies the file an index was built from.
struct SourceIdentity {
  std::vector<std::uint8_t> build_id;
  std::uint64_t file_size = 0;
  std::int64_t mtime_ns = 0;

  bool operator==(const SourceIdentity&) const = default;
};

struct IndexedType {
  std::string_view name;
  TypeTag tag;
  bool is_declaration = false;
  std::uint64_t die_offset = 0;
};

struct IndexedVariable {
  std::string_view name;
  std::uint64_t die_offset = 0;
  std::optional<std::uint64_t> address;  // link-time; nullopt for a declaration
};

struct IndexedFunction {
  std::string_view name;
  std::uint64_t die_offset = 0;
  bool is_declaration = false;
  std::uint64_t low_pc = 0;  // link-time [low_pc, high_pc); 0 for a declaration
  std::uint64_t high_pc = 0;
};

struct IndexedEnumerator {
  std::string_view name;
  std::uint64_t enum_die_offset = 0;
  std::uint64_t value = 0;
  bool is_signed = false;
};

// Everything an index holds, before serialization. The string_views must stay valid until
// serialize() returns (the builder points them into libdw's mapped string sections).
struct IndexContents {
  SourceIdentity source;
  std::vector<IndexedType> types;
  std::vector<IndexedVariable> variables;
  std::vector<IndexedFunction> functions;
  std::vector<IndexedEnumerator> enumerators;
};

class DwarfIndex {
 public:
  // Sorts and serializes. Order among entries of one name is kept (stable).
  static Result<std::shared_ptr<const DwarfIndex>> from_contents(IndexContents contents);
  // Checks magic, version, byte order, bounds and checksum: kCorrupt/kUnsupported otherwise.
  static Result<std::shared_ptr<const DwarfIndex>> from_bytes(std::vector<std::uint8_t> bytes);

  const SourceIdentity& source() const { return source_; }
  std::span<const std::uint8_t> bytes() const { return bytes_; }

  // Definitions first (in CU order), then the declaration if no definition exists.
  std::vector<IndexedType> find_types(TypeTag tag, std::string_view name) const;
  // The first definition, else the declaration.
  std::optional<IndexedType> find_type(TypeTag tag, std::string_view name) const;
  std::vector<IndexedVariable> find_variables(std::string_view name) const;
  std::vector<IndexedFunction> find_functions(std::string_view name) const;
  // The function whose range holds a link-time address (ranges do not overlap in practice).
  std::optional<IndexedFunction> function_containing(std::uint64_t address) const;
  std::vector<IndexedEnumerator> find_enumerators(std::string_view name) const;

  struct Counts {
    std::uint64_t types = 0, variables = 0, functions = 0, enumerators = 0, string_bytes = 0;
  };
  Counts counts() const;

 private:
  DwarfIndex() = default;
  static Result<std::shared_ptr<const DwarfIndex>> parse(std::vector<std::uint8_t> bytes,
                                                         bool verify_checksum);
  std::string_view string_at(std::uint32_t offset) const;
  // Records are read with memcpy: the buffer makes no promise about alignment or types.
  template <typename Record>
  Record read_record(std::uint64_t section_offset, std::uint64_t i) const;
  // [first, last) of the records named `name` in a name-sorted section.
  template <typename Record>
  std::pair<std::uint64_t, std::uint64_t> equal_range(std::uint64_t section_offset,
                                                      std::uint64_t count,
                                                      std::string_view name) const;
  IndexedFunction function_at(std::uint64_t i) const;

  std::vector<std::uint8_t> bytes_;
  SourceIdentity source_;
  // Offsets and counts of the sections, copied from the validated header.
  std::uint64_t strings_offset_ = 0, strings_size_ = 0;
  std::uint64_t types_offset_ = 0, types_count_ = 0;
  std::uint64_t variables_offset_ = 0, variables_count_ = 0;
  std::uint64_t functions_offset_ = 0, functions_count_ = 0;
  std::uint64_t by_address_offset_ = 0, by_address_count_ = 0;
  std::uint64_t enumerators_offset_ = 0, enumerators_count_ = 0;
};

}  // namespace vmscope::debuginfo
