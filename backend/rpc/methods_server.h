// Methods about the running server itself rather than a dump:
//   server/status  uptime, open dumps, requests in flight, workers, notification drops, and
//                  the receiver's counters when it runs.
//   test/sleep     a cancellable request that takes as long as asked and reports progress;
//                  registered only by `vmscope serve --test-methods`, for the transport,
//                  cancellation and load tests (no real method is slow on demand).
// Wire shapes are in protocol-spec/openrpc.json (test/sleep under x-test-methods).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "rpc/dispatcher.h"
#include "server/receiver_service.h"

namespace vmscope::rpc {

// What the server knows about itself; the serve command fills it from its parts (worker
// pool, notification hub, in-flight table, sessions). `vmscope call` has no server around it
// and reports an idle one.
struct ServerStatus {
  std::chrono::milliseconds uptime{0};
  std::size_t open_dumps = 0;
  std::size_t in_flight_requests = 0;  // including the server/status request itself
  std::size_t workers = 0;             // 0: requests run on the reading thread
  std::size_t queued_requests = 0;
  std::uint64_t rejected_requests = 0;  // refused because the queue was full
  std::size_t event_subscribers = 0;    // stdio client + HTTP event streams
  std::uint64_t notifications_published = 0;
  std::uint64_t notifications_dropped = 0;  // lost by slow subscribers, summed
  // `vmscope serve --receive DIR`: the receiver's directory and counters.
  std::optional<std::filesystem::path> receiver_dump_dir;
  std::optional<server::ReceiverServiceStats> receiver;
};

using ServerStatusProbe = std::function<ServerStatus()>;

void register_server_methods(Dispatcher& dispatcher, ServerStatusProbe probe);
void register_test_methods(Dispatcher& dispatcher);

// server/status's result; its `version` is the protocol document's info.version.
Json to_json(const ServerStatus& status);
// server/status's receiver object (ReceiverStatus in the spec).
Json receiver_status_json(const std::filesystem::path& dump_dir,
                          const server::ReceiverServiceStats& stats);

}  // namespace vmscope::rpc
