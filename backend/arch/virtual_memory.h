// Reading a virtual address space: an AddressTranslator over a PhysicalMemory. Reads may cross
// pages (each page is translated on its own); a failure names the virtual address that failed,
// plus whatever the translation or the physical read reported (level, physical address,
// excluded/absent page). Thread-safe if both parts are.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "arch/translation.h"
#include "dump/physical_memory.h"

namespace vmscope {

class VirtualMemory {
 public:
  VirtualMemory(const PhysicalMemory& physical, const AddressTranslator& translator)
      : physical_(physical), translator_(translator) {}

  Status read(std::uint64_t vaddr, std::span<std::byte> out) const;
  Result<std::uint64_t> read_u64(std::uint64_t vaddr) const;
  Result<std::uint32_t> read_u32(std::uint64_t vaddr) const;
  // A NUL-terminated string of at most `max_length` bytes (without the NUL).
  Result<std::string> read_c_string(std::uint64_t vaddr, std::size_t max_length) const;

  const AddressTranslator& translator() const { return translator_; }
  const PhysicalMemory& physical() const { return physical_; }

 private:
  const PhysicalMemory& physical_;
  const AddressTranslator& translator_;
};

}  // namespace vmscope
