// Virtual-to-physical translation: the result type shared by every architecture.
#pragma once

#include <cstdint>

#include "support/result.h"

namespace vmscope {

struct Translation {
  std::uint64_t physical = 0;   // physical address of the translated virtual address
  std::uint64_t page_size = 0;  // size of the page that maps it (4 KiB, 2 MiB, 1 GiB)
  // Bytes from the virtual address to the end of its page: how far a read may go before it
  // has to translate again.
  std::uint64_t bytes_to_page_end(std::uint64_t vaddr) const {
    return page_size - (vaddr & (page_size - 1));
  }
};

// One virtual address space: the kernel's, or a process's (its mm->pgd). Thread-safe.
class AddressTranslator {
 public:
  virtual ~AddressTranslator() = default;
  virtual Result<Translation> translate(std::uint64_t vaddr) const = 0;
};

}  // namespace vmscope
