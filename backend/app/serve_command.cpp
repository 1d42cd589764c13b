#include "app/serve_command.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "rpc/dispatcher.h"
#include "rpc/method_table.h"
#include "rpc/receiver_notifications.h"
#include "server/dump_file_triage.h"
#include "server/notification_hub.h"
#include "server/receiver_service.h"
#include "server/session_registry.h"
#include "server/worker_pool.h"
#include "transport/endpoint.h"
#include "transport/http_server.h"
#include "transport/lsp_framing.h"
#include "transport/static_files.h"
#include "transport/stdio_transport.h"

namespace vmscope::app {
namespace {

constexpr std::string_view kUsage =
    "usage: vmscope serve [--stdio] [--http HOST:PORT] [--allow-dir DIR]... [--debug-dir DIR]\n"
    "                     [--web-root DIR] [--token T] [--workers N] [--max-message-bytes N]\n"
    "                     [--test-methods]\n"
    "                     [--receive DIR [--receive-address A] [--dump-port N|off] [--hosts FILE]\n"
    "                                    [--netconsole-port N|off] [--syslog-port N|off]]\n";
constexpr int kDefaultPort = 7151;
// How often the main thread, waiting for a signal, checks whether the stdio client left.
constexpr std::chrono::milliseconds kSignalPoll{100};

Result<std::size_t> parse_size(const std::string& option, const std::string& text,
                               std::size_t min) {
  std::size_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min) {
    return Error(ErrorCode::kInvalidArgument,
                 option + " needs a whole number of at least " + std::to_string(min) + ", got '" +
                     text + "'",
                 {.name = option});
  }
  return value;
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

int usage_error(const std::string& message) {
  std::cerr << "vmscope serve: " << message << "\n" << kUsage;
  return 2;
}

}  // namespace

Result<ListenAddress> parse_listen_address(std::string_view text) {
  auto invalid = [&] {
    return Error(
        ErrorCode::kInvalidArgument,
        "--http needs HOST:PORT such as 127.0.0.1:7151 or [::1]:0, got '" + std::string(text) + "'",
        {.name = "--http"});
  };
  ListenAddress address;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return invalid();
    }
    address.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) return invalid();
    address.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), address.port);
  if (address.host.empty() || port_text.empty() || error != std::errc() ||
      end != port_text.data() + port_text.size() || address.port < 0 || address.port > 65535) {
    return invalid();
  }
  return address;
}

Result<ServeOptions> parse_serve_options(const CommandLine& line,
                                         const char* token_from_environment) {
  if (!line.positional.empty()) {
    return Error(ErrorCode::kInvalidArgument, "unexpected argument '" + line.positional[0] + "'");
  }
  for (const char* call_only : {"--core", "--vmlinux"}) {
    if (line.has(call_only)) {
      return Error(ErrorCode::kInvalidArgument,
                   std::string(call_only) +
                       " belongs to `vmscope call`; a server opens dumps "
                       "with dump/open",
                   {.name = call_only});
    }
  }
  ServeOptions options;
  options.stdio = line.has("--stdio");
  if (line.has("--http")) {
    VMSCOPE_TRY(options.http, parse_listen_address(line.get("--http")));
  } else if (!options.stdio) {
    options.http = ListenAddress{"127.0.0.1", kDefaultPort};
  }
  if (auto it = line.options.find("--allow-dir"); it != line.options.end()) {
    options.allow_dirs = it->second;
  }
  options.debug_dir = line.get("--debug-dir");
  if (line.has("--web-root")) options.web_root = line.get("--web-root");
  options.token = line.get("--token", token_from_environment ? token_from_environment : "");
  options.workers = server::WorkerPool::default_threads();
  if (line.has("--workers")) {
    VMSCOPE_TRY(options.workers, parse_size("--workers", line.get("--workers"), 0));
  }
  options.max_message_bytes = transport::kDefaultMaxMessageBytes;
  if (line.has("--max-message-bytes")) {
    VMSCOPE_TRY(options.max_message_bytes,
                parse_size("--max-message-bytes", line.get("--max-message-bytes"), 1));
  }
  options.test_methods = line.has("--test-methods");
  if (line.has("--receive")) {
    VMSCOPE_TRY(options.receive,
                parse_receive_options(line, line.get("--receive"), may_bind_privileged_ports()));
  } else {
    for (const std::string& option : receive_value_options()) {
      if (line.has(option)) {
        return Error(ErrorCode::kInvalidArgument, option + " needs --receive DIR",
                     {.name = option});
      }
    }
  }
  return options;
}

int run_serve(const CommandLine& line) {
  Result<ServeOptions> parsed = parse_serve_options(line, std::getenv("VMSCOPE_TOKEN"));
  if (!parsed.ok()) return usage_error(parsed.error().message());
  const ServeOptions& options = *parsed;
  if (!options.debug_dir.empty() && !std::filesystem::is_directory(options.debug_dir)) {
    return usage_error("--debug-dir " + options.debug_dir + " is not a directory");
  }

  // Signals are taken by sigtimedwait() on this thread only: block them before any thread
  // starts, so every thread inherits the mask. A client that hangs up must not kill us.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  const auto started = std::chrono::steady_clock::now();
  std::vector<std::string> allowed_dirs = options.allow_dirs;
  if (options.receive) {
    // Received dumps are opened from the receiver's directory (made now, so it resolves).
    std::error_code ignored;  // the receiver reports a directory it cannot use
    std::filesystem::create_directories(options.receive->dump_dir, ignored);
    allowed_dirs.push_back(options.receive->dump_dir.string());
  }
  // --debug-dir is where dump/open finds a vmlinux when a request names none.
  server::SessionRegistry sessions(
      {.allowed_dirs = allowed_dirs, .default_debug_dir = options.debug_dir});
  server::NotificationHub hub({});
  server::WorkerPool pool({.threads = options.workers});
  rpc::Dispatcher dispatcher;
  transport::Endpoint endpoint(dispatcher, pool, hub);
  // The receiver: catalogued dumps for dump/list and dump/open, events to every client. Declared
  // before the status probe that reads its counters; the notifier outlives the service.
  rpc::ReceiverNotifier notifier(hub);
  std::unique_ptr<server::ReceiverService> receiver;
  rpc::MethodEnvironment environment{
      .sessions = &sessions,
      .status =
          [&] {
            server::WorkerPool::Stats work = pool.stats();
            server::NotificationHub::Stats notifications = hub.stats();
            return rpc::ServerStatus{
                .uptime = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - started),
                .open_dumps = sessions.list().size(),
                .in_flight_requests = endpoint.in_flight(),
                .workers = work.threads,
                .queued_requests = work.queued,
                .rejected_requests = work.rejected,
                .event_subscribers = notifications.subscribers,
                .notifications_published = notifications.published,
                .notifications_dropped = notifications.dropped,
                .receiver_dump_dir = receiver ? std::optional(receiver->dump_dir()) : std::nullopt,
                .receiver = receiver ? std::optional(receiver->stats()) : std::nullopt};
          },
      .test_methods = options.test_methods};
  if (options.receive) {
    auto service_options = receiver_service_options(*options.receive);
    if (!service_options.ok()) return usage_error(service_options.error().message());
    // Each finished dump is triaged as dump/open would open it: the vmlinux of its build from
    // --debug-dir. Off the ingest's threads (server/received_dump_triage.h).
    service_options->triage = [debug_dir = options.debug_dir](const CatalogEntry& entry,
                                                              const CancellationToken& cancel) {
      return server::triage_dump_file({.core = entry.vmcore.string(), .debug_dir = debug_dir},
                                      cancel);
    };
    auto service =
        server::ReceiverService::start(std::move(*service_options), notifier.observers());
    if (!service.ok()) {
      std::cerr << "vmscope serve: receiver: " << service.error().message() << '\n';
      return 1;
    }
    receiver = std::move(*service);
  }
  environment.receiver = receiver.get();
  rpc::register_all_methods(dispatcher, environment);

  std::optional<transport::HttpServer> http;
  if (options.http) {
    transport::HttpServerOptions http_options{.host = options.http->host,
                                              .port = options.http->port,
                                              .token = options.token,
                                              .max_message_bytes = options.max_message_bytes};
    if (options.web_root) {
      http_options.web_root = *options.web_root;
    } else {
      std::error_code error;
      auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
      if (!error) http_options.web_root = transport::find_default_web_root(executable);
    }
    http.emplace(std::move(http_options), hub);
    Result<int> port = http->bind();
    if (!port.ok()) {
      std::cerr << "vmscope serve: " << port.error().message() << '\n';
      return 1;
    }
    std::cerr << "vmscope: listening on http://" << url_host(options.http->host) << ':' << *port
              << "/\n"
              << std::flush;
  }
  if (receiver) announce_receiver(std::cerr, *options.receive, receiver->ports());

  // A transport's loop ending on its own (stdin closed, a failed socket) ends the server.
  std::atomic<bool> finished{false};
  std::atomic<int> exit_code{0};
  auto run = [&](transport::Transport& transport, const char* name) {
    Status status = transport.loop(endpoint);
    if (!status.ok()) {
      std::cerr << "vmscope serve: " << name << ": " << status.error().message() << '\n';
      exit_code = 1;
    }
    finished = true;
  };
  std::thread http_thread;
  if (http) http_thread = std::thread(run, std::ref(*http), "http");
  std::optional<transport::StdioTransport> stdio;
  std::thread stdio_thread;
  if (options.stdio) {
    stdio.emplace(
        transport::StdioTransport::Options{
            .in_fd = 0, .out_fd = 1, .max_message_bytes = options.max_message_bytes},
        &hub);
    stdio_thread = std::thread(run, std::ref(*stdio), "stdio");
  }

  const timespec poll_interval{0, std::chrono::nanoseconds(kSignalPoll).count()};
  while (!finished) {
    int signal_number = sigtimedwait(&stop_signals, nullptr, &poll_interval);
    if (signal_number == SIGINT || signal_number == SIGTERM) break;
  }

  // Shut down in dependency order: no new messages; every request cancelled and answered
  // (an HTTP thread waits for its reply, so the pool keeps running until the transports are
  // done); then the pool drains and the event streams end.
  if (receiver) receiver->stop();  // open dump sessions end now; their last events go out
  if (http) http->stop();
  if (stdio) stdio->stop();
  endpoint.shutdown();
  if (http_thread.joinable()) http_thread.join();
  if (stdio_thread.joinable()) stdio_thread.join();
  pool.shutdown();
  hub.close();
  std::cerr << "vmscope: stopped\n";
  return exit_code;
}

}  // namespace vmscope::app
