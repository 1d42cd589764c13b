#include "transport/in_flight_requests.h"

namespace vmscope::transport {

InFlightRequests::Registration::~Registration() {
  table_.remove(key_, serial_);
}

std::string InFlightRequests::key(const std::string& scope, const rpc::Json& id) {
  // The scope cannot contain a NUL, so this is unambiguous; dump() keeps 7 and "7" apart.
  return scope + '\0' + id.dump();
}

std::unique_ptr<InFlightRequests::Registration> InFlightRequests::add(const std::string& scope,
                                                                      const rpc::Json& id) {
  std::string k = key(scope, id);
  CancellationSource source;
  std::lock_guard lock(mutex_);
  std::uint64_t serial = next_serial_++;
  requests_.emplace(k, Entry{serial, source});
  return std::unique_ptr<Registration>(new Registration(*this, std::move(k), serial, source));
}

std::size_t InFlightRequests::cancel(const std::string& scope, const rpc::Json& id) {
  std::lock_guard lock(mutex_);
  auto [first, last] = requests_.equal_range(key(scope, id));
  std::size_t reached = 0;
  for (auto it = first; it != last; ++it, ++reached) it->second.source.cancel();
  return reached;
}

void InFlightRequests::cancel_all() {
  std::lock_guard lock(mutex_);
  for (auto& [k, entry] : requests_) entry.source.cancel();
}

std::size_t InFlightRequests::size() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

void InFlightRequests::remove(const std::string& k, std::uint64_t serial) {
  std::lock_guard lock(mutex_);
  auto [first, last] = requests_.equal_range(k);
  for (auto it = first; it != last; ++it) {
    if (it->second.serial == serial) {
      requests_.erase(it);
      return;
    }
  }
}

}  // namespace vmscope::transport
