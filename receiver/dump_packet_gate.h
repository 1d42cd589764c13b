// The network side of the dump ingest (protocol-spec/dump-wire-protocol.md §11.1), without
// sockets or threads: every datagram goes through the cheap checks first, then the key table,
// the replay window and the AEAD, and comes out either dropped — with a counter saying why,
// per host and in total — or as actions for the writer side:
//
//   1. size and header (magic, version, type, flags)       malformed / oversized /
//                                                           unsupported_version
//   2. host_id in the table; source address allowed        unknown_host / wrong_source
//   3. session known: datagram within its max_datagram;    oversized
//      replay window (before decryption, read-only)        duplicate / too_old
//      session finished                                    late (just now) / replayed_session
//   4. XChaCha20-Poly1305 with the host's key              auth_failed (the window is untouched)
//   5. mark seq in the window
//   6. SESSION_START: checked; a repeat must equal the     protocol_violation
//      first copy; a new one must fit the limits            over_limit
//      → StartSession, then the held packets of it
//   7. other types: session unknown → held (bounded by     held / held_dropped
//      count, bytes and age per host), else Deliver,       over_limit (byte quota)
//      within the host's byte quota
//
// Finished sessions are remembered (`finished`, seeded by the caller from disk): a
// SESSION_START naming one is a replay.
//
// Not thread-safe: the owner serialises calls (DumpReceiver holds a mutex).
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "receiver/dump_events.h"
#include "receiver/dump_host_keys.h"
#include "receiver/dump_messages.h"
#include "receiver/dump_session.h"
#include "receiver/replay_window.h"

namespace vmscope {

struct SessionKey {
  std::uint64_t host_id = 0;
  std::uint64_t session_id = 0;
  auto operator<=>(const SessionKey&) const = default;
};

struct StartSessionAction {
  SessionKey key;
  DumpSessionIdentity identity;
  dumpwire::SessionStart start;
  std::shared_ptr<SessionWireCounters> wire;
};

struct DeliverAction {
  SessionKey key;
  dumpwire::MessageType type = dumpwire::MessageType::kPages;
  std::vector<std::byte> body;
  std::shared_ptr<SessionWireCounters> wire;
};

using GateAction = std::variant<StartSessionAction, DeliverAction>;

struct DumpGateLimits {
  std::size_t max_sessions_per_host = 2;
  std::size_t max_sessions = 64;
  std::uint64_t max_bytes_per_host = std::uint64_t{64} << 30;
  std::size_t held_max_packets = 1024;
  std::size_t held_max_bytes = std::size_t{2} << 20;
  std::chrono::milliseconds held_max_age{5000};
  std::chrono::milliseconds late_window{10000};
};

class DumpPacketGate {
 public:
  using Clock = std::chrono::steady_clock;

  DumpPacketGate(std::vector<DumpHost> hosts, DumpGateLimits limits,
                 std::set<SessionKey> finished = {});

  void handle(std::span<const std::byte> datagram, const std::string& address,
              Clock::time_point now, std::vector<GateAction>& out);
  // The owner could not queue a DeliverAction (writer behind): counted as queue_full.
  void note_queue_full(const DeliverAction& action);
  // The writer side finished a session (or could not start it).
  void session_finished(const SessionKey& key, Clock::time_point now);
  // Expires held packets and sessions past the late window.
  void sweep(Clock::time_point now);

  DumpCounters total() const;
  std::vector<std::pair<std::string, DumpCounters>> per_host() const;
  std::size_t open_sessions() const { return open_sessions_; }
  const std::set<SessionKey>& finished() const { return finished_; }

 private:
  struct Held {
    std::uint64_t seq = 0;
    dumpwire::MessageType type = dumpwire::MessageType::kPages;
    std::uint64_t session_id = 0;
    std::vector<std::byte> body;
    Clock::time_point at;
  };
  struct Host {
    DumpHost config;
    DumpCounters counters;
    std::uint64_t bytes = 0;
    std::size_t open_sessions = 0;
    std::deque<Held> held;
    std::size_t held_bytes = 0;
  };
  struct Session {
    dumpwire::ReplayWindow window;
    dumpwire::SessionStart start;
    std::shared_ptr<SessionWireCounters> wire;
    bool finished = false;
    Clock::time_point finished_at;
  };

  void start_session(Host& host, const SessionKey& key, std::uint64_t seq,
                     const dumpwire::SessionStart& start, const std::string& address,
                     std::vector<GateAction>& out);
  void deliver(Host& host, const SessionKey& key, Session& session, dumpwire::MessageType type,
               std::vector<std::byte> body, std::vector<GateAction>& out);
  void hold(Host& host, Held held);

  DumpGateLimits limits_;
  std::unordered_map<std::uint64_t, Host> hosts_;
  std::map<SessionKey, Session> sessions_;
  std::set<SessionKey> finished_;
  std::size_t open_sessions_ = 0;
  DumpCounters unattributed_;    // datagrams that name no known host
  std::vector<std::byte> body_;  // decryption buffer, reused
};

}  // namespace vmscope
