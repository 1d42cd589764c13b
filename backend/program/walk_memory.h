// The memory a walk reads through: the program's VirtualMemory with a small cache of the
// translations the walk has made. Without it every 8-byte read of a `next` pointer walks the
// page tables again (four or five physical reads, each a pread of the dump); kernel data sits
// in the direct map's 2 MiB and 1 GiB pages, so a handful of cached translations serves a
// whole list. Measured on the fixture: see tests/fixture/program/list_walker_test.cpp.
//
// Only successful translations are kept, and only for the walk's lifetime: a dump never
// changes, so nothing goes stale. One WalkMemory serves one walk on one thread at a time; it
// is still safe to share (a mutex guards the cache) because AddressTranslator promises that.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>

#include "arch/translation.h"
#include "arch/virtual_memory.h"

namespace vmscope {

class TranslationCache final : public AddressTranslator {
 public:
  explicit TranslationCache(const AddressTranslator& inner) : inner_(inner) {}
  Result<Translation> translate(std::uint64_t vaddr) const override;
  std::uint64_t hits() const;
  std::uint64_t misses() const;

 private:
  struct Entry {
    std::uint64_t virtual_base = 0;
    std::uint64_t physical_base = 0;
    std::uint64_t page_size = 0;  // 0: empty
  };
  static constexpr std::size_t kEntries = 16;
  const AddressTranslator& inner_;
  mutable std::mutex mutex_;
  mutable std::array<Entry, kEntries> entries_{};
  mutable std::size_t next_victim_ = 0;
  mutable std::uint64_t hits_ = 0, misses_ = 0;
};

class WalkMemory {
 public:
  explicit WalkMemory(const VirtualMemory& memory)
      : cache_(memory.translator()), memory_(memory.physical(), cache_) {}
  WalkMemory(const WalkMemory&) = delete;
  WalkMemory& operator=(const WalkMemory&) = delete;

  const VirtualMemory& memory() const { return memory_; }
  const TranslationCache& cache() const { return cache_; }

 private:
  TranslationCache cache_;
  VirtualMemory memory_;
};

}  // namespace vmscope
