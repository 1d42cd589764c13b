// The META blob of the dump wire protocol (protocol-spec/dump-wire-protocol.md §5.2): what a
// crashed kernel says about itself that does not fit SESSION_START — VMCOREINFO, CPU registers
// as ELF notes, the RAM map, the pfns it will account for, utsname, the panic message.
//
// Encoding: entries {u32 tag, u32 length, length bytes}, back to back, no padding. Unknown
// tags are skipped; an entry running past the blob, a range array whose length is not a
// multiple of 16, or a range reaching max_pfn is a protocol violation (kCorrupt). Parsing
// is bounded by the blob size (at most 16 MiB).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "support/result.h"

namespace vmscope::dumpwire {

enum class MetaTag : std::uint32_t {
  kVmcoreinfo = 1,
  kElfNotes = 2,
  kMemoryMap = 3,
  kDumpable = 4,
  kUtsname = 5,
  kPanicMessage = 6,
  kErased = 7,
  kCommandLine = 8,
};

struct PfnRange {
  std::uint64_t start = 0;
  std::uint64_t count = 0;
  bool operator==(const PfnRange&) const = default;
};

struct ByteRange {
  std::uint64_t address = 0;
  std::uint64_t length = 0;
  bool operator==(const ByteRange&) const = default;
};

// struct new_utsname: six fields of 65 bytes.
struct Utsname {
  std::string sysname, nodename, release, version, machine, domainname;
  bool operator==(const Utsname&) const = default;
};

struct DumpMetadata {
  std::optional<std::string> vmcoreinfo;
  std::vector<std::byte> elf_notes;
  std::vector<PfnRange> memory_map;
  std::optional<std::vector<PfnRange>> dumpable;  // absent: all of memory_map
  std::optional<Utsname> utsname;
  std::string panic_message;
  std::vector<ByteRange> erased;
  std::string command_line;

  bool operator==(const DumpMetadata&) const = default;
};

std::vector<std::byte> encode_meta_blob(const DumpMetadata& meta);

// Ranges must lie below max_pfn; DUMPABLE must also be sorted and disjoint.
Result<DumpMetadata> parse_meta_blob(std::span<const std::byte> blob, std::uint64_t max_pfn);

}  // namespace vmscope::dumpwire
