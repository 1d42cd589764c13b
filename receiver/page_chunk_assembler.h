// Reassembles pages that the sender cut into chunks (a PAGE record with chunk_count > 1,
// protocol-spec/dump-wire-protocol.md §5.3): a page's stored form is its chunks concatenated
// in chunk_index order; chunks may have any sizes and arrive in any order.
//
// Bounds: at most `max_pages` partial pages and `max_bytes` of held chunk bytes; a page is
// dropped (counted) when a chunk would exceed page_size in total, disagrees with an earlier
// chunk_count or compression, or when the bounds evict it (oldest first). A page whose chunks
// never all arrive stays missing.
//
// Not thread-safe: one owner (the session).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "receiver/dump_messages.h"

namespace vmscope::dumpwire {

struct AssembledPage {
  std::uint64_t pfn = 0;
  PageCompression compression = PageCompression::kNone;
  std::vector<std::byte> stored;
};

class PageChunkAssembler {
 public:
  struct Limits {
    std::size_t max_pages = 4096;
    std::size_t max_bytes = std::size_t{64} << 20;
  };
  PageChunkAssembler(std::uint32_t page_size, Limits limits);
  explicit PageChunkAssembler(std::uint32_t page_size) : PageChunkAssembler(page_size, Limits{}) {}

  // A PAGE record with chunk_count > 1. Returns the page once its last chunk is in.
  std::optional<AssembledPage> add(const PageRecord& record);

  std::uint64_t dropped() const { return dropped_; }
  std::uint64_t duplicate_chunks() const { return duplicate_chunks_; }
  std::size_t partial_pages() const { return pages_.size(); }
  // pfns still partial (for reporting, at the end).
  std::vector<std::uint64_t> partial_pfns() const;

 private:
  struct Partial {
    PageCompression compression = PageCompression::kNone;
    std::vector<std::optional<std::vector<std::byte>>> chunks;
    std::size_t have = 0;
    std::size_t bytes = 0;
    std::list<std::uint64_t>::iterator age;
  };
  void drop(std::unordered_map<std::uint64_t, Partial>::iterator it);

  std::uint32_t page_size_;
  Limits limits_;
  std::unordered_map<std::uint64_t, Partial> pages_;
  std::list<std::uint64_t> ages_;  // front: oldest
  std::size_t bytes_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t duplicate_chunks_ = 0;
};

}  // namespace vmscope::dumpwire
