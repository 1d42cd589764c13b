// A bounded, thread-safe cache of decoded pages, so that repeated reads of the same page (page
// table walks, list walks) do not decompress it again.
//
// Policy: least-recently-used, sharded. The key (a pfn) picks one of `shards` shards by its
// low bits, so neighbouring pages land on different shards and threads rarely contend; each
// shard has its own mutex and its own LRU list holding at most ceil(capacity / shards) pages.
// A lookup that hits moves the page to the front of its shard; an insert into a full shard
// evicts that shard's least recently used page and reuses its buffer. Memory is bounded by
// capacity rounded up to a multiple of `shards`, times page_size, plus per-entry overhead.
// Two threads missing the same page at once both decode it and the second insert wins; the
// bytes are identical, so this costs time, never correctness.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>
#include <vector>

namespace vmscope {

class PageCache {
 public:
  static constexpr std::size_t kDefaultCapacity = 4096;  // 16 MiB of 4 KiB pages
  static constexpr std::size_t kDefaultShards = 16;

  PageCache(std::size_t page_size, std::size_t capacity = kDefaultCapacity,
            std::size_t shards = kDefaultShards);

  // If `key` is cached, copies bytes [offset, offset + out.size()) of it into `out` and
  // returns true. Requires offset + out.size() <= page_size.
  bool copy_out(std::uint64_t key, std::size_t offset, std::span<std::byte> out);
  // Caches a copy of `page` (exactly page_size bytes) under `key`, replacing any older copy.
  void insert(std::uint64_t key, std::span<const std::byte> page);

  std::size_t page_size() const { return page_size_; }
  std::size_t capacity() const { return per_shard_ * shards_.size(); }
  std::size_t size() const;  // pages cached now
  std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    std::uint64_t key;
    std::unique_ptr<std::byte[]> bytes;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::list<Entry> lru;  // front: most recently used
    std::unordered_map<std::uint64_t, std::list<Entry>::iterator> index;
  };
  Shard& shard_for(std::uint64_t key) { return *shards_[key % shards_.size()]; }

  std::size_t page_size_;
  std::size_t per_shard_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
};

}  // namespace vmscope
