#include "debuginfo/relocated_module_file.h"

#include <elf.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string_view>
#include <vector>

#include "debuginfo/elf_file.h"
#include "support/hex.h"

namespace fs = std::filesystem;

namespace vmscope::debuginfo {
namespace {

// Bump when the layout or the relocation rules change: the name of the cached copy carries it.
constexpr std::string_view kCopyVersion = "r1";
constexpr std::uint64_t kMaxModuleFileSize = std::uint64_t{1} << 31;  // 2 GiB

template <typename T>
bool read_struct(const std::string& bytes, std::uint64_t offset, T* out) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return false;
  std::memcpy(out, bytes.data() + offset, sizeof(T));
  return true;
}

Error corrupt(std::string what) {
  return Error(ErrorCode::kCorrupt, "module debug file: " + what);
}

std::string section_name(const std::string& bytes, const Elf64_Shdr& strtab, std::uint32_t offset) {
  if (offset >= strtab.sh_size || strtab.sh_offset > bytes.size() ||
      strtab.sh_size > bytes.size() - strtab.sh_offset) {
    return {};
  }
  const char* begin = bytes.data() + strtab.sh_offset + offset;
  std::size_t max = strtab.sh_size - offset;
  return std::string(begin, strnlen(begin, max));
}

bool fits_in_file(const std::string& bytes, const Elf64_Shdr& section) {
  return section.sh_type != SHT_NOBITS && section.sh_offset <= bytes.size() &&
         section.sh_size <= bytes.size() - section.sh_offset;
}

// Applies one .rela.debug_* section.
Status apply_rela_section(std::string& bytes, std::vector<Elf64_Shdr>& headers,
                          std::size_t rela_index, RelocationStats& stats) {
  const Elf64_Shdr rela = headers[rela_index];
  if (rela.sh_entsize != sizeof(Elf64_Rela) || !fits_in_file(bytes, rela)) {
    return corrupt("bad relocation section " + std::to_string(rela_index));
  }
  if (rela.sh_link >= headers.size() || rela.sh_info >= headers.size()) {
    return corrupt("relocation section " + std::to_string(rela_index) + " links nowhere");
  }
  const Elf64_Shdr symtab = headers[rela.sh_link];
  const Elf64_Shdr target = headers[rela.sh_info];
  if (symtab.sh_entsize != sizeof(Elf64_Sym) || !fits_in_file(bytes, symtab) ||
      !fits_in_file(bytes, target)) {
    return corrupt("relocation section " + std::to_string(rela_index) +
                   " has a bad symbol table or target");
  }
  if (target.sh_flags & SHF_COMPRESSED) {
    return Error(ErrorCode::kUnsupported,
                 "module debug file: compressed debug sections are not supported");
  }
  const std::uint64_t symbol_count = symtab.sh_size / sizeof(Elf64_Sym);
  const std::uint64_t count = rela.sh_size / sizeof(Elf64_Rela);
  for (std::uint64_t i = 0; i < count; ++i) {
    Elf64_Rela r;
    read_struct(bytes, rela.sh_offset + i * sizeof(Elf64_Rela), &r);
    const std::uint32_t type = ELF64_R_TYPE(r.r_info);
    const std::uint64_t symbol_index = ELF64_R_SYM(r.r_info);
    if (type == R_X86_64_NONE) continue;
    if (symbol_index >= symbol_count) return corrupt("relocation names symbol out of range");
    Elf64_Sym symbol;
    read_struct(bytes, symtab.sh_offset + symbol_index * sizeof(Elf64_Sym), &symbol);
    // The symbol's value in the synthetic layout: allocated sections at index << 32, debug
    // sections at 0 (offsets into themselves), absolute and undefined symbols as they are.
    std::uint64_t base = 0;
    if (symbol.st_shndx != SHN_UNDEF && symbol.st_shndx < SHN_LORESERVE &&
        symbol.st_shndx < headers.size() && (headers[symbol.st_shndx].sh_flags & SHF_ALLOC)) {
      base = module_section_link_address(symbol.st_shndx);
    }
    const std::uint64_t value = base + symbol.st_value + static_cast<std::uint64_t>(r.r_addend);
    const std::uint64_t place = r.r_offset;  // the target is not allocated: its address is 0
    std::size_t width = 0;
    std::uint64_t word = 0;
    switch (type) {
      case R_X86_64_64: width = 8, word = value; break;
      case R_X86_64_PC64: width = 8, word = value - place; break;
      case R_X86_64_32:
        width = 4, word = value;
        if (value > UINT32_MAX) ++stats.overflowed;
        break;
      case R_X86_64_32S:
      case R_X86_64_PC32: {
        width = 4;
        word = type == R_X86_64_PC32 ? value - place : value;
        const auto as_signed = static_cast<std::int64_t>(word);
        if (as_signed < INT32_MIN || as_signed > INT32_MAX) ++stats.overflowed;
        break;
      }
      default: ++stats.unsupported; continue;
    }
    if (place > target.sh_size || target.sh_size - place < width) {
      return corrupt("relocation outside its section");
    }
    std::memcpy(bytes.data() + target.sh_offset + place, &word, width);  // little-endian host
    ++stats.applied;
  }
  return ok_status();
}

std::string copy_name(const std::string& ko_path, std::uint64_t size) {
  auto build_id = read_build_id(ko_path);
  std::string key = build_id.ok() && !build_id->empty()
                        ? hex_bytes(*build_id)
                        : fs::path(ko_path).stem().string() + "-" +
                              std::to_string(std::hash<std::string>{}(ko_path));
  return key + "-" + std::to_string(size) + "." + std::string(kCopyVersion) + ".ko";
}

}  // namespace

Result<RelocationStats> relocate_module_debug_sections(std::string& bytes) {
  Elf64_Ehdr header;
  if (!read_struct(bytes, 0, &header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) {
    return corrupt("not an ELF file");
  }
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_ident[EI_DATA] != ELFDATA2LSB ||
      header.e_machine != EM_X86_64) {
    return Error(ErrorCode::kUnsupported,
                 "module debug file: only 64-bit little-endian x86_64 modules are supported");
  }
  if (header.e_type != ET_REL) {
    return Error(ErrorCode::kInvalidArgument, "module debug file: not a relocatable (.ko) file");
  }
  if (header.e_shentsize != sizeof(Elf64_Shdr) || header.e_shnum == 0 ||
      header.e_shstrndx >= header.e_shnum) {
    return corrupt("bad section header table");
  }
  std::vector<Elf64_Shdr> headers(header.e_shnum);
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (!read_struct(bytes, header.e_shoff + i * sizeof(Elf64_Shdr), &headers[i])) {
      return corrupt("section headers past the end of the file");
    }
  }
  RelocationStats stats;
  const Elf64_Shdr strtab = headers[header.e_shstrndx];
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (headers[i].sh_type != SHT_RELA || headers[i].sh_info >= headers.size()) continue;
    const std::string target = section_name(bytes, strtab, headers[headers[i].sh_info].sh_name);
    if (!target.starts_with(".debug_")) continue;
    VMSCOPE_CHECK(apply_rela_section(bytes, headers, i, stats));
  }
  // Record the synthetic addresses in the section headers too, for any reader that looks.
  for (std::size_t i = 1; i < headers.size(); ++i) {
    if (!(headers[i].sh_flags & SHF_ALLOC)) continue;
    headers[i].sh_addr = module_section_link_address(i);
    std::memcpy(bytes.data() + header.e_shoff + i * sizeof(Elf64_Shdr), &headers[i],
                sizeof(Elf64_Shdr));
  }
  return stats;
}

Result<RelocatedModuleFile> relocate_module_debug_file(const std::string& ko_path,
                                                       const std::string& directory) {
  std::error_code ec;
  const std::uint64_t size = fs::file_size(ko_path, ec);
  if (ec) {
    return Error(ec == std::errc::no_such_file_or_directory ? ErrorCode::kNotFound : ErrorCode::kIo,
                 "cannot read " + ko_path + ": " + ec.message(), {.name = ko_path});
  }
  if (size > kMaxModuleFileSize) {
    return Error(ErrorCode::kLimitExceeded, ko_path + " is too large for a module debug file",
                 {.name = ko_path});
  }
  const fs::path out = fs::path(directory) / copy_name(ko_path, size);
  RelocatedModuleFile result;
  result.path = out.string();
  if (fs::is_regular_file(out, ec) && fs::file_size(out, ec) == size && !ec) {
    result.reused = true;
    return result;
  }
  std::string bytes;
  {
    std::ifstream in(ko_path, std::ios::binary);
    std::ostringstream all;
    all << in.rdbuf();
    if (!in.good() && !in.eof()) {
      return Error(ErrorCode::kIo, "cannot read " + ko_path, {.name = ko_path});
    }
    bytes = std::move(all).str();
  }
  auto stats = relocate_module_debug_sections(bytes);
  if (!stats.ok()) return stats.error().with_context(ko_path);
  result.stats = *stats;

  fs::create_directories(directory, ec);
  const fs::path temporary =
      out.string() + ".tmp." + std::to_string(::getpid()) + "." +
      std::to_string(std::hash<std::string>{}(ko_path) ^ reinterpret_cast<std::uintptr_t>(&bytes));
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!file.good()) {
      fs::remove(temporary, ec);
      return Error(ErrorCode::kIo, "cannot write " + temporary.string(),
                   {.name = temporary.string()});
    }
  }
  fs::rename(temporary, out, ec);
  if (ec) {
    fs::remove(temporary, ec);
    return Error(ErrorCode::kIo, "cannot rename into " + out.string(), {.name = out.string()});
  }
  return result;
}

}  // namespace vmscope::debuginfo
