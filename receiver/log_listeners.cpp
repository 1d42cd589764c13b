#include "receiver/log_listeners.h"

#include <array>
#include <asio.hpp>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "receiver/log_file_sink.h"
#include "receiver/syslog_tcp_framer.h"

namespace vmscope {
namespace {

using asio::ip::tcp;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxDatagram = 65536;
constexpr std::size_t kTcpReadChunk = 16384;
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

std::string address_text(const asio::ip::address& address) {
  std::error_code ec;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string(ec);
  }
  return address.to_string(ec);
}

// The netconsole reassembly key: one sending socket.
std::string sender_name(const std::string& host, std::uint16_t port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

// The inverse of sender_name(), for records the assembler flushes on its own.
std::pair<std::string, std::uint16_t> split_sender(const std::string& sender) {
  std::size_t colon = sender.rfind(':');
  std::string host = sender.substr(0, colon);
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  unsigned long port =
      colon == std::string::npos ? 0 : std::strtoul(sender.c_str() + colon + 1, nullptr, 10);
  return {host, static_cast<std::uint16_t>(port)};
}

std::string_view without_trailers(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == '\0')) {
    text.remove_suffix(1);
  }
  return text;
}

// One syslog TCP connection; shared by the pending read and the connection table.
struct TcpConnection {
  explicit TcpConnection(tcp::socket s, std::size_t max_message)
      : socket(std::move(s)), framer(max_message) {}
  tcp::socket socket;
  SyslogTcpFramer framer;
  std::array<char, kTcpReadChunk> buffer{};
  std::string host;
  std::uint16_t port = 0;
  Clock::time_point last_activity;
};

}  // namespace

struct LogListeners::Impl {
  Impl(LogListenerConfig c, LogCallback cb)
      : config(std::move(c)),
        callback(std::move(cb)),
        housekeeping(io),
        accept_retry(io),
        assembler(config.netconsole_mode, config.netconsole),
        limiter(config.rate) {
    if (!config.dump_dir.empty()) sink.emplace(config.dump_dir);
  }

  Status open_listeners();
  void run();
  void shutdown();

  void receive_netconsole();
  void receive_syslog_udp();
  void accept_tcp();
  void read_tcp(const std::shared_ptr<TcpConnection>& connection);
  void close_tcp(const std::shared_ptr<TcpConnection>& connection);
  void schedule_housekeeping();

  void deliver_netconsole(const std::string& host, std::uint16_t port, NetconsoleRecord record,
                          Clock::time_point now);
  void deliver_syslog(LogEvent::Source source, const std::string& host, std::uint16_t port,
                      std::string_view text, Clock::time_point now);
  void deliver(LogEvent event, LogKind kind);
  void note_error(std::uint64_t& counter, std::string message);
  LogListenerStats snapshot_locked() const;

  LogListenerConfig config;
  LogCallback callback;

  // The io_context outlives every socket and timer below (members die in reverse order).
  asio::io_context io;
  std::optional<udp::socket> netconsole;
  std::optional<udp::socket> syslog_udp;
  std::optional<tcp::acceptor> acceptor;
  asio::steady_timer housekeeping;
  asio::steady_timer accept_retry;
  std::unordered_map<TcpConnection*, std::shared_ptr<TcpConnection>> connections;

  std::array<char, kMaxDatagram> netconsole_buffer{};
  udp::endpoint netconsole_from;
  std::array<char, kMaxDatagram> syslog_buffer{};
  udp::endpoint syslog_from;

  // Guards everything below. Held by the I/O thread for the whole of each handler (callback
  // included), and by stats(); recursive so that a callback may call stats().
  mutable std::recursive_mutex state_mutex;
  NetconsoleAssembler assembler;
  HostRateLimiter limiter;
  std::optional<LogFileSink> sink;
  LogListenerStats counters;
  bool stopping = false;

  std::uint16_t netconsole_port = 0;
  std::uint16_t syslog_udp_port = 0;
  std::uint16_t syslog_tcp_port = 0;

  std::thread thread;
  std::mutex stop_mutex;  // serialises stop()
};

Status LogListeners::Impl::open_listeners() {
  std::error_code ec;
  asio::ip::address address = asio::ip::make_address(config.address, ec);
  if (ec) {
    return Error(ErrorCode::kInvalidArgument, "not an IP address: \"" + config.address + "\"");
  }
  auto bind_error = [&](std::string_view what, std::uint16_t port) {
    return Error(ErrorCode::kIo, "cannot listen for " + std::string(what) + " on " +
                                     config.address + " port " + std::to_string(port) + ": " +
                                     ec.message());
  };
  auto open_udp = [&](std::optional<udp::socket>& socket, std::uint16_t port,
                      std::uint16_t& bound) -> Status {
    udp::endpoint endpoint(address, port);
    socket.emplace(io);
    if (socket->open(endpoint.protocol(), ec)) return bind_error("UDP", port);
    if (address.is_v6()) socket->set_option(asio::ip::v6_only(false), ec);
    socket->set_option(asio::socket_base::receive_buffer_size(config.receive_buffer_bytes), ec);
    if (socket->bind(endpoint, ec)) return bind_error("UDP", port);
    bound = socket->local_endpoint(ec).port();
    return ok_status();
  };
  if (config.netconsole_port) {
    VMSCOPE_CHECK(open_udp(netconsole, *config.netconsole_port, netconsole_port));
  }
  if (config.syslog_udp_port) {
    VMSCOPE_CHECK(open_udp(syslog_udp, *config.syslog_udp_port, syslog_udp_port));
  }
  if (config.syslog_tcp_port) {
    tcp::endpoint endpoint(address, *config.syslog_tcp_port);
    acceptor.emplace(io);
    if (acceptor->open(endpoint.protocol(), ec)) return bind_error("TCP", endpoint.port());
    acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (address.is_v6()) acceptor->set_option(asio::ip::v6_only(false), ec);
    if (acceptor->bind(endpoint, ec)) return bind_error("TCP", endpoint.port());
    if (acceptor->listen(asio::socket_base::max_listen_connections, ec)) {
      return bind_error("TCP", endpoint.port());
    }
    syslog_tcp_port = acceptor->local_endpoint(ec).port();
  }
  return ok_status();
}

void LogListeners::Impl::run() {
  if (netconsole) receive_netconsole();
  if (syslog_udp) receive_syslog_udp();
  if (acceptor) accept_tcp();
  schedule_housekeeping();
  // A handler that throws (only bad_alloc or a to_string failure could) must not end the
  // thread: count it and keep serving.
  while (true) {
    try {
      io.run();
      return;
    } catch (const std::exception& e) {
      std::lock_guard lock(state_mutex);
      note_error(counters.socket_errors, std::string("internal: ") + e.what());
    } catch (...) {
      std::lock_guard lock(state_mutex);
      note_error(counters.socket_errors, "internal: unknown exception");
    }
  }
}

void LogListeners::Impl::note_error(std::uint64_t& counter, std::string message) {
  ++counter;
  counters.last_error = std::move(message);
}

void LogListeners::Impl::receive_netconsole() {
  netconsole->async_receive_from(
      asio::buffer(netconsole_buffer), netconsole_from, [this](std::error_code ec, std::size_t n) {
        std::lock_guard lock(state_mutex);
        if (stopping || ec == asio::error::operation_aborted) return;
        if (ec) {
          note_error(counters.socket_errors, "netconsole receive: " + ec.message());
        } else {
          ++counters.netconsole_datagrams;
          Clock::time_point now = Clock::now();
          std::string host = address_text(netconsole_from.address());
          std::uint16_t port = netconsole_from.port();
          auto records = assembler.feed(sender_name(host, port),
                                        std::string_view(netconsole_buffer.data(), n), now);
          for (auto& record : records) deliver_netconsole(host, port, std::move(record), now);
        }
        receive_netconsole();
      });
}

void LogListeners::Impl::receive_syslog_udp() {
  syslog_udp->async_receive_from(
      asio::buffer(syslog_buffer), syslog_from, [this](std::error_code ec, std::size_t n) {
        std::lock_guard lock(state_mutex);
        if (stopping || ec == asio::error::operation_aborted) return;
        if (ec) {
          note_error(counters.socket_errors, "syslog receive: " + ec.message());
        } else {
          ++counters.syslog_datagrams;
          deliver_syslog(LogEvent::Source::kSyslogUdp, address_text(syslog_from.address()),
                         syslog_from.port(), std::string_view(syslog_buffer.data(), n),
                         Clock::now());
        }
        receive_syslog_udp();
      });
}

void LogListeners::Impl::accept_tcp() {
  acceptor->async_accept([this](std::error_code ec, tcp::socket socket) {
    std::lock_guard lock(state_mutex);
    if (stopping || ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of descriptors and similar: wait a little instead of spinning on the error.
      note_error(counters.socket_errors, "syslog accept: " + ec.message());
      accept_retry.expires_after(kAcceptRetryDelay);
      accept_retry.async_wait([this](std::error_code wait_ec) {
        std::lock_guard retry_lock(state_mutex);
        if (!wait_ec && !stopping) accept_tcp();
      });
      return;
    }
    if (connections.size() >= config.max_tcp_connections) {
      ++counters.tcp_rejected;
      socket.close(ec);
    } else {
      ++counters.tcp_accepted;
      auto connection =
          std::make_shared<TcpConnection>(std::move(socket), config.max_syslog_message);
      tcp::endpoint peer = connection->socket.remote_endpoint(ec);
      connection->host = ec ? std::string("unknown") : address_text(peer.address());
      connection->port = ec ? 0 : peer.port();
      connection->last_activity = Clock::now();
      connections.emplace(connection.get(), connection);
      read_tcp(connection);
    }
    accept_tcp();
  });
}

void LogListeners::Impl::read_tcp(const std::shared_ptr<TcpConnection>& connection) {
  connection->socket.async_read_some(
      asio::buffer(connection->buffer), [this, connection](std::error_code ec, std::size_t n) {
        std::lock_guard lock(state_mutex);
        if (stopping || ec == asio::error::operation_aborted) return;
        Clock::time_point now = Clock::now();
        if (ec) {
          if (ec == asio::error::eof) {
            if (auto last = connection->framer.finish()) {
              deliver_syslog(LogEvent::Source::kSyslogTcp, connection->host, connection->port,
                             *last, now);
            }
          }
          close_tcp(connection);
          return;
        }
        connection->last_activity = now;
        std::uint64_t oversized_before = connection->framer.oversized();
        auto messages = connection->framer.feed(std::string_view(connection->buffer.data(), n));
        counters.syslog_oversized += connection->framer.oversized() - oversized_before;
        if (!messages.ok()) {
          ++counters.tcp_framing_errors;
          limiter.note_malformed(connection->host, now);
          close_tcp(connection);
          return;
        }
        for (const std::string& message : *messages) {
          deliver_syslog(LogEvent::Source::kSyslogTcp, connection->host, connection->port, message,
                         now);
        }
        read_tcp(connection);
      });
}

void LogListeners::Impl::close_tcp(const std::shared_ptr<TcpConnection>& connection) {
  std::error_code ec;
  connection->socket.shutdown(tcp::socket::shutdown_both, ec);
  connection->socket.close(ec);
  connections.erase(connection.get());
}

void LogListeners::Impl::schedule_housekeeping() {
  housekeeping.expires_after(config.housekeeping_interval);
  housekeeping.async_wait([this](std::error_code ec) {
    std::lock_guard lock(state_mutex);
    if (stopping || ec) return;
    Clock::time_point now = Clock::now();
    for (auto& record : assembler.expire(now)) {
      auto [host, port] = split_sender(record.sender);
      deliver_netconsole(host, port, std::move(record), now);
    }
    std::vector<std::shared_ptr<TcpConnection>> idle;
    for (auto& [raw, connection] : connections) {
      if (now - connection->last_activity >= config.tcp_idle_timeout) idle.push_back(connection);
    }
    for (auto& connection : idle) {
      ++counters.tcp_idle_closed;
      close_tcp(connection);
    }
    schedule_housekeeping();
  });
}

void LogListeners::Impl::deliver_netconsole(const std::string& host, std::uint16_t port,
                                            NetconsoleRecord record, Clock::time_point now) {
  if (!limiter.admit(host, now)) {
    ++counters.rate_dropped;
    return;
  }
  LogEvent event;
  event.source = LogEvent::Source::kNetconsole;
  event.host = host;
  event.port = port;
  event.line = netconsole_log_line(record);
  event.record = std::move(record);
  deliver(std::move(event), LogKind::kNetconsole);
}

void LogListeners::Impl::deliver_syslog(LogEvent::Source source, const std::string& host,
                                        std::uint16_t port, std::string_view text,
                                        Clock::time_point now) {
  if (!limiter.admit(host, now)) {
    ++counters.rate_dropped;
    return;
  }
  LogEvent event;
  event.source = source;
  event.host = host;
  event.port = port;
  event.line = std::string(without_trailers(text));
  event.record = parse_syslog(text);
  deliver(std::move(event), LogKind::kSyslog);
}

void LogListeners::Impl::deliver(LogEvent event, LogKind kind) {
  ++counters.records;
  if (sink) {
    Status written = sink->append(event.host, kind, event.line);
    if (!written.ok()) note_error(counters.file_errors, written.error().to_string());
  }
  if (!callback) return;
  try {
    callback(event);
  } catch (...) {
    ++counters.callback_errors;
  }
}

void LogListeners::Impl::shutdown() {
  std::lock_guard lock(state_mutex);
  if (stopping) return;
  // Partial plain lines are records too: deliver them before the sockets go.
  for (auto& record : assembler.expire(Clock::time_point::max())) {
    auto [host, port] = split_sender(record.sender);
    deliver_netconsole(host, port, std::move(record), Clock::now());
  }
  stopping = true;
  std::error_code ec;
  if (netconsole) netconsole->close(ec);
  if (syslog_udp) syslog_udp->close(ec);
  if (acceptor) acceptor->close(ec);
  for (auto& [raw, connection] : connections) connection->socket.close(ec);
  connections.clear();
  housekeeping.cancel();
  accept_retry.cancel();
  io.stop();
}

LogListenerStats LogListeners::Impl::snapshot_locked() const {
  std::lock_guard lock(state_mutex);
  LogListenerStats out = counters;
  out.tcp_open = connections.size();
  out.netconsole = assembler.stats();
  out.hosts = limiter.snapshot();
  return out;
}

Result<std::unique_ptr<LogListeners>> LogListeners::start(LogListenerConfig config,
                                                          LogCallback callback) {
  try {
    auto impl = std::make_unique<Impl>(std::move(config), std::move(callback));
    VMSCOPE_CHECK(impl->open_listeners());
    Impl* raw = impl.get();
    raw->thread = std::thread([raw] { raw->run(); });
    return std::unique_ptr<LogListeners>(new LogListeners(std::move(impl)));
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInternal, std::string("cannot start the log listeners: ") + e.what());
  }
}

LogListeners::LogListeners(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LogListeners::~LogListeners() {
  stop();
}

void LogListeners::stop() {
  if (std::this_thread::get_id() == impl_->thread.get_id()) {
    // From the callback (which the header forbids): close everything, the join comes later.
    impl_->shutdown();
    return;
  }
  std::lock_guard lock(impl_->stop_mutex);
  if (!impl_->thread.joinable()) return;
  asio::post(impl_->io, [impl = impl_.get()] { impl->shutdown(); });
  impl_->thread.join();
}

std::uint16_t LogListeners::netconsole_port() const {
  return impl_->netconsole_port;
}
std::uint16_t LogListeners::syslog_udp_port() const {
  return impl_->syslog_udp_port;
}
std::uint16_t LogListeners::syslog_tcp_port() const {
  return impl_->syslog_tcp_port;
}

LogListenerStats LogListeners::stats() const {
  return impl_->snapshot_locked();
}

}  // namespace vmscope
