// Per-host counters and a token-bucket rate limit for the log listeners
// (protocol-spec/dump-wire-protocol.md §13.3). A "host" is a source address as text.
//
// Each host has a bucket of `burst` tokens refilled at `records_per_second`; a record that
// finds a token is accepted, otherwise dropped and counted. The table holds at most
// `max_hosts` hosts; a new host beyond that evicts the least recently seen one (its counters
// are forgotten), so a flood of spoofed source addresses costs bounded memory and O(1) work
// per record.
//
// Not thread-safe: one owner (the listener's I/O thread); snapshot() copies.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vmscope {

struct HostCounters {
  std::uint64_t received = 0;      // records offered to admit()
  std::uint64_t accepted = 0;      // admitted
  std::uint64_t dropped_rate = 0;  // refused: over the rate
  std::uint64_t malformed = 0;     // reported by note_malformed()
};

struct RateLimits {
  double records_per_second = 20000;
  double burst = 50000;
  std::size_t max_hosts = 4096;
};

class HostRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit HostRateLimiter(RateLimits limits = {});

  // Counts a record from `host` and says whether to accept it.
  bool admit(const std::string& host, Clock::time_point now);
  void note_malformed(const std::string& host, Clock::time_point now);

  std::optional<HostCounters> counters(const std::string& host) const;
  std::vector<std::pair<std::string, HostCounters>> snapshot() const;
  std::size_t hosts() const { return hosts_.size(); }
  std::uint64_t hosts_evicted() const { return hosts_evicted_; }

 private:
  struct Host {
    HostCounters counters;
    double tokens = 0;
    Clock::time_point refilled;
    std::list<std::string>::iterator lru;
  };
  Host& touch(const std::string& host, Clock::time_point now);

  RateLimits limits_;
  std::unordered_map<std::string, Host> hosts_;
  std::list<std::string> lru_;  // front: most recently seen
  std::uint64_t hosts_evicted_ = 0;
};

}  // namespace vmscope
