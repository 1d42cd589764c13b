#include "program/module_kallsyms.h"

#include <elf.h>

#include <algorithm>
#include <optional>
#include <set>
#include <span>

#include "debuginfo/type_layout.h"
#include "support/hex.h"

namespace vmscope {
namespace {

constexpr std::size_t kMaxName = 512;
constexpr std::size_t kMaxStrtab = 64u << 20;

// A member's byte offset and size, both from DWARF.
struct Field {
  std::uint64_t offset = 0;
  std::uint64_t size = 8;
};

std::optional<Field> field(const debuginfo::QualifiedType& type, std::string_view designator) {
  auto location = debuginfo::resolve_designator(type, designator);
  if (!location.ok() || location->bit_offset % 8 != 0) return std::nullopt;
  return Field{location->bit_offset / 8, location->type->size().value_or(8)};
}

// The parts of struct module and struct mod_kallsyms this file reads.
struct Layout {
  Field list, name;
  std::optional<Field> kallsyms, core_kallsyms;
  // struct mod_kallsyms; absent in kernels built without CONFIG_KALLSYMS.
  std::optional<Field> symtab, num_symtab, strtab, typetab;
  std::vector<std::pair<Field, Field>> ranges;  // (base, size) pairs
  std::optional<std::pair<Field, Field>> text;  // (base, text size)
};

Status required(const debuginfo::QualifiedType& type, std::string_view designator, Field& out) {
  auto f = field(type, designator);
  if (!f) {
    return Error(ErrorCode::kNotFound,
                 "module symbols: no member " + std::string(designator) + " in " +
                     (type->name().empty() ? std::string("the struct") : type->name()),
                 {.name = std::string(designator)});
  }
  out = *f;
  return ok_status();
}

Result<Layout> resolve_layout(const debuginfo::DebugInfo& debug) {
  VMSCOPE_TRY(auto module, debug.find_type("struct module"));
  Layout l;
  VMSCOPE_CHECK(required(module, "list", l.list));
  VMSCOPE_CHECK(required(module, "name", l.name));
  l.kallsyms = field(module, "kallsyms");
  l.core_kallsyms = field(module, "core_kallsyms");
  if (auto kallsyms = debug.find_type("struct mod_kallsyms"); kallsyms.ok()) {
    l.symtab = field(*kallsyms, "symtab");
    l.num_symtab = field(*kallsyms, "num_symtab");
    l.strtab = field(*kallsyms, "strtab");
    l.typetab = field(*kallsyms, "typetab");
  }
  // Memory ranges: core_layout/init_layout, or mem[] (one per kind of module memory).
  for (const char* layout : {"core_layout", "init_layout"}) {
    auto base = field(module, std::string(layout) + ".base");
    auto size = field(module, std::string(layout) + ".size");
    if (base && size) l.ranges.emplace_back(*base, *size);
  }
  if (auto base = field(module, "core_layout.base")) {
    if (auto size = field(module, "core_layout.text_size")) l.text.emplace(*base, *size);
  }
  if (l.ranges.empty()) {
    if (auto mem = debuginfo::find_member(module, "mem"); mem.ok()) {
      const auto array = debuginfo::underlying(mem->type);
      const std::uint64_t n =
          array->kind() == debuginfo::TypeKind::kArray ? array->length().value_or(0) : 0;
      for (std::uint64_t i = 0; i < n && i < 64; ++i) {
        const std::string element = "mem[" + std::to_string(i) + "]";
        auto base = field(module, element + ".base");
        auto size = field(module, element + ".size");
        if (base && size) l.ranges.emplace_back(*base, *size);
      }
    }
    if (auto text = debug.find_constant("MOD_TEXT"); text.ok()) {
      const std::string element = "mem[" + std::to_string(text->value) + "]";
      auto base = field(module, element + ".base");
      auto size = field(module, element + ".size");
      if (base && size) l.text.emplace(*base, *size);
    }
  }
  return l;
}

Result<std::uint64_t> read_field(const VirtualMemory& memory, std::uint64_t base, const Field& f) {
  if (f.size == 8) return memory.read_u64(base + f.offset);
  if (f.size == 4) {
    VMSCOPE_TRY(std::uint32_t v, memory.read_u32(base + f.offset));
    return std::uint64_t{v};
  }
  return Error(ErrorCode::kUnsupported,
               "module symbols: a " + std::to_string(f.size) + "-byte field",
               {.address = base + f.offset});
}

Result<debuginfo::AddressRange> read_range(const VirtualMemory& memory, std::uint64_t module,
                                           const std::pair<Field, Field>& where) {
  VMSCOPE_TRY(std::uint64_t base, read_field(memory, module, where.first));
  VMSCOPE_TRY(std::uint64_t size, read_field(memory, module, where.second));
  return debuginfo::AddressRange{base, base + size};
}

// Where the module lives; each unreadable range is a problem, the others are kept.
void read_ranges(const VirtualMemory& memory, const Layout& l, ModuleKallsyms& out,
                 std::vector<std::string>& problems) {
  for (const auto& where : l.ranges) {
    auto range = read_range(memory, out.module, where);
    if (!range.ok()) {
      problems.push_back("module " + out.name + ": " + range.error().message());
    } else if (range->begin != 0 && range->end > range->begin) {
      out.ranges.push_back(*range);
    }
  }
  if (l.text) {
    auto text = read_range(memory, out.module, *l.text);
    if (!text.ok()) {
      problems.push_back("module " + out.name + " text: " + text.error().message());
    } else if (text->end > text->begin) {
      out.text.push_back(*text);
    }
  }
}

Status read_symbols(const VirtualMemory& memory, const Layout& l, ModuleKallsyms& out,
                    std::vector<std::string>& problems) {
  if (!l.kallsyms || !l.symtab || !l.num_symtab || !l.strtab) {
    return Error(ErrorCode::kNotFound,
                 "no kallsyms in struct module (a kernel built without CONFIG_KALLSYMS?)",
                 {.name = "mod_kallsyms"});
  }
  VMSCOPE_TRY(std::uint64_t kallsyms, read_field(memory, out.module, *l.kallsyms));
  if (kallsyms == 0 && l.core_kallsyms) kallsyms = out.module + l.core_kallsyms->offset;
  if (kallsyms == 0) {
    return Error(ErrorCode::kNotFound, "module " + out.name + " has no kallsyms",
                 {.address = out.module});
  }
  VMSCOPE_TRY(std::uint64_t symtab, read_field(memory, kallsyms, *l.symtab));
  VMSCOPE_TRY(std::uint64_t count, read_field(memory, kallsyms, *l.num_symtab));
  VMSCOPE_TRY(std::uint64_t strtab, read_field(memory, kallsyms, *l.strtab));
  std::uint64_t typetab = 0;
  if (l.typetab) {
    VMSCOPE_TRY(typetab, read_field(memory, kallsyms, *l.typetab));
  }
  if (count > kMaxModuleSymbols) {
    return Error(ErrorCode::kCorrupt,
                 "module " + out.name + " claims " + std::to_string(count) + " symbols",
                 {.address = kallsyms});
  }
  std::vector<Elf64_Sym> syms(count);
  VMSCOPE_CHECK(memory.read(symtab, std::as_writable_bytes(std::span<Elf64_Sym>(syms))));
  std::vector<char> types;
  if (typetab != 0 && count != 0) {
    types.resize(count);
    VMSCOPE_CHECK(memory.read(typetab, std::as_writable_bytes(std::span<char>(types))));
  }
  // The string table's size is not kept; names are read one by one, bounded in length. An
  // unreadable name loses that symbol only.
  std::size_t unreadable = 0;
  std::optional<Error> first_unreadable;
  for (std::uint64_t i = 0; i < count; ++i) {
    const Elf64_Sym& s = syms[i];
    if (s.st_shndx == SHN_UNDEF || s.st_name == 0 || s.st_name > kMaxStrtab) continue;
    auto name = memory.read_c_string(strtab + s.st_name, kMaxName);
    if (!name.ok()) {
      if (unreadable++ == 0) first_unreadable = std::move(name).error();
      continue;
    }
    if (name->empty()) continue;
    // ARM-style mapping symbols ("$x", "$d") name no code; the kernel skips them too.
    if ((*name)[0] == '$') continue;
    KallsymsSymbol symbol;
    symbol.name = std::move(*name);
    symbol.address = s.st_value;
    symbol.type = types.empty() ? elf_symbol_type_letter(s.st_info, s.st_shndx) : types[i];
    out.symbols.push_back(std::move(symbol));
    out.sizes.push_back(s.st_size);
    out.elf_types.push_back(static_cast<std::uint8_t>(ELF64_ST_TYPE(s.st_info)));
  }
  if (unreadable != 0) {
    problems.push_back("module " + out.name + ": " + std::to_string(unreadable) +
                       " symbol names unreadable, the first: " + first_unreadable->message());
  }
  return ok_status();
}

}  // namespace

char elf_symbol_type_letter(unsigned char st_info, std::uint16_t st_shndx) {
  const int bind = ELF64_ST_BIND(st_info);
  const int type = ELF64_ST_TYPE(st_info);
  char letter = '?';
  if (st_shndx == SHN_ABS) {
    letter = 'a';
  } else if (type == STT_FUNC) {
    letter = 't';
  } else if (type == STT_OBJECT) {
    letter = 'd';
  }
  if (bind == STB_WEAK) return type == STT_OBJECT ? 'V' : 'W';
  if (bind == STB_GLOBAL && letter != '?') letter = static_cast<char>(letter - 'a' + 'A');
  return letter;
}

std::vector<ModuleCodeSymbol> module_code_symbols(const ModuleKallsyms& module) {
  std::vector<ModuleCodeSymbol> out;
  auto in_text = [&](std::uint64_t address) {
    return std::any_of(module.text.begin(), module.text.end(),
                       [&](const auto& r) { return r.contains(address); });
  };
  for (std::size_t i = 0; i < module.symbols.size(); ++i) {
    const KallsymsSymbol& s = module.symbols[i];
    const std::uint8_t type = i < module.elf_types.size() ? module.elf_types[i] : STT_NOTYPE;
    if (s.address == 0 || !in_text(s.address)) continue;
    if (type != STT_FUNC && type != STT_NOTYPE) continue;
    out.push_back({s.address, i < module.sizes.size() ? module.sizes[i] : 0, s.name});
  }
  std::sort(out.begin(), out.end(), [](const ModuleCodeSymbol& a, const ModuleCodeSymbol& b) {
    return a.address < b.address;
  });
  return out;
}

const ModuleCodeSymbol* find_module_code_symbol(const std::vector<ModuleCodeSymbol>& symbols,
                                                std::uint64_t address) {
  auto it =
      std::upper_bound(symbols.begin(), symbols.end(), address,
                       [](std::uint64_t a, const ModuleCodeSymbol& s) { return a < s.address; });
  if (it == symbols.begin()) return nullptr;
  --it;
  if (it->size != 0 && address >= it->address + it->size) return nullptr;
  return &*it;
}

Result<ModulesKallsyms> read_module_kallsyms(const VirtualMemory& memory,
                                             const debuginfo::DebugInfo& debug) {
  VMSCOPE_TRY(auto head, debug.find_variable("modules"));
  VMSCOPE_TRY(Layout layout, resolve_layout(debug));
  ModulesKallsyms out;
  std::set<std::uint64_t> seen;
  auto next = memory.read_u64(head.address);
  while (next.ok() && *next != head.address) {
    if (!seen.insert(*next).second) {
      out.problems.push_back("modules: the list loops at " + hex_u64(*next));
      break;
    }
    if (seen.size() > kMaxModules) {
      out.problems.push_back("modules: more than " + std::to_string(kMaxModules) + " modules");
      break;
    }
    ModuleKallsyms module;
    module.module = *next - layout.list.offset;
    next = memory.read_u64(*next);
    auto name = memory.read_c_string(module.module + layout.name.offset, layout.name.size);
    module.name = name.ok() ? *name : hex_u64(module.module);
    read_ranges(memory, layout, module, out.problems);
    Status read = read_symbols(memory, layout, module, out.problems);
    if (!read.ok()) {
      out.problems.push_back("module " + module.name + ": " + read.error().message());
    }
    out.modules.push_back(std::move(module));
  }
  if (!next.ok()) out.problems.push_back("modules: list unreadable: " + next.error().message());
  return out;
}

}  // namespace vmscope
