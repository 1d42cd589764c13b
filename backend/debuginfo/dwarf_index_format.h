// The byte layout of a serialized DwarfIndex: what dwarf_index.cpp writes and reads, in memory
// and in the on-disk cache alike (one format, so a cold build and a warm load are served by the
// same lookup code). Internal to the debuginfo layer.
//
// File = FileHeader, then sections at 8-byte aligned offsets (from the start of the file):
//   strings                NUL-terminated names; records refer to them by offset
//   types                  TypeRecord[], sorted by (name, tag, definitions first)
//   variables              VariableRecord[], sorted by name
//   functions              FunctionRecord[], sorted by name (one record per address range)
//   functions_by_address   uint32 indexes into functions, sorted by low_pc (definitions only)
//   enumerators            EnumeratorRecord[], sorted by name
// Integers are in host byte order; byte_order_mark tells a foreign file apart. The checksum
// covers everything after the header. Bump kIndexFormatVersion on any change here or in what
// the builder records.
#pragma once

#include <cstdint>

namespace vmscope::debuginfo::format {

inline constexpr char kMagic[8] = {'V', 'M', 'S', 'C', 'I', 'D', 'X', '\n'};
inline constexpr std::uint32_t kIndexFormatVersion = 1;
inline constexpr std::uint32_t kByteOrderMark = 0x01020304;
inline constexpr std::uint32_t kMaxBuildIdSize = 64;

struct SectionRef {
  std::uint64_t offset;
  std::uint64_t count;  // records (bytes for strings)
};

struct FileHeader {
  char magic[8];
  std::uint32_t version;
  std::uint32_t byte_order_mark;
  std::uint64_t source_size;
  std::int64_t source_mtime_ns;
  std::uint32_t build_id_size;
  std::uint8_t build_id[kMaxBuildIdSize];
  std::uint32_t reserved;
  std::uint64_t payload_size;
  std::uint64_t payload_checksum;
  SectionRef strings;
  SectionRef types;
  SectionRef variables;
  SectionRef functions;
  SectionRef functions_by_address;
  SectionRef enumerators;
};
static_assert(sizeof(FileHeader) == 216);

// Record flags.
inline constexpr std::uint32_t kDeclaration = 1;  // DW_AT_declaration: no definition was seen
inline constexpr std::uint32_t kSigned = 2;       // enumerators: the value is signed

struct TypeRecord {
  std::uint32_t name;
  std::uint8_t tag;  // TypeTag
  std::uint8_t flags;
  std::uint16_t reserved;
  std::uint64_t die_offset;
};
static_assert(sizeof(TypeRecord) == 16);

struct VariableRecord {
  std::uint32_t name;
  std::uint32_t flags;
  std::uint64_t die_offset;
  std::uint64_t address;  // link-time; 0 for declarations
};
static_assert(sizeof(VariableRecord) == 24);

struct FunctionRecord {
  std::uint32_t name;
  std::uint32_t flags;
  std::uint64_t die_offset;
  std::uint64_t low_pc;  // link-time [low_pc, high_pc); 0 for declarations
  std::uint64_t high_pc;
};
static_assert(sizeof(FunctionRecord) == 32);

struct EnumeratorRecord {
  std::uint32_t name;
  std::uint32_t flags;
  std::uint64_t enum_die_offset;  // the DW_TAG_enumeration_type
  std::uint64_t value;
};
static_assert(sizeof(EnumeratorRecord) == 24);

// FNV-1a over 8-byte words (then the tail bytes): fast enough to check a ~20 MB cache file in a
// few milliseconds, and any flipped or truncated byte changes it.
std::uint64_t checksum(const std::uint8_t* data, std::uint64_t size);

}  // namespace vmscope::debuginfo::format
