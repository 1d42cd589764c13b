// JSON-RPC over HTTP (cpp-httplib), for browsers and bots:
//   POST /rpc      one message (request, notification or batch) per POST, Content-Type
//                  application/json (else 415). The response is the JSON-RPC response
//                  (HTTP 200) or 204 when none is due. A body over the cap gets 413 and a
//                  LimitExceeded error, and is skipped, not stored. The optional
//                  X-Vmscope-Client header names the client: its request ids form the
//                  scope $/cancelRequest looks in (without it, one shared scope).
//   GET /events    Server-Sent Events: every notification the server publishes, one event
//                  each, to every connected client, each through its own bounded queue
//                  (transport/event_stream.h). At most max_event_clients at once (503).
//   GET /healthz   {"status":"ok"}, without authentication.
//   GET anything else: the web frontend (transport/static_files.h), when a web root is set.
// Access (transport/access_policy.h): loopback by default; another address needs a token,
// and a token, once set, is required on /rpc and /events (401).
//
// Threading: bind(), then loop() on one thread; stop() from any thread makes loop() return
// once the requests being served are answered and the event streams have ended (within a
// second). Each connection is served on a thread of the server's own pool.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "server/notification_hub.h"
#include "transport/lsp_framing.h"
#include "transport/transport.h"

namespace vmscope::transport {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 7151;    // 0: any free port (bind() says which)
  std::string token;  // empty: none (allowed on loopback only)
  std::optional<std::filesystem::path> web_root;
  std::size_t max_message_bytes = kDefaultMaxMessageBytes;
  std::size_t max_event_clients = 64;
  std::chrono::milliseconds keep_alive{15000};  // SSE comment when an event stream is quiet
  std::size_t request_threads = 16;             // connection threads besides those of event streams
};

class HttpServer : public Transport {
 public:
  HttpServer(HttpServerOptions options, server::NotificationHub& hub);
  ~HttpServer() override;
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Checks the access policy and the web root, binds the socket; returns the bound port.
  Result<int> bind();
  Status loop(MessageHandler& handler) override;
  void stop() override;

  std::size_t event_clients() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vmscope::transport
