// `vmscope serve`: the long-running server.
//
//   vmscope serve [--stdio] [--http HOST:PORT] [--allow-dir DIR]... [--debug-dir DIR]
//                 [--web-root DIR] [--token T] [--workers N] [--max-message-bytes N]
//                 [--test-methods] [--receive DIR [receiver options]]
//
// --stdio serves one client on stdin/stdout (LSP framing) and exits when stdin closes;
// --http serves HTTP (port 0 picks a free port); with neither, HTTP on 127.0.0.1:7151. Both
// may run at once, sharing one dispatcher, worker pool and notification hub. "vmscope:
// listening on http://HOST:PORT/" goes to stderr once the socket is bound (stdout may be the
// stdio channel). The token also comes from VMSCOPE_TOKEN. SIGINT/SIGTERM shut down cleanly:
// requests in flight are cancelled and answered, event streams end, then the process exits 0.
//
// --receive DIR also runs the receiver (app/receive_command.h lists its options): dumps,
// netconsole and syslog from other machines are written under DIR, catalogued, listed and
// opened through dump/list and dump/open, and every event is pushed to every client as a
// receiver/* notification. DIR is added to the directories dumps may be opened from.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/command_line.h"
#include "app/receive_command.h"
#include "support/result.h"

namespace vmscope::app {

struct ListenAddress {
  std::string host;  // without brackets: "127.0.0.1", "::1"
  int port = 0;
};

struct ServeOptions {
  bool stdio = false;
  std::optional<ListenAddress> http;
  std::vector<std::string> allow_dirs;
  std::string debug_dir;
  std::optional<std::string> web_root;  // --web-root; otherwise found next to the binary
  std::string token;
  std::size_t workers = 0;
  std::size_t max_message_bytes = 0;
  bool test_methods = false;
  std::optional<ReceiveOptions> receive;  // --receive DIR
};

// "127.0.0.1:7151", "[::1]:0", "localhost:8080".
Result<ListenAddress> parse_listen_address(std::string_view text);

// `token_from_environment` is VMSCOPE_TOKEN's value (null when unset); --token wins.
Result<ServeOptions> parse_serve_options(const CommandLine& line,
                                         const char* token_from_environment);

int run_serve(const CommandLine& line);

}  // namespace vmscope::app
