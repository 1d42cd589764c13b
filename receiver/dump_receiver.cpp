#include "receiver/dump_receiver.h"

#include <sys/socket.h>
#include <sys/statvfs.h>

#include <array>
#include <asio.hpp>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "receiver/dump_packet_gate.h"

namespace vmscope {
namespace {

using asio::ip::udp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxDatagram = 65536;
constexpr int kDrainPerWakeup = 256;  // datagrams read per wakeup before yielding to the loop
constexpr const char* kSeenFile = ".sessions-seen";

std::string address_text(const asio::ip::address& address) {
  std::error_code ec;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string(ec);
  }
  return address.to_string(ec);
}

std::int64_t utc_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct ConsoleLine {
  std::string address;
  std::string line;
};

using WorkItem = std::variant<StartSessionAction, DeliverAction, ConsoleLine>;

std::set<SessionKey> load_seen(const std::filesystem::path& path) {
  std::set<SessionKey> seen;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    unsigned long long host = 0, session = 0;
    if (std::sscanf(line.c_str(), "%llx %llx", &host, &session) == 2) seen.insert({host, session});
  }
  return seen;
}

}  // namespace

struct DumpReceiver::Impl {
  Impl(DumpReceiverConfig c, DumpEventCallback e)
      : config(std::move(c)),
        events(std::move(e)),
        gate(config.hosts,
             DumpGateLimits{config.max_sessions_per_host, config.max_sessions,
                            config.max_bytes_per_host, config.held_max_packets,
                            config.held_max_bytes, config.held_max_age, config.late_window},
             load_seen(config.dump_dir / kSeenFile)),
        hooks(config.dump_dir / "scripts", config.hook_timeout),
        socket(io) {
    config.session.dump_dir = config.dump_dir;
  }

  Status open_socket();
  void receive();
  void on_datagram(std::size_t n, const udp::endpoint& from);
  void enqueue(std::vector<GateAction>& actions);
  void writer_loop();
  void handle(WorkItem& item, std::map<SessionKey, std::unique_ptr<DumpSession>>& sessions);
  void finish_sessions(std::map<SessionKey, std::unique_ptr<DumpSession>>& sessions, bool all);
  bool disk_low();

  DumpReceiverConfig config;
  DumpEventCallback events;

  // Network side. gate_mutex guards the gate (the writer thread reports finished sessions).
  mutable std::mutex gate_mutex;
  DumpPacketGate gate;
  HookRunner hooks;
  asio::io_context io;
  udp::socket socket;
  std::array<std::byte, kMaxDatagram> buffer{};
  udp::endpoint from;
  std::vector<GateAction> actions;
  std::uint16_t bound_port = 0;

  // The queue between the threads.
  mutable std::mutex queue_mutex;
  std::condition_variable queue_changed;
  std::deque<WorkItem> queue;
  std::size_t queue_packets = 0;
  std::size_t queue_bytes = 0;
  std::size_t queue_high_water = 0;
  bool queue_closed = false;

  // Writer-side results, guarded by stats_mutex.
  mutable std::mutex stats_mutex;
  std::uint64_t sessions_started = 0, sessions_completed = 0, sessions_incomplete = 0;
  std::uint64_t session_start_errors = 0, console_lines_dropped = 0, socket_errors = 0;
  std::string last_error;

  std::thread network_thread, writer_thread;
  std::mutex stop_mutex;
  bool stopped = false;
};

Status DumpReceiver::Impl::open_socket() {
  std::error_code ec;
  asio::ip::address address = asio::ip::make_address(config.address, ec);
  if (ec)
    return Error(ErrorCode::kInvalidArgument, "not an IP address: \"" + config.address + "\"");
  udp::endpoint endpoint(address, config.port);
  auto fail = [&](const char* what) {
    return Error(ErrorCode::kIo, std::string("dump receiver: cannot ") + what + " " +
                                     config.address + " port " + std::to_string(config.port) +
                                     ": " + ec.message());
  };
  if (socket.open(endpoint.protocol(), ec)) return fail("open a UDP socket for");
  if (address.is_v6()) socket.set_option(asio::ip::v6_only(false), ec);
  // Loss at the receiver is loss all the same: ask for a big buffer, past rmem_max if allowed.
  int size = config.receive_buffer_bytes;
  if (::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0) {
    socket.set_option(asio::socket_base::receive_buffer_size(size), ec);
  }
  if (socket.bind(endpoint, ec)) return fail("bind");
  socket.non_blocking(true, ec);
  bound_port = socket.local_endpoint(ec).port();
  return ok_status();
}

void DumpReceiver::Impl::receive() {
  socket.async_receive_from(asio::buffer(buffer), from, [this](std::error_code ec, std::size_t n) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      std::lock_guard lock(stats_mutex);
      ++socket_errors;
      last_error = "dump receive: " + ec.message();
    } else {
      on_datagram(n, from);
      // Drain what else is waiting before going back to the event loop.
      for (int i = 0; i < kDrainPerWakeup; ++i) {
        std::size_t more = socket.receive_from(asio::buffer(buffer), from, 0, ec);
        if (ec) break;
        on_datagram(more, from);
      }
    }
    if (socket.is_open()) receive();
  });
}

void DumpReceiver::Impl::on_datagram(std::size_t n, const udp::endpoint& sender) {
  std::string address = address_text(sender.address());
  actions.clear();
  {
    std::lock_guard lock(gate_mutex);
    gate.handle(std::span<const std::byte>(buffer.data(), n), address, Clock::now(), actions);
  }
  if (!actions.empty()) enqueue(actions);
}

void DumpReceiver::Impl::enqueue(std::vector<GateAction>& batch) {
  std::vector<DeliverAction*> refused;
  bool wake = false;
  {
    std::lock_guard lock(queue_mutex);
    if (queue_closed) return;
    wake = queue.empty();
    for (GateAction& action : batch) {
      if (auto* deliver = std::get_if<DeliverAction>(&action)) {
        // Session starts are never refused (few: bounded by the session limits).
        if (queue_packets >= config.queue_max_packets ||
            queue_bytes + deliver->body.size() > config.queue_max_bytes) {
          refused.push_back(deliver);
          continue;
        }
        ++queue_packets;
        queue_bytes += deliver->body.size();
        queue.emplace_back(std::move(*deliver));
      } else {
        queue.emplace_back(std::move(std::get<StartSessionAction>(action)));
      }
    }
    queue_high_water = std::max(queue_high_water, queue.size());
  }
  if (wake) queue_changed.notify_one();
  if (!refused.empty()) {
    std::lock_guard lock(gate_mutex);
    for (DeliverAction* d : refused) gate.note_queue_full(*d);
  }
}

bool DumpReceiver::Impl::disk_low() {
  if (config.free_space_reserve == 0) return false;
  struct statvfs fs {};
  if (::statvfs(config.dump_dir.c_str(), &fs) != 0) return false;
  return std::uint64_t{fs.f_bavail} * fs.f_frsize < config.free_space_reserve;
}

void DumpReceiver::Impl::handle(WorkItem& item,
                                std::map<SessionKey, std::unique_ptr<DumpSession>>& sessions) {
  Clock::time_point now = Clock::now();
  if (auto* start = std::get_if<StartSessionAction>(&item)) {
    auto session = DumpSession::start(config.session, start->identity, start->start, start->wire,
                                      now, utc_now(), &hooks, events);
    if (!session.ok()) {
      {
        std::lock_guard lock(stats_mutex);
        ++session_start_errors;
        last_error = session.error().to_string();
      }
      std::lock_guard lock(gate_mutex);
      gate.session_finished(start->key, now);
      return;
    }
    {
      std::lock_guard lock(stats_mutex);
      ++sessions_started;
    }
    sessions[start->key] = std::move(*session);
  } else if (auto* deliver = std::get_if<DeliverAction>(&item)) {
    auto it = sessions.find(deliver->key);
    if (it != sessions.end()) it->second->on_packet(deliver->type, deliver->body, now, utc_now());
  } else if (auto* line = std::get_if<ConsoleLine>(&item)) {
    for (auto& [key, session] : sessions) {
      if (session->identity().address == line->address) session->append_console_line(line->line);
    }
  }
}

void DumpReceiver::Impl::finish_sessions(
    std::map<SessionKey, std::unique_ptr<DumpSession>>& sessions, bool all) {
  for (auto it = sessions.begin(); it != sessions.end();) {
    if (all) it->second->abort(utc_now());
    if (!it->second->finished()) {
      ++it;
      continue;
    }
    bool complete = it->second->event(DumpEvent::Kind::kProgress).state == "complete";
    {
      std::lock_guard lock(stats_mutex);
      ++(complete ? sessions_completed : sessions_incomplete);
    }
    {
      std::lock_guard lock(gate_mutex);
      gate.session_finished(it->first, Clock::now());
    }
    if (FILE* seen = std::fopen((config.dump_dir / kSeenFile).c_str(), "a")) {
      std::fprintf(seen, "%016llx %016llx\n", static_cast<unsigned long long>(it->first.host_id),
                   static_cast<unsigned long long>(it->first.session_id));
      std::fclose(seen);
    }
    it = sessions.erase(it);
  }
}

void DumpReceiver::Impl::writer_loop() {
  std::map<SessionKey, std::unique_ptr<DumpSession>> sessions;
  std::deque<WorkItem> batch;
  Clock::time_point next_tick = Clock::now(), next_disk_check = Clock::now();
  bool low = false;
  while (true) {
    bool closed = false;
    {
      std::unique_lock lock(queue_mutex);
      queue_changed.wait_until(lock, next_tick, [&] { return !queue.empty() || queue_closed; });
      batch.swap(queue);
      queue_packets = 0;
      queue_bytes = 0;
      closed = queue_closed;
    }
    for (WorkItem& item : batch) handle(item, sessions);
    batch.clear();
    Clock::time_point now = Clock::now();
    if (now >= next_tick) {
      next_tick = now + config.tick_interval;
      if (now >= next_disk_check) {
        next_disk_check = now + std::chrono::seconds(1);
        low = disk_low();
      }
      for (auto& [key, session] : sessions) session->tick(now, utc_now(), low);
      {
        std::lock_guard lock(gate_mutex);
        gate.sweep(now);
      }
    }
    finish_sessions(sessions, closed);
    if (closed) return;
  }
}

Result<std::unique_ptr<DumpReceiver>> DumpReceiver::start(DumpReceiverConfig config,
                                                          DumpEventCallback events) {
  if (config.dump_dir.empty()) {
    return Error(ErrorCode::kInvalidArgument, "dump receiver: no dump directory");
  }
  std::error_code ec;
  std::filesystem::create_directories(config.dump_dir, ec);
  if (ec) {
    return Error(ErrorCode::kIo, "cannot create " + config.dump_dir.string() + ": " + ec.message(),
                 {.name = config.dump_dir.string()});
  }
  // Allowed source addresses are compared as text: put them in the form the socket reports.
  for (DumpHost& host : config.hosts) {
    for (std::string& allowed : host.allowed_addresses) {
      auto parsed = asio::ip::make_address(allowed, ec);
      if (ec) {
        return Error(ErrorCode::kInvalidArgument,
                     "host " + host.name + ": not an IP address: \"" + allowed + "\"");
      }
      allowed = address_text(parsed);
    }
  }
  try {
    auto impl = std::make_unique<Impl>(std::move(config), std::move(events));
    VMSCOPE_CHECK(impl->open_socket());
    Impl* raw = impl.get();
    raw->writer_thread = std::thread([raw] { raw->writer_loop(); });
    raw->network_thread = std::thread([raw] {
      raw->receive();
      while (true) {
        try {
          raw->io.run();
          return;
        } catch (const std::exception& e) {
          std::lock_guard lock(raw->stats_mutex);
          ++raw->socket_errors;
          raw->last_error = std::string("internal: ") + e.what();
        }
      }
    });
    return std::unique_ptr<DumpReceiver>(new DumpReceiver(std::move(impl)));
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInternal, std::string("cannot start the dump receiver: ") + e.what());
  }
}

DumpReceiver::DumpReceiver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DumpReceiver::~DumpReceiver() {
  stop();
}

void DumpReceiver::stop() {
  std::lock_guard lock(impl_->stop_mutex);
  if (impl_->stopped) return;
  impl_->stopped = true;
  asio::post(impl_->io, [impl = impl_.get()] {
    std::error_code ec;
    impl->socket.close(ec);
    impl->io.stop();
  });
  if (impl_->network_thread.joinable()) impl_->network_thread.join();
  {
    std::lock_guard queue_lock(impl_->queue_mutex);
    impl_->queue_closed = true;
  }
  impl_->queue_changed.notify_all();
  if (impl_->writer_thread.joinable()) impl_->writer_thread.join();
  impl_->hooks.wait_idle();
}

std::uint16_t DumpReceiver::port() const {
  return impl_->bound_port;
}

DumpReceiverStats DumpReceiver::stats() const {
  DumpReceiverStats s;
  {
    std::lock_guard lock(impl_->gate_mutex);
    s.total = impl_->gate.total();
    s.hosts = impl_->gate.per_host();
    s.open_sessions = impl_->gate.open_sessions();
  }
  {
    std::lock_guard lock(impl_->queue_mutex);
    s.queue_depth = impl_->queue.size();
    s.queue_high_water = impl_->queue_high_water;
  }
  {
    std::lock_guard lock(impl_->stats_mutex);
    s.sessions_started = impl_->sessions_started;
    s.sessions_completed = impl_->sessions_completed;
    s.sessions_incomplete = impl_->sessions_incomplete;
    s.session_start_errors = impl_->session_start_errors;
    s.console_lines_dropped = impl_->console_lines_dropped;
    s.socket_errors = impl_->socket_errors;
    s.last_error = impl_->last_error;
  }
  s.hooks = impl_->hooks.stats();
  return s;
}

void DumpReceiver::append_console_line(const std::string& address, std::string line) {
  bool wake = false;
  {
    std::lock_guard lock(impl_->queue_mutex);
    if (impl_->queue_closed) return;
    if (impl_->queue_packets >= impl_->config.queue_max_packets) {
      std::lock_guard stats_lock(impl_->stats_mutex);
      ++impl_->console_lines_dropped;
      return;
    }
    wake = impl_->queue.empty();
    ++impl_->queue_packets;
    impl_->queue.emplace_back(ConsoleLine{address, std::move(line)});
  }
  if (wake) impl_->queue_changed.notify_one();
}

}  // namespace vmscope
