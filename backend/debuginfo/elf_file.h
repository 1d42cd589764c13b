// An ELF file opened read-only with libelf (memory-mapped), and the facts about it the rest of
// the layer keys on: its GNU build-id (NT_GNU_BUILD_ID), its size and modification time (to
// notice a file replaced under the same build-id), and the address range its loadable image
// occupies (to know which addresses move with KASLR).
//
// Threading: libelf is not safe for concurrent use of one Elf*; callers that share an ElfFile
// across threads serialise access (DwarfFile does). Opening several ElfFiles of one path is fine.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "support/hex.h"
#include "support/result.h"

typedef struct Elf Elf;  // libelf's opaque handle, as <libelf.h> declares it

namespace vmscope::debuginfo {

// [begin, end) of link-time addresses.
struct AddressRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  bool contains(std::uint64_t address) const { return address >= begin && address < end; }
};

struct ElfSection {
  std::size_t index = 0;
  std::string name;
  std::uint32_t type = 0;   // SHT_*
  std::uint64_t flags = 0;  // SHF_*
  std::uint64_t address = 0;
  std::uint64_t size = 0;
};

class ElfFile {
 public:
  static Result<std::unique_ptr<ElfFile>> open(const std::string& path);
  ~ElfFile();
  ElfFile(const ElfFile&) = delete;
  ElfFile& operator=(const ElfFile&) = delete;

  Elf* elf() const { return elf_; }
  const std::string& path() const { return path_; }
  std::uint64_t file_size() const { return file_size_; }
  std::int64_t mtime_ns() const { return mtime_ns_; }
  // Empty when the file has no NT_GNU_BUILD_ID note.
  const std::vector<std::uint8_t>& build_id() const { return build_id_; }
  bool is_relocatable() const { return relocatable_; }  // ET_REL (kernel modules)
  // The span of the PT_LOAD segments with a non-zero address, as drgn computes a module's
  // range: vmlinux's per-CPU segment sits at address 0 and is excluded, so per-CPU offsets are
  // not moved by KASLR. Empty for files without such segments (relocatable objects).
  const AddressRange& image_range() const { return image_range_; }

  // Section headers, index order (index 0, SHN_UNDEF, included).
  const std::vector<ElfSection>& sections() const { return sections_; }
  const ElfSection* find_section(std::string_view name) const;

 private:
  ElfFile() = default;
  int fd_ = -1;
  Elf* elf_ = nullptr;
  std::string path_;
  std::uint64_t file_size_ = 0;
  std::int64_t mtime_ns_ = 0;
  std::vector<std::uint8_t> build_id_;
  bool relocatable_ = false;
  AddressRange image_range_;
  std::vector<ElfSection> sections_;
};

// Lower- or upper-case hex, even length; nullopt otherwise.
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text);

// The build-id of the ELF file at `path` (empty vector if it has none).
Result<std::vector<std::uint8_t>> read_build_id(const std::string& path);

}  // namespace vmscope::debuginfo
