#include "debuginfo/symbol_table.h"

#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cstdio>
#include <functional>

namespace vmscope::debuginfo {
namespace {

constexpr std::uint32_t kNoSection = UINT32_MAX;

SymbolKind kind_of(unsigned char type) {
  switch (type) {
    case STT_NOTYPE: return SymbolKind::kNone;
    case STT_OBJECT: return SymbolKind::kObject;
    case STT_FUNC: return SymbolKind::kFunction;
    case STT_SECTION: return SymbolKind::kSection;
    case STT_FILE: return SymbolKind::kFile;
    case STT_TLS: return SymbolKind::kTls;
    default: return SymbolKind::kOther;
  }
}

SymbolBinding binding_of(unsigned char bind) {
  switch (bind) {
    case STB_LOCAL: return SymbolBinding::kLocal;
    case STB_GLOBAL: return SymbolBinding::kGlobal;
    case STB_WEAK: return SymbolBinding::kWeak;
    case STB_GNU_UNIQUE: return SymbolBinding::kUnique;
    default: return SymbolBinding::kOther;
  }
}

// drgn's binding precedence: GLOBAL = UNIQUE > WEAK > everything else.
int precedence(SymbolBinding binding) {
  switch (binding) {
    case SymbolBinding::kGlobal:
    case SymbolBinding::kUnique: return 3;
    case SymbolBinding::kWeak: return 2;
    default: return 1;
  }
}

Error elf_error(const std::string& path, std::string_view what) {
  return Error(ErrorCode::kCorrupt, path + ": " + std::string(what) + ": " + elf_errmsg(-1),
               ErrorPayload{.name = path});
}

}  // namespace

std::string_view symbol_kind_name(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::kNone: return "none";
    case SymbolKind::kObject: return "object";
    case SymbolKind::kFunction: return "func";
    case SymbolKind::kSection: return "section";
    case SymbolKind::kFile: return "file";
    case SymbolKind::kTls: return "tls";
    case SymbolKind::kOther: return "other";
  }
  return "other";
}

std::string_view symbol_binding_name(SymbolBinding binding) {
  switch (binding) {
    case SymbolBinding::kLocal: return "local";
    case SymbolBinding::kGlobal: return "global";
    case SymbolBinding::kWeak: return "weak";
    case SymbolBinding::kUnique: return "unique";
    case SymbolBinding::kOther: return "other";
  }
  return "other";
}

std::string SymbolOffset::to_string() const {
  std::string text(symbol.name);
  if (offset != 0) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "+0x%llx", static_cast<unsigned long long>(offset));
    text += buf;
  }
  return text;
}

Result<std::unique_ptr<SymbolTable>> SymbolTable::from_elf(const ElfFile& file,
                                                           std::uint64_t load_offset) {
  if (file.is_relocatable()) {
    return Error(ErrorCode::kInvalidArgument,
                 file.path() + " is relocatable; load it with section addresses",
                 ErrorPayload{.name = file.path()});
  }
  return build(file, load_offset, nullptr);
}

Result<std::unique_ptr<SymbolTable>> SymbolTable::load(const std::string& path,
                                                       std::uint64_t load_offset) {
  VMSCOPE_TRY(auto file, ElfFile::open(path));
  return from_elf(*file, load_offset);
}

Result<std::unique_ptr<SymbolTable>> SymbolTable::load_module(
    const std::string& path, const std::map<std::string, std::uint64_t>& section_addresses) {
  VMSCOPE_TRY(auto file, ElfFile::open(path));
  if (!file->is_relocatable()) {
    return Error(ErrorCode::kInvalidArgument, path + " is not a relocatable module",
                 ErrorPayload{.name = path});
  }
  return build(*file, 0, &section_addresses);
}

Result<std::unique_ptr<SymbolTable>> SymbolTable::build(
    const ElfFile& file, std::uint64_t load_offset,
    const std::map<std::string, std::uint64_t>* section_addresses) {
  const std::string& path = file.path();
  Elf* elf = file.elf();
  const ElfSection* symtab = nullptr;
  const ElfSection* shndx_section = nullptr;
  for (const ElfSection& s : file.sections()) {
    if (s.type == SHT_SYMTAB && !symtab) symtab = &s;
  }
  if (!symtab) {
    return Error(ErrorCode::kNotFound, path + " has no symbol table (.symtab)",
                 ErrorPayload{.name = path});
  }
  for (const ElfSection& s : file.sections()) {
    GElf_Shdr shdr;
    if (s.type == SHT_SYMTAB_SHNDX && gelf_getshdr(elf_getscn(elf, s.index), &shdr) &&
        shdr.sh_link == symtab->index) {
      shndx_section = &s;
    }
  }
  GElf_Shdr symtab_header;
  Elf_Scn* symtab_scn = elf_getscn(elf, symtab->index);
  if (!symtab_scn || !gelf_getshdr(symtab_scn, &symtab_header)) {
    return elf_error(path, "bad .symtab header");
  }
  Elf_Data* symbols = elf_getdata(symtab_scn, nullptr);
  Elf_Scn* strtab_scn = elf_getscn(elf, symtab_header.sh_link);
  Elf_Data* strings = strtab_scn ? elf_getdata(strtab_scn, nullptr) : nullptr;
  Elf_Data* shndx =
      shndx_section ? elf_getdata(elf_getscn(elf, shndx_section->index), nullptr) : nullptr;
  if (!symbols || !strings) return elf_error(path, "unreadable symbol or string table");

  std::unique_ptr<SymbolTable> table(new SymbolTable());
  table->load_offset_ = load_offset;
  table->names_.assign(static_cast<const char*>(strings->d_buf), strings->d_size);
  table->names_.push_back('\0');  // every name now ends inside the buffer

  // Run-time address of each section (for the "address in its section" rule, and modules).
  const auto& sections = file.sections();
  const AddressRange& image = file.image_range();
  // The image's end is inclusive: a section's end marker at the very end of the last segment
  // (__init_scratch_end) moves with it, as the kernel's own relocations move it.
  auto moved = [&](std::uint64_t link_address) {
    const bool inside =
        image.contains(link_address) || (image.end != 0 && link_address == image.end);
    return inside ? link_address + load_offset : link_address;
  };
  std::vector<std::optional<std::uint64_t>> section_base(sections.size());
  table->sections_.resize(sections.size(), SectionRange{0, 0});
  for (const ElfSection& s : sections) {
    if (s.index == 0) continue;
    if (section_addresses) {
      auto it = section_addresses->find(s.name);
      if (it == section_addresses->end()) continue;
      section_base[s.index] = it->second;
      table->sections_[s.index] = SectionRange{it->second, it->second + s.size};
    } else {
      section_base[s.index] = 0;
      if (s.flags & SHF_ALLOC) {
        table->sections_[s.index] = SectionRange{moved(s.address), moved(s.address) + s.size};
      }
    }
  }

  const std::size_t count =
      symtab_header.sh_entsize ? symbols->d_size / symtab_header.sh_entsize : 0;
  table->entries_.reserve(count);
  for (std::size_t i = 1; i < count; ++i) {  // entry 0 is the reserved null symbol
    GElf_Sym sym;
    Elf32_Word extended = 0;
    if (!gelf_getsymshndx(symbols, shndx, static_cast<int>(i), &sym, &extended)) continue;
    std::uint32_t section = sym.st_shndx == SHN_XINDEX ? extended : sym.st_shndx;
    if (section == SHN_UNDEF || sym.st_name >= strings->d_size) continue;
    std::uint64_t address = sym.st_value;
    const bool reserved = section >= SHN_LORESERVE && section <= SHN_HIRESERVE;
    if (section_addresses) {
      if (reserved) {
        if (section != SHN_ABS) continue;  // common symbols have no place yet
      } else {
        if (section >= section_base.size() || !section_base[section]) continue;
        address += *section_base[section];
      }
    } else {
      address = moved(address);
    }
    Entry e;
    e.name = static_cast<std::uint32_t>(sym.st_name);
    e.table_index = static_cast<std::uint32_t>(i);
    e.section = reserved || section >= sections.size() ? kNoSection : section;
    e.address = address;
    e.size = sym.st_size;
    e.kind = kind_of(GELF_ST_TYPE(sym.st_info));
    e.binding = binding_of(GELF_ST_BIND(sym.st_info));
    e.addressable =
        e.kind != SymbolKind::kSection && e.kind != SymbolKind::kFile && e.kind != SymbolKind::kTls;
    table->entries_.push_back(e);
  }

  const auto& entries = table->entries_;
  auto name_of = [&](const Entry& e) { return std::string_view(table->names_.data() + e.name); };
  table->by_name_.reserve(entries.size());
  for (std::uint32_t i = 0; i < entries.size(); ++i) {
    table->by_name_.emplace_back(std::hash<std::string_view>()(name_of(entries[i])), i);
  }
  std::sort(table->by_name_.begin(), table->by_name_.end());
  for (std::uint32_t i = 0; i < entries.size(); ++i) {
    if (entries[i].addressable) table->by_address_.push_back(i);
  }
  std::sort(table->by_address_.begin(), table->by_address_.end(),
            [&](std::uint32_t a, std::uint32_t b) {
              return entries[a].address != entries[b].address
                         ? entries[a].address < entries[b].address
                         : entries[a].table_index < entries[b].table_index;
            });
  table->max_end_.resize(table->by_address_.size());
  std::uint64_t max_end = 0;
  for (std::size_t i = 0; i < table->by_address_.size(); ++i) {
    const Entry& e = entries[table->by_address_[i]];
    std::uint64_t end = e.address + e.size < e.address ? UINT64_MAX : e.address + e.size;
    max_end = std::max(max_end, end);
    table->max_end_[i] = max_end;
  }
  return table;
}

Symbol SymbolTable::symbol_of(const Entry& e) const {
  return Symbol{std::string_view(names_.data() + e.name), e.address, e.size, e.kind, e.binding};
}

std::vector<Symbol> SymbolTable::find_all(std::string_view name) const {
  const std::uint64_t hash = std::hash<std::string_view>()(name);
  auto it = std::lower_bound(by_name_.begin(), by_name_.end(),
                             std::pair<std::uint64_t, std::uint32_t>(hash, 0));
  std::vector<Symbol> found;
  for (; it != by_name_.end() && it->first == hash; ++it) {
    const Entry& e = entries_[it->second];
    if (std::string_view(names_.data() + e.name) == name) found.push_back(symbol_of(e));
  }
  return found;
}

std::optional<Symbol> SymbolTable::find(std::string_view name) const {
  std::optional<Symbol> best;
  for (const Symbol& s : find_all(name)) {  // in table order
    if (!best || precedence(s.binding) > precedence(best->binding)) best = s;
  }
  return best;
}

std::optional<SymbolOffset> SymbolTable::symbolize(std::uint64_t address) const {
  // p: the first symbol starting after `address`.
  auto p = static_cast<std::size_t>(
      std::upper_bound(by_address_.begin(), by_address_.end(), address,
                       [&](std::uint64_t a, std::uint32_t i) { return a < entries_[i].address; }) -
      by_address_.begin());
  if (p == 0) return std::nullopt;

  // Rule 1: sized symbols containing the address. Walking down from p, stop once no symbol at
  // or before the position reaches the address, or once starts get farther than the best.
  const Entry* best = nullptr;
  for (std::size_t i = p; i-- > 0;) {
    if (max_end_[i] <= address) break;
    const Entry& e = entries_[by_address_[i]];
    if (best && e.address < best->address) break;
    if (e.size == 0 || address - e.address >= e.size) continue;
    if (!best || e.size < best->size ||
        (e.size == best->size && (precedence(e.binding) > precedence(best->binding) ||
                                  (precedence(e.binding) == precedence(best->binding) &&
                                   e.table_index < best->table_index)))) {
      best = &e;
    }
  }
  if (best) return SymbolOffset{symbol_of(*best), address - best->address};

  // Rule 2: a size-0 symbol starting exactly where the last symbol before the address ends
  // (so nothing sized overlaps it), and in the same section as the address.
  const std::uint64_t reach = max_end_[p - 1];
  for (std::size_t i = p; i-- > 0;) {
    const Entry& e = entries_[by_address_[i]];
    if (e.address != reach) break;
    if (e.size != 0) continue;
    if (!best || precedence(e.binding) > precedence(best->binding) ||
        (precedence(e.binding) == precedence(best->binding) && e.table_index < best->table_index)) {
      best = &e;
    }
  }
  if (!best || best->section == kNoSection) return std::nullopt;
  const SectionRange& section = sections_[best->section];
  if (address < section.begin || address >= section.end) return std::nullopt;
  return SymbolOffset{symbol_of(*best), address - best->address};
}

}  // namespace vmscope::debuginfo
