// The request handling every transport shares (clangd's ClangdLSPServer in miniature, minus
// the methods, which live in rpc/). For each message a transport hands over it:
//   - answers at once what is wrong with the message itself (malformed JSON, a bad envelope,
//     an unknown method), on the transport's thread;
//   - handles $/cancelRequest {id} on the transport's thread too, so a full worker queue
//     cannot delay a cancellation;
//   - runs every request (each element of a batch separately) on the worker pool, registered
//     in the in-flight table with its own CancellationSource and, when the params carry a
//     workDoneToken, a ProgressReporter whose $/progress goes to the requesting client
//     directly (in order, before its response) and to every other client through the hub;
//   - replies exactly once per message: a single response, a batch's responses together in
//     request order, or "no response" for notifications. A request the pool refuses (queue
//     full, shutting down) is answered with that error; one dropped without an answer (a bug)
//     is answered with an internal error rather than left hanging.
//
// Threading: on_message() and the other entry points may be called from many transport
// threads at once. Replies go out on worker threads. The Endpoint must outlive the pool's
// last task: destroy (or shut down) the WorkerPool first.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "rpc/dispatcher.h"
#include "rpc/json.h"
#include "server/notification_hub.h"
#include "server/worker_pool.h"
#include "transport/in_flight_requests.h"
#include "transport/transport.h"

namespace vmscope::transport {

// JSON text of a message; invalid UTF-8 in strings (a comm name from a corrupt dump) is
// replaced rather than thrown over.
std::string encode(const rpc::Json& message);
// {"jsonrpc":"2.0","method":…,"params":…}, encoded.
std::string encode_notification(const std::string& method, const rpc::Json& params);

class Endpoint : public MessageHandler {
 public:
  Endpoint(const rpc::Dispatcher& dispatcher, server::WorkerPool& pool,
           server::NotificationHub& hub);

  void on_message(std::string text, std::shared_ptr<Peer> peer) override;
  void on_oversized(std::uint64_t size, std::uint64_t limit, std::shared_ptr<Peer> peer) override;
  void on_unframeable(const std::string& why, std::shared_ptr<Peer> peer) override;

  // A notification to every connected client, through the hub.
  void broadcast(const std::string& method, const rpc::Json& params);

  // For shutdown: every request in flight sees its token cancelled, and requests arriving
  // from now on are answered with RequestCancelled without running.
  void shutdown();
  void cancel_all() { in_flight_.cancel_all(); }
  std::size_t in_flight() const { return in_flight_.size(); }

 private:
  using Deliver = std::function<void(std::optional<rpc::Json>)>;
  // Handles one element (or the whole of a non-batch message); calls `deliver` exactly once.
  void handle_one(const rpc::Json& message, const std::shared_ptr<Peer>& peer, Deliver deliver);
  void handle_batch(const rpc::Json& batch, const std::shared_ptr<Peer>& peer);
  void cancel_request(const rpc::Json& params, const Peer& peer);

  const rpc::Dispatcher& dispatcher_;
  server::WorkerPool& pool_;
  server::NotificationHub& hub_;
  InFlightRequests in_flight_;
  std::atomic<bool> closing_{false};
};

}  // namespace vmscope::transport
