// JSON-RPC over a pair of file descriptors with LSP Content-Length framing: `vmscope serve
// --stdio`, how the VS Code extension talks to the server. One client, one connection: its
// request ids form the scope "stdio" for $/cancelRequest.
//
// What goes out, all framed and written whole under one lock, so messages never interleave:
// replies (from worker threads), this client's own $/progress (pushed directly, so it
// precedes the reply), and the hub's notifications for everyone (from a pump thread, through
// a bounded queue: a client that does not read loses notifications, never stalls the server's
// other clients). When the output is gone (EPIPE), writes are dropped.
//
// Threading: loop() runs on one thread; stop() may be called from any thread and makes loop()
// return within one poll. Replies may still be written after loop() returned, until the
// requests in flight finish; the descriptors must stay open until then.
#pragma once

#include <atomic>
#include <cstddef>

#include "server/notification_hub.h"
#include "transport/lsp_framing.h"
#include "transport/transport.h"

namespace vmscope::transport {

class StdioTransport : public Transport {
 public:
  struct Options {
    int in_fd = 0;
    int out_fd = 1;
    std::size_t max_message_bytes = kDefaultMaxMessageBytes;
  };

  // `hub` may be null (no broadcast notifications for this client).
  StdioTransport(Options options, server::NotificationHub* hub);
  ~StdioTransport() override;
  StdioTransport(const StdioTransport&) = delete;
  StdioTransport& operator=(const StdioTransport&) = delete;

  // Returns at EOF on the input, on stop(), or with kIo when reading fails.
  Status loop(MessageHandler& handler) override;
  void stop() override;

 private:
  const Options options_;
  server::NotificationHub* const hub_;
  int wake_read_ = -1;  // a pipe stop() writes to, so poll() wakes up
  int wake_write_ = -1;
  std::atomic<bool> stopping_{false};
};

}  // namespace vmscope::transport
