// Test double for PhysicalMemory: sparse 4 KiB pages in a map. A page never written reads as
// kAddressNotMapped; pages can be marked excluded or absent to exercise those paths.
#pragma once

#include <cstring>
#include <map>
#include <set>
#include <vector>

#include "dump/physical_memory.h"

namespace vmscope::testing {

class SparsePhysicalMemory : public PhysicalMemory {
 public:
  void write(std::uint64_t paddr, const void* data, std::size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
      auto& page = pages_[(paddr + i) & ~0xfffull];
      page.resize(4096);
      page[(paddr + i) & 0xfff] = bytes[i];
    }
  }
  void write_u64(std::uint64_t paddr, std::uint64_t value) { write(paddr, &value, 8); }
  void exclude_page(std::uint64_t paddr) { excluded_.insert(paddr & ~0xfffull); }

  Status read(std::uint64_t paddr, std::span<std::byte> out) const override {
    for (std::size_t i = 0; i < out.size(); ++i) {
      const std::uint64_t page = (paddr + i) & ~0xfffull;
      if (excluded_.count(page)) {
        return Error(ErrorCode::kPageExcluded, "page excluded", {.physical = paddr + i});
      }
      auto it = pages_.find(page);
      if (it == pages_.end()) {
        return Error(ErrorCode::kAddressNotMapped, "not in dump", {.physical = paddr + i});
      }
      out[i] = static_cast<std::byte>(it->second[(paddr + i) & 0xfff]);
    }
    return ok_status();
  }
  std::vector<PhysicalRange> ranges() const override {
    std::vector<PhysicalRange> result;
    for (const auto& [page, bytes] : pages_) result.push_back({page, 4096});
    return result;
  }

 private:
  std::map<std::uint64_t, std::vector<unsigned char>> pages_;
  std::set<std::uint64_t> excluded_;
};

}  // namespace vmscope::testing
