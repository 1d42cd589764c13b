// A bitmap of page frames, one bit per pfn (bit pfn % 8 of byte pfn / 8, as makedumpfile
// writes them), with constant-time rank so that the page descriptor of a dumped pfn is found
// without scanning: descriptor index = rank(pfn) = number of set bits below pfn.
//
// rank is O(1): a running popcount is stored for every 512-bit block (one uint64 per 8 words,
// 12.5% on top of the bitmap), and at most 8 words are popcounted per query.
// Immutable after construction; safe to share between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace vmscope {

// A maximal run of consecutive set bits: pfns [first, first + count).
struct PfnRun {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
};

class PageBitmap {
 public:
  PageBitmap() = default;
  // `bytes` as stored in the dump; bits at or past `bit_count` are ignored (treated as clear).
  PageBitmap(std::span<const std::byte> bytes, std::uint64_t bit_count);

  std::uint64_t bit_count() const { return bit_count_; }
  bool test(std::uint64_t pfn) const {
    return pfn < bit_count_ && ((words_[pfn / 64] >> (pfn % 64)) & 1) != 0;
  }
  // Number of set bits in [0, pfn); pfn may equal bit_count().
  std::uint64_t rank(std::uint64_t pfn) const;
  std::uint64_t popcount() const { return rank(bit_count_); }

  // The runs of set bits, in order.
  std::vector<PfnRun> runs() const;
  // Bitwise OR of two bitmaps (the length of the longer).
  static PageBitmap united(const PageBitmap& a, const PageBitmap& b);

 private:
  static constexpr std::size_t kWordsPerBlock = 8;
  void build_rank_index();

  std::uint64_t bit_count_ = 0;
  std::vector<std::uint64_t> words_;
  std::vector<std::uint64_t> block_rank_;  // set bits before each 512-bit block
};

}  // namespace vmscope
