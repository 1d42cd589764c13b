// Loaded modules as the kernel itself keeps them, read from memory: the `modules` list, and per
// module its name, its memory ranges (core_layout/init_layout, or the mem[] array of newer
// kernels), its core text, and mod->kallsyms (a struct mod_kallsyms: symtab, num_symtab, strtab,
// and typetab where it exists — nm's type letter per symbol), falling back to the embedded
// core_kallsyms. The one reader of module symbols: kernel_symbols.h (symbols/lookup's fallback)
// and kernel/stack_trace.h (module frames in backtraces) both build on it.
//
// Struct layouts come from the vmlinux's DWARF (members are detected, never version-checked),
// so this needs DebugInfo. Bounded: at most kMaxModules modules (the list is loop-checked),
// kMaxModuleSymbols symbols per module, names of at most 512 bytes. What cannot be read (a
// module, a symbol name, a kernel built without module kallsyms) is reported in `problems` and
// the rest is kept.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "debuginfo/debug_info.h"
#include "program/kallsyms_reader.h"
#include "support/result.h"

namespace vmscope {

struct ModuleKallsyms {
  std::string name;
  std::uint64_t module = 0;                     // address of its struct module
  std::vector<debuginfo::AddressRange> ranges;  // where its code and data live
  // Its core text: core_layout.{base,text_size} or mem[MOD_TEXT] (empty when unknown).
  std::vector<debuginfo::AddressRange> text;
  std::vector<KallsymsSymbol> symbols;  // in its symtab's order
  std::vector<std::uint64_t> sizes;     // st_size of each symbol
  std::vector<std::uint8_t> elf_types;  // STT_* of each symbol (STT_FUNC, STT_OBJECT, …)
};

struct ModulesKallsyms {
  std::vector<ModuleKallsyms> modules;  // in list order
  std::vector<std::string> problems;
};

constexpr std::size_t kMaxModules = 65536;
constexpr std::uint32_t kMaxModuleSymbols = 1u << 20;

// kNotFound when the debug info has no `modules` list or struct module (with list and name);
// otherwise what could be read.
Result<ModulesKallsyms> read_module_kallsyms(const VirtualMemory& memory,
                                             const debuginfo::DebugInfo& debug);

// A module's code symbols, as backtraces name module frames: functions and untyped labels
// (STT_FUNC, STT_NOTYPE) inside its text, sorted by address (symtab order among equals is not
// kept).
struct ModuleCodeSymbol {
  std::uint64_t address = 0;
  std::uint64_t size = 0;
  std::string name;
};
std::vector<ModuleCodeSymbol> module_code_symbols(const ModuleKallsyms& module);

// The code symbol containing `address` in symbols sorted by address (a symbol of size 0 runs to
// the next one), or nullptr.
const ModuleCodeSymbol* find_module_code_symbol(const std::vector<ModuleCodeSymbol>& symbols,
                                                std::uint64_t address);

// nm's letter for an ELF symbol, for kernels without typetab (as the kernel's own
// elf_type() guessed it: by section flags is beyond a dump's reach, so by type and binding).
char elf_symbol_type_letter(unsigned char st_info, std::uint16_t st_shndx);

}  // namespace vmscope
