// The kernel's own symbol table, decoded from the dump's memory (kernel/kallsyms.c's tables as
// scripts/kallsyms writes them): for dumps whose vmlinux lacks a symbol, has no .symtab, or is
// missing altogether.
//
// The tables (all in the kernel image, so their run-time addresses are KASLR-relocated):
//   kallsyms_num_syms      the number of symbols (an unsigned int; older kernels a long — its
//                          low 32 bits are the same number on a little-endian machine)
//   kallsyms_names         per symbol: a length in tokens (one byte, or two as ULEB128 when the
//                          first has bit 7 set), then that many token numbers (one byte each)
//   kallsyms_token_table   256 NUL-terminated token strings
//   kallsyms_token_index   256 u16 offsets of each token in the token table
//   kallsyms_offsets       s32 per symbol, with kallsyms_relative_base (base-relative kernels)
//   kallsyms_addresses     u64 per symbol (kernels built without base-relative kallsyms)
// A decoded name's first character is its type letter as nm prints it ('T', 't', 'D', ...).
//
// Flavours are told apart by what exists, never by version: kallsyms_offsets +
// kallsyms_relative_base, else kallsyms_addresses. Base-relative offsets come in two encodings:
// with absolute per-CPU symbols (x86_64 SMP until 6.15) a non-negative offset is an absolute
// address and a negative one is relative_base - 1 - offset; otherwise every offset is an
// unsigned distance from relative_base. A kernel image is far below 2 GiB, so the second
// encoding never has a negative (bit 31 set) offset while the first always has one: the
// presence of a negative offset decides.
//
// Errors are values; every loop over dump memory is bounded by the tables' own counts and by
// the limits below.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arch/virtual_memory.h"
#include "support/result.h"

namespace vmscope {

// Where the tables are (run-time addresses) and who said so ("VMCOREINFO", "vmlinux symbols").
struct KallsymsLocations {
  std::uint64_t num_syms = 0;
  std::uint64_t names = 0;
  std::uint64_t token_table = 0;
  std::uint64_t token_index = 0;
  std::optional<std::uint64_t> offsets;
  std::optional<std::uint64_t> relative_base;
  std::optional<std::uint64_t> addresses;
  std::string source;
};

// A symbol's run-time address by name, or nullopt.
using SymbolAddressFinder = std::function<std::optional<std::uint64_t>(std::string_view)>;

// The tables' addresses through `find`. kNotFound naming the first missing table; kUnsupported
// when neither offsets + relative base nor absolute addresses exist.
Result<KallsymsLocations> locate_kallsyms(const SymbolAddressFinder& find, std::string source);

// How offsets were turned into addresses (for reports and tests).
enum class KallsymsAddressing : std::uint8_t { kAbsolutePerCpu, kRelative, kAbsolute };
std::string_view kallsyms_addressing_name(KallsymsAddressing addressing);

struct KallsymsSymbol {
  std::string name;  // without the type letter
  char type = '?';   // nm's letter: 'T' global text, 't' local text, 'D', 'd', 'B', 'R', 'W', ...
  std::uint64_t address = 0;
};

struct KallsymsTable {
  std::vector<KallsymsSymbol> symbols;  // in the kernel's table order (sorted by address)
  KallsymsAddressing addressing = KallsymsAddressing::kRelative;
};

struct KallsymsLimits {
  std::uint32_t max_symbols = 1u << 22;          // 4M (a 6.x distribution kernel has ~150k)
  std::uint64_t max_names_bytes = 256ull << 20;  // kallsyms_names
  std::size_t max_name_length = 1024;            // KSYM_NAME_LEN is 512
};

// Decodes every symbol. kCorrupt for tables that contradict themselves (a token past the token
// table, a name longer than the limit, a count over the limit); memory errors as read.
Result<KallsymsTable> read_kallsyms(const VirtualMemory& memory, const KallsymsLocations& where,
                                    const KallsymsLimits& limits = {});

}  // namespace vmscope
