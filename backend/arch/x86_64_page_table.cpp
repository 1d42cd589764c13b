#include "arch/x86_64_page_table.h"

#include <array>
#include <cstring>
#include <string>

#include "support/hex.h"

namespace vmscope {
namespace {

// Architectural bits of a paging-structure entry (Intel SDM vol. 3, 4.5).
constexpr std::uint64_t kPresent = 1ull << 0;
constexpr std::uint64_t kPageSize = 1ull << 7;  // PS: this entry maps a large page
// Bits 12..51 hold the physical frame (MAXPHYADDR is at most 52).
constexpr std::uint64_t kFrameMask = 0x000ffffffffff000ull;

const char* level_name(int level) {
  switch (level) {
    case 5: return "PML5E";
    case 4: return "PML4E";
    case 3: return "PDPTE";
    case 2: return "PDE";
    default: return "PTE";
  }
}

}  // namespace

bool X86_64PageTable::is_canonical(std::uint64_t vaddr, bool five_level) {
  const int top_bit = five_level ? 56 : 47;
  const std::uint64_t upper = vaddr >> top_bit;  // the top bit and all above it
  const std::uint64_t all_ones = (~0ull) >> top_bit;
  return upper == 0 || upper == all_ones;
}

Result<Translation> X86_64PageTable::translate(std::uint64_t vaddr) const {
  if (!is_canonical(vaddr, five_level_)) {
    return Error(ErrorCode::kInvalidArgument,
                 "non-canonical address " + hex_u64(vaddr) +
                     (five_level_ ? " (5-level paging)" : " (4-level paging)"),
                 {.address = vaddr});
  }
  std::uint64_t table = root_ & kFrameMask & ~encryption_mask_;
  for (int level = five_level_ ? 5 : 4; level >= 1; --level) {
    const int shift = 12 + 9 * (level - 1);
    const std::uint64_t index = (vaddr >> shift) & 0x1ff;
    const std::uint64_t entry_address = table + index * 8;
    std::array<std::byte, 8> raw{};
    Status read = memory_.read(entry_address, raw);
    if (!read.ok()) {
      Error error = read.error().with_context(std::string("reading ") + level_name(level) +
                                              " for " + hex_u64(vaddr));
      error.payload().address = vaddr;
      error.payload().physical = entry_address;
      error.payload().level = level;
      return error;
    }
    std::uint64_t entry;
    std::memcpy(&entry, raw.data(), sizeof entry);  // x86_64 entries are little-endian
    if (!(entry & kPresent)) {
      return Error(ErrorCode::kAddressNotMapped,
                   std::string(level_name(level)) + " not present for " + hex_u64(vaddr),
                   {.address = vaddr, .physical = entry_address, .level = level});
    }
    const std::uint64_t frame = entry & kFrameMask & ~encryption_mask_;
    const bool large = (level == 3 || level == 2) && (entry & kPageSize);
    if (level == 1 || large) {
      const std::uint64_t page_size = 1ull << shift;
      // A large page's frame field also holds the PAT bit (bit 12); the frame is aligned.
      const std::uint64_t base = frame & ~(page_size - 1);
      return Translation{base | (vaddr & (page_size - 1)), page_size};
    }
    table = frame;
  }
  return Error(ErrorCode::kInternal, "page walk fell through");  // unreachable
}

}  // namespace vmscope
