#include "program/object_handles.h"

#include <algorithm>
#include <string>

namespace vmscope {

ObjectHandles::ObjectHandles(std::size_t capacity)
    : capacity_(std::max<std::size_t>(capacity, 1)) {}

std::uint64_t ObjectHandles::add(Object object) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  recent_.emplace_front(id, std::move(object));
  by_id_[id] = recent_.begin();
  while (recent_.size() > capacity_) {
    by_id_.erase(recent_.back().first);
    recent_.pop_back();
    ++evictions_;
  }
  return id;
}

Result<Object> ObjectHandles::get(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) {
    const bool expired = id != 0 && id < next_id_;
    return Error(ErrorCode::kNotFound,
                 "value handle " + std::to_string(id) +
                     (expired ? " has expired (too many values were expanded since); evaluate the "
                                "expression again"
                              : " does not exist"),
                 {.name = std::to_string(id)});
  }
  recent_.splice(recent_.begin(), recent_, it->second);
  return it->second->second;
}

bool ObjectHandles::release(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return false;
  recent_.erase(it->second);
  by_id_.erase(it);
  return true;
}

void ObjectHandles::clear() {
  std::lock_guard lock(mutex_);
  recent_.clear();
  by_id_.clear();
}

std::size_t ObjectHandles::size() const {
  std::lock_guard lock(mutex_);
  return recent_.size();
}

std::uint64_t ObjectHandles::evictions() const {
  std::lock_guard lock(mutex_);
  return evictions_;
}

}  // namespace vmscope
