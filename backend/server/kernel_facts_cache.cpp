#include "server/kernel_facts_cache.h"

#include <set>

namespace vmscope::server {

std::shared_ptr<const KernelFacts> KernelFactsCache::facts(const OpenDump& dump) {
  // Ids of the dumps open now: facts of any other id belong to a closed dump. Read before
  // taking our lock (the registry has its own), so the two locks are never nested.
  std::set<std::string> open;
  for (const OpenDump& d : sessions_.list()) open.insert(d.id);

  std::lock_guard lock(mutex_);
  for (auto it = facts_.begin(); it != facts_.end();) {
    it = open.count(it->first) ? std::next(it) : facts_.erase(it);
  }
  auto it = facts_.find(dump.id);
  if (it != facts_.end() && &it->second->target() == dump.target.get()) return it->second;
  auto made = std::make_shared<const KernelFacts>(dump.target);
  // A dump closed between get() and here is answered but not kept.
  if (open.count(dump.id)) facts_[dump.id] = made;
  return made;
}

std::size_t KernelFactsCache::size() const {
  std::lock_guard lock(mutex_);
  return facts_.size();
}

}  // namespace vmscope::server
