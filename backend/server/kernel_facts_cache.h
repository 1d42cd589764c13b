// The KernelFacts of every open dump, by dump id: the one place a request finds the kept
// facts of the dump it names. Facts are created on the first request that needs them and
// dropped once their dump is closed (checked on each lookup, so a closed dump's facts go at
// the next request; requests still running keep theirs alive through the shared_ptr).
//
// A dump closed and opened again gets a new id and so fresh facts.
//
// Threading: every method is safe from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "server/kernel_facts.h"
#include "server/session_registry.h"

namespace vmscope::server {

class KernelFactsCache {
 public:
  // `sessions` must outlive the cache.
  explicit KernelFactsCache(const SessionRegistry& sessions) : sessions_(sessions) {}

  // The facts of `dump` (as SessionRegistry::get returned it).
  std::shared_ptr<const KernelFacts> facts(const OpenDump& dump);

  std::size_t size() const;

 private:
  const SessionRegistry& sessions_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const KernelFacts>> facts_;  // by dump id
};

}  // namespace vmscope::server
