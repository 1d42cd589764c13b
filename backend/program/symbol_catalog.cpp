#include "program/symbol_catalog.h"

#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cstdint>

#include "debuginfo/elf_file.h"

namespace vmscope {

Result<std::unique_ptr<SymbolCatalog>> SymbolCatalog::load(const std::string& path) {
  VMSCOPE_TRY(auto file, debuginfo::ElfFile::open(path));
  Elf* elf = file->elf();
  const debuginfo::ElfSection* symtab = nullptr;
  for (const auto& section : file->sections()) {
    if (section.type == SHT_SYMTAB) {
      symtab = &section;
      break;
    }
  }
  if (!symtab) {
    return Error(ErrorCode::kNotFound, path + " has no symbol table (.symtab)", {.name = path});
  }
  GElf_Shdr header;
  Elf_Scn* scn = elf_getscn(elf, symtab->index);
  Elf_Data* symbols = scn && gelf_getshdr(scn, &header) ? elf_getdata(scn, nullptr) : nullptr;
  Elf_Scn* strtab = symbols ? elf_getscn(elf, header.sh_link) : nullptr;
  Elf_Data* strings = strtab ? elf_getdata(strtab, nullptr) : nullptr;
  if (!symbols || !strings || header.sh_entsize == 0) {
    return Error(ErrorCode::kCorrupt, path + ": unreadable symbol or string table", {.name = path});
  }
  std::unique_ptr<SymbolCatalog> catalog(new SymbolCatalog());
  catalog->text_.assign(static_cast<const char*>(strings->d_buf), strings->d_size);
  catalog->text_.push_back('\0');  // every name ends inside the buffer
  const std::size_t count = symbols->d_size / header.sh_entsize;  // bounded by the section
  catalog->offsets_.reserve(count);
  for (std::size_t i = 1; i < count; ++i) {  // entry 0 is the reserved null symbol
    GElf_Sym sym;
    if (!gelf_getsym(symbols, static_cast<int>(i), &sym)) continue;
    const unsigned type = GELF_ST_TYPE(sym.st_info);
    if (sym.st_shndx == SHN_UNDEF || type == STT_SECTION || type == STT_FILE) continue;
    if (sym.st_name == 0 || sym.st_name >= strings->d_size) continue;
    catalog->offsets_.push_back(static_cast<std::uint32_t>(sym.st_name));
  }
  catalog->finish();
  return catalog;
}

std::unique_ptr<SymbolCatalog> SymbolCatalog::from_names(std::vector<std::string> names) {
  std::unique_ptr<SymbolCatalog> catalog(new SymbolCatalog());
  for (const std::string& name : names) {
    catalog->offsets_.push_back(static_cast<std::uint32_t>(catalog->text_.size()));
    catalog->text_ += name;
    catalog->text_.push_back('\0');
  }
  catalog->finish();
  return catalog;
}

std::unique_ptr<SymbolCatalog> SymbolCatalog::merge(std::unique_ptr<SymbolCatalog> base,
                                                    const std::vector<std::string_view>& names) {
  std::unique_ptr<SymbolCatalog> catalog =
      base ? std::move(base) : std::unique_ptr<SymbolCatalog>(new SymbolCatalog());
  std::size_t bytes = catalog->text_.size();
  for (std::string_view name : names) bytes += name.size() + 1;
  catalog->text_.reserve(bytes);
  catalog->offsets_.reserve(catalog->offsets_.size() + names.size());
  for (std::string_view name : names) {
    // Offsets are 32-bit: a catalog past 4 GiB of names (never seen; a kernel has ~10 MiB) keeps
    // what fits.
    if (name.empty() || catalog->text_.size() + name.size() + 1 > UINT32_MAX) continue;
    catalog->offsets_.push_back(static_cast<std::uint32_t>(catalog->text_.size()));
    catalog->text_ += name;
    catalog->text_.push_back('\0');
  }
  catalog->finish();
  return catalog;
}

void SymbolCatalog::finish() {
  auto less = [this](std::uint32_t a, std::uint32_t b) {
    return std::string_view(text_.data() + a) < std::string_view(text_.data() + b);
  };
  auto same = [this](std::uint32_t a, std::uint32_t b) {
    return std::string_view(text_.data() + a) == std::string_view(text_.data() + b);
  };
  std::sort(offsets_.begin(), offsets_.end(), less);
  offsets_.erase(std::unique(offsets_.begin(), offsets_.end(), same), offsets_.end());
  offsets_.shrink_to_fit();
}

std::string_view SymbolCatalog::name(std::size_t i) const {
  return std::string_view(text_.data() + offsets_[i]);  // i < size(): the caller's promise
}

std::size_t SymbolCatalog::lower_bound(std::string_view key) const {
  auto it = std::lower_bound(offsets_.begin(), offsets_.end(), key,
                             [this](std::uint32_t offset, std::string_view k) {
                               return std::string_view(text_.data() + offset) < k;
                             });
  return static_cast<std::size_t>(it - offsets_.begin());
}

}  // namespace vmscope
