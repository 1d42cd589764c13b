#include "debuginfo/elf_file.h"

#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vmscope::debuginfo {
namespace {

// libelf must be told which ELF version the caller speaks before elf_begin; the call is
// idempotent, and a function-local static makes it once per process.
bool ensure_libelf_initialised() {
  static const bool ok = elf_version(EV_CURRENT) != EV_NONE;
  return ok;
}

Error libelf_error(const std::string& path, std::string_view what) {
  return Error(ErrorCode::kCorrupt,
               path + ": " + std::string(what) + ": " + elf_errmsg(elf_errno()),
               ErrorPayload{.name = path});
}

}  // namespace

Result<std::unique_ptr<ElfFile>> ElfFile::open(const std::string& path) {
  if (!ensure_libelf_initialised()) {
    return Error(ErrorCode::kInternal, "libelf refused ELF version EV_CURRENT");
  }
  std::unique_ptr<ElfFile> file(new ElfFile());
  file->path_ = path;
  file->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (file->fd_ < 0) {
    int err = errno;
    return Error(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                 "cannot open " + path + ": " + std::strerror(err), ErrorPayload{.name = path});
  }
  struct stat st {};
  if (fstat(file->fd_, &st) != 0) {
    return Error(ErrorCode::kIo, "cannot stat " + path + ": " + std::strerror(errno),
                 ErrorPayload{.name = path});
  }
  file->file_size_ = static_cast<std::uint64_t>(st.st_size);
  file->mtime_ns_ = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;

  file->elf_ = elf_begin(file->fd_, ELF_C_READ_MMAP, nullptr);
  if (!file->elf_) return libelf_error(path, "not readable as ELF");
  if (elf_kind(file->elf_) != ELF_K_ELF) {
    return Error(ErrorCode::kCorrupt, path + ": not an ELF file", ErrorPayload{.name = path});
  }
  GElf_Ehdr ehdr;
  if (!gelf_getehdr(file->elf_, &ehdr)) return libelf_error(path, "no ELF header");
  file->relocatable_ = ehdr.e_type == ET_REL;

  const void* build_id = nullptr;
  ssize_t build_id_size = dwelf_elf_gnu_build_id(file->elf_, &build_id);
  if (build_id_size > 0) {
    const auto* bytes = static_cast<const std::uint8_t*>(build_id);
    file->build_id_.assign(bytes, bytes + build_id_size);
  }

  std::size_t phnum = 0;
  if (elf_getphdrnum(file->elf_, &phnum) != 0) return libelf_error(path, "bad program headers");
  std::uint64_t begin = UINT64_MAX, end = 0;
  for (std::size_t i = 0; i < phnum; ++i) {
    GElf_Phdr phdr;
    if (!gelf_getphdr(file->elf_, static_cast<int>(i), &phdr)) {
      return libelf_error(path, "bad program header");
    }
    if (phdr.p_type != PT_LOAD || phdr.p_vaddr == 0) continue;
    std::uint64_t segment_end = phdr.p_vaddr + phdr.p_memsz;
    if (segment_end < phdr.p_vaddr) segment_end = UINT64_MAX;
    begin = std::min<std::uint64_t>(begin, phdr.p_vaddr);
    end = std::max(end, segment_end);
  }
  if (begin < end) file->image_range_ = AddressRange{begin, end};

  std::size_t shstrndx = 0;
  if (elf_getshdrstrndx(file->elf_, &shstrndx) != 0) {
    return libelf_error(path, "no section name table");
  }
  std::size_t shnum = 0;
  if (elf_getshdrnum(file->elf_, &shnum) != 0) return libelf_error(path, "bad section headers");
  file->sections_.resize(shnum);
  for (std::size_t i = 0; i < shnum; ++i) {
    Elf_Scn* scn = elf_getscn(file->elf_, i);
    GElf_Shdr shdr;
    if (!scn || !gelf_getshdr(scn, &shdr)) return libelf_error(path, "bad section header");
    ElfSection& section = file->sections_[i];
    section.index = i;
    const char* name = elf_strptr(file->elf_, shstrndx, shdr.sh_name);
    section.name = name ? name : "";
    section.type = shdr.sh_type;
    section.flags = shdr.sh_flags;
    section.address = shdr.sh_addr;
    section.size = shdr.sh_size;
  }
  return file;
}

ElfFile::~ElfFile() {
  if (elf_) elf_end(elf_);
  if (fd_ >= 0) ::close(fd_);
}

const ElfSection* ElfFile::find_section(std::string_view name) const {
  for (const ElfSection& section : sections_) {
    if (section.name == name) return &section;
  }
  return nullptr;
}

std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::vector<std::uint8_t> bytes;
  bytes.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    bytes.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return bytes;
}

Result<std::vector<std::uint8_t>> read_build_id(const std::string& path) {
  VMSCOPE_TRY(auto file, ElfFile::open(path));
  return file->build_id();
}

}  // namespace vmscope::debuginfo
