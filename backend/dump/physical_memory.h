// The one interface every dump format adapts to: bytes at physical addresses.
//
// A reader (ELF vmcore, kdump-compressed, flattened, /proc/kcore, a received dump) implements
// PhysicalMemory and nothing else about memory; address translation (arch/) and everything
// above it see only this. Reads are exact: either every requested byte is filled or an error
// says why not, with the physical address in the payload:
//   kAddressNotMapped  the address is outside every range the dump describes
//   kPageExcluded      the dump describes the page but a filter left it out (makedumpfile -d)
//   kPageAbsent        the page should be there but is not (incomplete or truncated dump)
//   kTruncated/kCorrupt/kIo  the file itself is damaged or unreadable
// Implementations must be safe to call from several threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "support/result.h"

namespace vmscope {

struct PhysicalRange {
  std::uint64_t start = 0;  // first physical address
  std::uint64_t size = 0;   // bytes
  std::uint64_t end() const { return start + size; }
};

class PhysicalMemory {
 public:
  virtual ~PhysicalMemory() = default;

  // Fill `out` with the bytes at [paddr, paddr + out.size()); may cross page boundaries.
  virtual Status read(std::uint64_t paddr, std::span<std::byte> out) const = 0;

  // The physical ranges the dump describes (present, excluded or absent pages alike),
  // sorted and non-overlapping.
  virtual std::vector<PhysicalRange> ranges() const = 0;
};

}  // namespace vmscope
