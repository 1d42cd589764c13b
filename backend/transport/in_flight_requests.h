// The requests received and not yet answered, by (scope, id), each with the CancellationSource
// its handler's token comes from: $/cancelRequest {id} finds them here, shutdown cancels them
// all, server/status counts them. Ids are compared as JSON (7 and "7" are different ids).
// Two requests in flight with the same id in one scope (a client bug) are both cancelled.
//
// Threading: every method is safe from any thread. A Registration removes its request when
// destroyed, on whichever thread that happens.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "rpc/json.h"
#include "support/cancellation.h"

namespace vmscope::transport {

class InFlightRequests {
 public:
  class Registration {
   public:
    ~Registration();
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    CancellationToken token() const { return source_.token(); }

   private:
    friend class InFlightRequests;
    Registration(InFlightRequests& table, std::string key, std::uint64_t serial,
                 CancellationSource source)
        : table_(table), key_(std::move(key)), serial_(serial), source_(std::move(source)) {}
    InFlightRequests& table_;
    const std::string key_;
    const std::uint64_t serial_;
    CancellationSource source_;
  };

  // Registers a request; it stays in the table while the Registration lives. The table must
  // outlive its registrations.
  std::unique_ptr<Registration> add(const std::string& scope, const rpc::Json& id);

  // Cancels the requests with this id in this scope; returns how many it reached.
  std::size_t cancel(const std::string& scope, const rpc::Json& id);
  void cancel_all();
  std::size_t size() const;

 private:
  static std::string key(const std::string& scope, const rpc::Json& id);
  void remove(const std::string& key, std::uint64_t serial);

  struct Entry {
    std::uint64_t serial;
    CancellationSource source;
  };
  mutable std::mutex mutex_;
  std::multimap<std::string, Entry> requests_;
  std::uint64_t next_serial_ = 1;
};

}  // namespace vmscope::transport
