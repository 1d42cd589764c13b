#include "dump/kdump_bitmap.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace vmscope {

PageBitmap::PageBitmap(std::span<const std::byte> bytes, std::uint64_t bit_count)
    : bit_count_(bit_count), words_((bit_count + 63) / 64, 0) {
  std::size_t usable = static_cast<std::size_t>(
      std::min<std::uint64_t>(bytes.size(), std::uint64_t{words_.size()} * 8));
  // Bytes are in pfn order and bit 0 of a byte is its lowest pfn: on a little-endian host a
  // plain copy gives words whose bit i is pfn 64 * word + i.
  static_assert(std::endian::native == std::endian::little);
  std::memcpy(words_.data(), bytes.data(), usable);
  if (bit_count % 64 != 0 && !words_.empty()) {
    words_.back() &= (std::uint64_t{1} << (bit_count % 64)) - 1;
  }
  build_rank_index();
}

void PageBitmap::build_rank_index() {
  std::size_t blocks = (words_.size() + kWordsPerBlock - 1) / kWordsPerBlock;
  block_rank_.assign(blocks + 1, 0);
  std::uint64_t running = 0;
  for (std::size_t b = 0; b < blocks; ++b) {
    block_rank_[b] = running;
    std::size_t end = std::min(words_.size(), (b + 1) * kWordsPerBlock);
    for (std::size_t w = b * kWordsPerBlock; w < end; ++w) running += std::popcount(words_[w]);
  }
  block_rank_[blocks] = running;
}

std::uint64_t PageBitmap::rank(std::uint64_t pfn) const {
  pfn = std::min(pfn, bit_count_);
  std::size_t word = static_cast<std::size_t>(pfn / 64);
  std::size_t block = word / kWordsPerBlock;
  std::uint64_t count = block_rank_.empty() ? 0 : block_rank_[block];
  for (std::size_t w = block * kWordsPerBlock; w < word; ++w) count += std::popcount(words_[w]);
  if (pfn % 64 != 0) {
    count += std::popcount(words_[word] & ((std::uint64_t{1} << (pfn % 64)) - 1));
  }
  return count;
}

std::vector<PfnRun> PageBitmap::runs() const {
  std::vector<PfnRun> out;
  std::uint64_t pfn = 0;
  // Bounded: each step moves pfn forward past at least one bit.
  while (pfn < bit_count_) {
    std::uint64_t word = words_[pfn / 64] >> (pfn % 64);
    if (word == 0) {  // skip clear bits up to the next word
      pfn = (pfn / 64 + 1) * 64;
      continue;
    }
    pfn += static_cast<std::uint64_t>(std::countr_zero(word));
    std::uint64_t first = pfn;
    // Extend over set bits, a word at a time.
    while (pfn < bit_count_) {
      std::uint64_t rest = words_[pfn / 64] >> (pfn % 64);
      auto ones = static_cast<std::uint64_t>(std::countr_one(rest));
      std::uint64_t left_in_word = 64 - pfn % 64;
      if (ones < left_in_word) {
        pfn += ones;
        break;
      }
      pfn += left_in_word;
    }
    pfn = std::min(pfn, bit_count_);
    out.push_back({first, pfn - first});
  }
  return out;
}

PageBitmap PageBitmap::united(const PageBitmap& a, const PageBitmap& b) {
  const PageBitmap& longer = a.bit_count_ >= b.bit_count_ ? a : b;
  const PageBitmap& shorter = a.bit_count_ >= b.bit_count_ ? b : a;
  PageBitmap out;
  out.bit_count_ = longer.bit_count_;
  out.words_ = longer.words_;
  for (std::size_t w = 0; w < shorter.words_.size(); ++w) out.words_[w] |= shorter.words_[w];
  out.build_rank_index();
  return out;
}

}  // namespace vmscope
