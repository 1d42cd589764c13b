// Loaded modules' symbols as the kernel itself keeps them: the `modules` list, and per module
// mod->kallsyms (a struct mod_kallsyms: symtab, num_symtab, strtab, and typetab where it
// exists — nm's type letter per symbol), falling back to the embedded core_kallsyms. Also each
// module's memory ranges (core_layout/init_layout, or the mem[] array of newer kernels), which
// say which module an address belongs to.
//
// Struct layouts come from the vmlinux's DWARF (members are detected, never version-checked),
// so this needs DebugInfo. Bounded: at most kMaxModules modules (the list is loop-checked),
// kMaxSymbols symbols per module, names of at most kMaxName bytes. A module that cannot be
// read is reported in `problems` and the others are kept.
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
  std::vector<KallsymsSymbol> symbols;          // in its symtab's order
  std::vector<std::uint64_t> sizes;             // st_size of each symbol
};

struct ModulesKallsyms {
  std::vector<ModuleKallsyms> modules;  // in list order
  std::vector<std::string> problems;
};

constexpr std::size_t kMaxModules = 65536;
constexpr std::uint32_t kMaxModuleSymbols = 1u << 20;

// kNotFound when the debug info has no `modules` list or struct module; otherwise what could
// be read.
Result<ModulesKallsyms> read_module_kallsyms(const VirtualMemory& memory,
                                             const debuginfo::DebugInfo& debug);

// nm's letter for an ELF symbol, for kernels without typetab (as the kernel's own
// elf_type() guessed it: by section flags is beyond a dump's reach, so by type and binding).
char elf_symbol_type_letter(unsigned char st_info, std::uint16_t st_shndx);

}  // namespace vmscope
