#include "transport/http_server.h"

#include <httplib.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <future>

#include "rpc/dispatcher.h"
#include "rpc/errors.h"
#include "transport/access_policy.h"
#include "transport/endpoint.h"
#include "transport/event_stream.h"
#include "transport/static_files.h"

namespace vmscope::transport {
namespace {

// How long an event stream waits for a notification before checking that its client is
// still connected and that the server is not stopping.
constexpr std::chrono::milliseconds kEventSlice{500};
// A body refused for its size is read and thrown away up to this multiple of the cap, so the
// 413 reaches the client and the connection stays usable; past that the connection is dropped.
constexpr std::uint64_t kDiscardFactor = 4;

// The client of one POST: its one response is what the HTTP thread waits for.
class HttpPeer : public Peer {
 public:
  explicit HttpPeer(std::string scope) : scope_(std::move(scope)), future_(promise_.get_future()) {}
  void reply(std::optional<std::string> response) override {
    if (!replied_.exchange(true)) promise_.set_value(std::move(response));
  }
  bool push(const std::string&) override { return false; }  // notifications go to /events
  std::string scope() const override { return scope_; }
  std::optional<std::string> wait() { return future_.get(); }

 private:
  const std::string scope_;
  std::atomic<bool> replied_{false};
  std::promise<std::optional<std::string>> promise_;
  std::future<std::optional<std::string>> future_;
};

bool is_json_content_type(std::string value) {
  for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  constexpr std::string_view kJson = "application/json";
  if (value.compare(0, kJson.size(), kJson) != 0) return false;
  return value.size() == kJson.size() || value[kJson.size()] == ';' || value[kJson.size()] == ' ';
}

std::string error_body(int code, const std::string& message) {
  return encode(rpc::Dispatcher::error_response(nullptr, rpc::error_object(code, message)));
}

// Reads and drops a request body the server refuses, so the connection stays in sync.
void discard_body(const httplib::ContentReader& read, std::uint64_t limit) {
  std::uint64_t seen = 0;
  read([&](const char*, std::size_t n) {
    seen += n;
    return seen <= limit;
  });
}

}  // namespace

struct HttpServer::Impl {
  Impl(HttpServerOptions o, server::NotificationHub& h) : options(std::move(o)), hub(h) {}

  // Whether the request may reach /rpc or /events; fills `res` when it may not.
  bool admit(const httplib::Request& req, httplib::Response& res) const {
    if (options.token.empty()) {
      // Only possible on a loopback bind (bind() checked): defend against DNS rebinding.
      if (host_header_is_loopback(req.get_header_value("Host"))) return true;
      res.status = 403;
      res.set_content("forbidden: this vmscope serves only requests addressed to a loopback host\n",
                      "text/plain");
      return false;
    }
    if (bearer_token_matches(req.get_header_value("Authorization"), options.token)) return true;
    res.status = 401;
    res.set_header("WWW-Authenticate", "Bearer realm=\"vmscope\"");
    res.set_content("missing or wrong bearer token\n", "text/plain");
    return false;
  }

  std::string scope(const httplib::Request& req) const {
    return "http:" + req.get_header_value("X-Vmscope-Client");
  }

  void post_rpc(MessageHandler& handler, const httplib::Request& req, httplib::Response& res,
                const httplib::ContentReader& read) {
    const std::uint64_t limit = options.max_message_bytes;
    if (!admit(req, res)) {
      discard_body(read, limit);
      return;
    }
    if (!is_json_content_type(req.get_header_value("Content-Type"))) {
      discard_body(read, limit);
      res.status = 415;
      res.set_content(error_body(rpc::kInvalidRequest, "Content-Type must be application/json"),
                      "application/json");
      return;
    }
    std::string body;
    std::uint64_t received = 0;
    bool over = false;
    bool complete = read([&](const char* data, std::size_t n) {
      received += n;
      if (!over && body.size() + n > limit) {
        over = true;
        std::string().swap(body);
      }
      if (over) return received <= kDiscardFactor * limit;
      body.append(data, n);
      return true;
    });
    auto peer = std::make_shared<HttpPeer>(scope(req));
    if (over || res.status == 413) {  // 413: httplib skipped a Content-Length over the cap
      std::uint64_t size = received;
      if (req.has_header("Content-Length")) {
        size = std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10);
      }
      handler.on_oversized(size, limit, peer);
      res.status = 413;
      res.set_content(peer->wait().value_or(""), "application/json");
      return;
    }
    if (!complete) {
      res.status = 400;
      res.set_content(error_body(rpc::kParseError, "incomplete request body"), "application/json");
      return;
    }
    handler.on_message(std::move(body), peer);
    std::optional<std::string> response = peer->wait();
    if (!response) {
      res.status = 204;  // notifications only
      return;
    }
    res.set_content(*response, "application/json");
  }

  void get_events(const httplib::Request& req, httplib::Response& res) {
    if (!admit(req, res)) return;
    if (stopping || ++event_clients > options.max_event_clients) {
      if (!stopping) --event_clients;
      res.status = 503;
      res.set_content("too many event clients\n", "text/plain");
      return;
    }
    // Subscribe before the response starts: once the client has read the opening, every
    // later notification is on its way to it.
    auto stream =
        std::make_shared<EventStream>(NotificationFeed(hub.subscribe()), options.keep_alive);
    auto opened = std::make_shared<bool>(false);
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, stream, opened](std::size_t, httplib::DataSink& sink) -> bool {
          if (!*opened) {
            *opened = true;
            std::string opening = EventStream::opening();
            return sink.write(opening.data(), opening.size());
          }
          while (!stopping) {
            EventStream::Chunk chunk = stream->next(kEventSlice);
            if (chunk.kind == EventStream::Chunk::Kind::kClosed) break;
            if (chunk.kind == EventStream::Chunk::Kind::kWrite) {
              return sink.write(chunk.text.data(), chunk.text.size());  // false: client gone
            }
            if (!sink.is_writable()) return false;  // the client went away while quiet
          }
          sink.done();
          return true;
        },
        [this, stream](bool) {
          stream->close();
          --event_clients;
        });
  }

  void get_file(const httplib::Request& req, httplib::Response& res) const {
    const std::string& path = req.path;
    bool api = path.rfind("/rpc/", 0) == 0 || path.rfind("/events/", 0) == 0;
    if (!files || api) {
      res.status = 404;
      res.set_content(files ? "not found\n"
                            : "no web frontend here: build frontend/web or pass --web-root DIR\n",
                      "text/plain");
      return;
    }
    Result<StaticFiles::File> file = files->get(path);
    if (!file.ok()) {
      res.status = file.error().code() == ErrorCode::kNotFound ? 404 : 500;
      res.set_content(file.error().code() == ErrorCode::kNotFound ? "not found\n" : "cannot read\n",
                      "text/plain");
      return;
    }
    if (file->fallback || file->content_type.rfind("text/html", 0) == 0) {
      res.set_header("Cache-Control", "no-cache");  // the app's entry point must stay fresh
    }
    res.set_content(file->content, file->content_type);
  }

  void add_routes(MessageHandler& handler) {
    server.Post("/rpc", [this, &handler](const httplib::Request& req, httplib::Response& res,
                                         const httplib::ContentReader& read) {
      post_rpc(handler, req, res, read);
    });
    server.Get("/rpc", [](const httplib::Request&, httplib::Response& res) {
      res.status = 405;
      res.set_header("Allow", "POST");
      res.set_content("POST JSON-RPC messages to /rpc\n", "text/plain");
    });
    server.Get("/events", [this](const httplib::Request& req, httplib::Response& res) {
      get_events(req, res);
    });
    server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"status":"ok"})", "application/json");
    });
    server.Get(".*",
               [this](const httplib::Request& req, httplib::Response& res) { get_file(req, res); });
  }

  const HttpServerOptions options;
  server::NotificationHub& hub;
  httplib::Server server;
  std::optional<StaticFiles> files;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> event_clients{0};
  bool bound = false;
};

HttpServer::HttpServer(HttpServerOptions options, server::NotificationHub& hub)
    : impl_(std::make_unique<Impl>(std::move(options), hub)) {
  std::size_t threads = impl_->options.request_threads + impl_->options.max_event_clients;
  impl_->server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  impl_->server.set_payload_max_length(impl_->options.max_message_bytes);
  // A JSON-RPC answer is one small write: with Nagle's algorithm on, it waits for the client's
  // delayed ACK (~40 ms per request on Linux; bench/rpc_load.py measured p50 43 ms -> 2.7 ms).
  impl_->server.set_tcp_nodelay(true);
}

HttpServer::~HttpServer() = default;

Result<int> HttpServer::bind() {
  const HttpServerOptions& options = impl_->options;
  VMSCOPE_CHECK(check_bind_policy(options.host, options.token));
  if (options.web_root) {
    VMSCOPE_TRY(StaticFiles files, StaticFiles::open(*options.web_root));
    impl_->files = std::move(files);
  }
  int port = options.port;
  if (port == 0) {
    port = impl_->server.bind_to_any_port(options.host);
  } else if (!impl_->server.bind_to_port(options.host, port)) {
    port = -1;
  }
  if (port < 0) {
    return Error(ErrorCode::kIo,
                 "cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " +
                     std::strerror(errno),
                 {.name = options.host});
  }
  impl_->bound = true;
  return port;
}

Status HttpServer::loop(MessageHandler& handler) {
  if (!impl_->bound) return Error(ErrorCode::kInternal, "HttpServer::loop before bind");
  impl_->add_routes(handler);
  if (impl_->stopping) return ok_status();
  if (!impl_->server.listen_after_bind()) {
    return Error(ErrorCode::kIo, "the HTTP server stopped accepting connections");
  }
  return ok_status();
}

void HttpServer::stop() {
  impl_->stopping = true;
  impl_->server.stop();
}

std::size_t HttpServer::event_clients() const {
  return impl_->event_clients;
}

}  // namespace vmscope::transport
