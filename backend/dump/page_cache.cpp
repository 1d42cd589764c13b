#include "dump/page_cache.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace vmscope {

PageCache::PageCache(std::size_t page_size, std::size_t capacity, std::size_t shards)
    : page_size_(page_size) {
  shards = std::max<std::size_t>(shards, 1);
  capacity = std::max<std::size_t>(capacity, 1);
  per_shard_ = (capacity + shards - 1) / shards;
  shards_.reserve(shards);
  for (std::size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

bool PageCache::copy_out(std::uint64_t key, std::size_t offset, std::span<std::byte> out) {
  assert(offset <= page_size_ && out.size() <= page_size_ - offset);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  auto found = shard.index.find(key);
  if (found == shard.index.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  shard.lru.splice(shard.lru.begin(), shard.lru, found->second);
  std::memcpy(out.data(), found->second->bytes.get() + offset, out.size());
  hits_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void PageCache::insert(std::uint64_t key, std::span<const std::byte> page) {
  assert(page.size() == page_size_);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  auto found = shard.index.find(key);
  if (found != shard.index.end()) {
    std::memcpy(found->second->bytes.get(), page.data(), page_size_);
    shard.lru.splice(shard.lru.begin(), shard.lru, found->second);
    return;
  }
  std::unique_ptr<std::byte[]> bytes;
  if (shard.lru.size() >= per_shard_) {  // full: recycle the least recently used page
    Entry& victim = shard.lru.back();
    shard.index.erase(victim.key);
    bytes = std::move(victim.bytes);
    shard.lru.pop_back();
  } else {
    bytes = std::make_unique<std::byte[]>(page_size_);
  }
  std::memcpy(bytes.get(), page.data(), page_size_);
  shard.lru.push_front(Entry{key, std::move(bytes)});
  shard.index.emplace(key, shard.lru.begin());
}

std::size_t PageCache::size() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mutex);
    total += shard->lru.size();
  }
  return total;
}

}  // namespace vmscope
