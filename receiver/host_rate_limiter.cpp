#include "receiver/host_rate_limiter.h"

#include <algorithm>

namespace vmscope {

HostRateLimiter::HostRateLimiter(RateLimits limits) : limits_(limits) {
  limits_.max_hosts = std::max<std::size_t>(limits_.max_hosts, 1);
  limits_.burst = std::max(limits_.burst, 1.0);
  limits_.records_per_second = std::max(limits_.records_per_second, 0.0);
}

HostRateLimiter::Host& HostRateLimiter::touch(const std::string& host, Clock::time_point now) {
  auto found = hosts_.find(host);
  if (found != hosts_.end()) {
    lru_.splice(lru_.begin(), lru_, found->second.lru);
    return found->second;
  }
  if (hosts_.size() >= limits_.max_hosts) {
    hosts_.erase(lru_.back());
    lru_.pop_back();
    ++hosts_evicted_;
  }
  lru_.push_front(host);
  Host& state = hosts_[host];
  state.tokens = limits_.burst;
  state.refilled = now;
  state.lru = lru_.begin();
  return state;
}

bool HostRateLimiter::admit(const std::string& host, Clock::time_point now) {
  Host& state = touch(host, now);
  ++state.counters.received;
  if (now > state.refilled) {
    std::chrono::duration<double> elapsed = now - state.refilled;
    state.tokens =
        std::min(limits_.burst, state.tokens + elapsed.count() * limits_.records_per_second);
    state.refilled = now;
  }
  if (state.tokens < 1.0) {
    ++state.counters.dropped_rate;
    return false;
  }
  state.tokens -= 1.0;
  ++state.counters.accepted;
  return true;
}

void HostRateLimiter::note_malformed(const std::string& host, Clock::time_point now) {
  ++touch(host, now).counters.malformed;
}

std::optional<HostCounters> HostRateLimiter::counters(const std::string& host) const {
  auto found = hosts_.find(host);
  if (found == hosts_.end()) return std::nullopt;
  return found->second.counters;
}

std::vector<std::pair<std::string, HostCounters>> HostRateLimiter::snapshot() const {
  std::vector<std::pair<std::string, HostCounters>> out;
  out.reserve(hosts_.size());
  for (const auto& name : lru_) out.emplace_back(name, hosts_.at(name).counters);
  return out;
}

}  // namespace vmscope
