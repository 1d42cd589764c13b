// How a connection meets the request handling, the same for every transport (clangd's
// Transport.h is the model). A transport reads bytes, frames them into messages and hands each
// to one MessageHandler (transport/endpoint.h, shared by stdio and HTTP) with the Peer the
// message came from; the handler answers through that Peer. Framing, size caps and sockets
// live in the transports and nowhere else; JSON-RPC semantics live in the endpoint.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "support/result.h"

namespace vmscope::transport {

// One client, as the request handling sees it.
class Peer {
 public:
  virtual ~Peer() = default;

  // The answer to one message the transport handed over: the handler calls it exactly once
  // per message, with nothing when no response is due (notifications only). May be called
  // from any thread, after on_message() returned.
  virtual void reply(std::optional<std::string> response) = 0;

  // Sends a notification (an encoded JSON-RPC message) straight to this client, ordered with
  // its replies. False when this client cannot be pushed to this way (an HTTP POST has only
  // its one response); the notification then reaches it, if at all, by broadcast. Thread-safe.
  virtual bool push(const std::string& notification) = 0;

  // Request ids are unique within a scope (one stdio connection; one HTTP client name), which
  // is where $/cancelRequest looks them up.
  virtual std::string scope() const = 0;

  // The notification-hub subscription that also feeds this client, so a notification pushed
  // directly is not broadcast to it a second time. 0: none.
  virtual std::uint64_t subscription_id() const { return 0; }
};

// Receives every message a transport reads.
class MessageHandler {
 public:
  virtual ~MessageHandler() = default;
  // `text` is one whole message (a request, a notification or a batch), not yet parsed.
  // Returns without waiting for request work; the answer goes to `peer->reply()` once.
  virtual void on_message(std::string text, std::shared_ptr<Peer> peer) = 0;
  // The transport refused a message of `size` bytes (over its cap of `limit`) without
  // reading it; the handler answers with the protocol's error.
  virtual void on_oversized(std::uint64_t size, std::uint64_t limit,
                            std::shared_ptr<Peer> peer) = 0;
  // The transport could not frame the input (bad headers); the handler answers.
  virtual void on_unframeable(const std::string& why, std::shared_ptr<Peer> peer) = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Reads messages and hands them to `handler` until the client hangs up or stop() is
  // called. Ok on a clean end (EOF, stop); an error when the transport itself failed.
  virtual Status loop(MessageHandler& handler) = 0;
  // Makes loop() return soon. Thread-safe and idempotent.
  virtual void stop() = 0;
};

}  // namespace vmscope::transport
