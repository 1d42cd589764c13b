#include "program/walk_memory.h"

namespace vmscope {

Result<Translation> TranslationCache::translate(std::uint64_t vaddr) const {
  {
    std::lock_guard lock(mutex_);
    for (const Entry& entry : entries_) {
      if (entry.page_size && vaddr - entry.virtual_base < entry.page_size) {
        ++hits_;
        return Translation{entry.physical_base + (vaddr - entry.virtual_base), entry.page_size};
      }
    }
    ++misses_;
  }
  VMSCOPE_TRY(Translation translation, inner_.translate(vaddr));
  if (translation.page_size && (translation.page_size & (translation.page_size - 1)) == 0) {
    const std::uint64_t offset = vaddr & (translation.page_size - 1);
    std::lock_guard lock(mutex_);
    entries_[next_victim_] = {vaddr - offset, translation.physical - offset, translation.page_size};
    next_victim_ = (next_victim_ + 1) % kEntries;
  }
  return translation;
}

std::uint64_t TranslationCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

std::uint64_t TranslationCache::misses() const {
  std::lock_guard lock(mutex_);
  return misses_;
}

}  // namespace vmscope
