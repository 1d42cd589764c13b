// Handles for objects a client may expand later: the value tree (value_tree.h) gives every
// node with children an opaque id, and `value/children` comes back with that id to get the next
// page. The table maps ids to Objects, holds at most `capacity` of them and evicts the least
// recently used; an evicted or unknown id is a kNotFound error telling the client to evaluate
// again. Ids are never reused (a stale id cannot silently name another object).
//
// A table belongs to one program (its Objects point into that program's memory) and must not
// outlive it; the server keeps one per open dump. Thread-safe: every method takes a lock.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <unordered_map>

#include "program/object.h"
#include "support/result.h"

namespace vmscope {

class ObjectHandles {
 public:
  explicit ObjectHandles(std::size_t capacity = 4096);
  ObjectHandles(const ObjectHandles&) = delete;
  ObjectHandles& operator=(const ObjectHandles&) = delete;

  // Stores `object` and returns its new id (never 0). May evict the least recently used entry.
  std::uint64_t add(Object object);
  // The object of `id`, which becomes the most recently used. kNotFound if unknown or evicted.
  Result<Object> get(std::uint64_t id);
  // Forgets `id`; false if it was not there.
  bool release(std::uint64_t id);
  void clear();

  std::size_t size() const;
  std::size_t capacity() const { return capacity_; }
  std::uint64_t evictions() const;

 private:
  using Entry = std::pair<std::uint64_t, Object>;
  mutable std::mutex mutex_;
  const std::size_t capacity_;
  std::uint64_t next_id_ = 1;
  std::uint64_t evictions_ = 0;
  std::list<Entry> recent_;  // most recently used first
  std::unordered_map<std::uint64_t, std::list<Entry>::iterator> by_id_;
};

}  // namespace vmscope
