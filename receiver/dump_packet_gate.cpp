#include "receiver/dump_packet_gate.h"

#include <algorithm>

#include "receiver/dump_packet_crypto.h"
#include "receiver/dump_wire_header.h"

namespace vmscope {

using namespace dumpwire;

DumpPacketGate::DumpPacketGate(std::vector<DumpHost> hosts, DumpGateLimits limits,
                               std::set<SessionKey> finished)
    : limits_(limits), finished_(std::move(finished)) {
  for (DumpHost& h : hosts) {
    std::uint64_t id = h.host_id;
    hosts_[id].config = std::move(h);
  }
}

void DumpPacketGate::handle(std::span<const std::byte> datagram, const std::string& address,
                            Clock::time_point now, std::vector<GateAction>& out) {
  PacketHeader header;
  HeaderFault fault = decode_header(datagram, header);
  auto host_it = fault == HeaderFault::kNone ? hosts_.find(header.host_id) : hosts_.end();
  DumpCounters& c = host_it != hosts_.end() ? host_it->second.counters : unattributed_;
  ++c.datagrams;
  c.bytes += datagram.size();
  switch (fault) {
    case HeaderFault::kNone: break;
    case HeaderFault::kTooLong: ++c.oversized; return;
    case HeaderFault::kUnsupportedVersion: ++c.unsupported_version; return;
    default: ++c.malformed; return;
  }
  if (host_it == hosts_.end()) {
    ++c.unknown_host;
    return;
  }
  Host& host = host_it->second;
  const auto& allowed = host.config.allowed_addresses;
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), address) == allowed.end()) {
    ++c.wrong_source;
    return;
  }
  SessionKey key{header.host_id, header.session_id};
  auto session_it = sessions_.find(key);
  Session* session = session_it != sessions_.end() ? &session_it->second : nullptr;
  if (session != nullptr) {
    if (session->finished) {
      ++c.late;
      return;
    }
    if (datagram.size() > session->start.max_datagram) {
      ++c.oversized;
      return;
    }
    switch (session->window.check(header.seq)) {
      case ReplayWindow::Verdict::kFresh: break;
      case ReplayWindow::Verdict::kDuplicate:
        ++c.duplicate;
        ++session->wire->duplicate;
        return;
      case ReplayWindow::Verdict::kTooOld:
        ++c.too_old;
        ++session->wire->too_old;
        return;
    }
  } else if (finished_.count(key)) {
    ++c.replayed_session;
    return;
  }
  if (!open_packet(host.config.key, datagram, body_).ok()) {
    ++c.auth_failed;
    if (session != nullptr) ++session->wire->auth_failed;
    return;
  }
  if (session != nullptr) session->window.mark(header.seq);

  if (header.type == MessageType::kSessionStart) {
    auto start = decode_session_start(body_);
    if (!start.ok() || (session != nullptr && session->start != *start)) {
      ++c.protocol_violation;
      if (session != nullptr) ++session->wire->protocol_violation;
      return;
    }
    if (session == nullptr) start_session(host, key, header.seq, *start, address, out);
    return;
  }
  if (session == nullptr) {
    hold(host, {header.seq, header.type, header.session_id, body_, now});
    return;
  }
  deliver(host, key, *session, header.type, body_, out);
}

void DumpPacketGate::start_session(Host& host, const SessionKey& key, std::uint64_t seq,
                                   const SessionStart& start, const std::string& address,
                                   std::vector<GateAction>& out) {
  if (host.open_sessions >= limits_.max_sessions_per_host ||
      open_sessions_ >= limits_.max_sessions) {
    ++host.counters.over_limit;
    return;
  }
  Session& session = sessions_[key];
  session.start = start;
  session.wire = std::make_shared<SessionWireCounters>();
  session.window.mark(seq);
  ++host.open_sessions;
  ++open_sessions_;
  ++host.counters.accepted;
  ++session.wire->accepted;
  out.push_back(StartSessionAction{
      key, {address, host.config.name, key.host_id, key.session_id}, start, session.wire});
  // Packets that outran their SESSION_START (§11.2), in arrival order, through the window.
  std::deque<Held> rest;
  for (Held& held : host.held) {
    if (held.session_id != key.session_id) {
      rest.push_back(std::move(held));
      continue;
    }
    host.held_bytes -= held.body.size();
    if (session.window.check(held.seq) != ReplayWindow::Verdict::kFresh) {
      ++host.counters.duplicate;
      continue;
    }
    session.window.mark(held.seq);
    deliver(host, key, session, held.type, std::move(held.body), out);
  }
  host.held = std::move(rest);
}

void DumpPacketGate::deliver(Host& host, const SessionKey& key, Session& session, MessageType type,
                             std::vector<std::byte> body, std::vector<GateAction>& out) {
  if (host.bytes + body.size() > limits_.max_bytes_per_host) {
    ++host.counters.over_limit;
    return;
  }
  host.bytes += body.size();
  ++host.counters.accepted;
  ++session.wire->accepted;
  out.push_back(DeliverAction{key, type, std::move(body), session.wire});
}

void DumpPacketGate::hold(Host& host, Held held) {
  ++host.counters.held;
  host.held_bytes += held.body.size();
  host.held.push_back(std::move(held));
  while (!host.held.empty() && (host.held.size() > limits_.held_max_packets ||
                                host.held_bytes > limits_.held_max_bytes)) {
    host.held_bytes -= host.held.front().body.size();
    host.held.pop_front();
    ++host.counters.held_dropped;
  }
}

void DumpPacketGate::note_queue_full(const DeliverAction& action) {
  auto it = hosts_.find(action.key.host_id);
  if (it != hosts_.end()) {
    ++it->second.counters.queue_full;
    --it->second.counters.accepted;
  }
  if (action.wire) {
    ++action.wire->queue_full;
    --action.wire->accepted;
  }
}

void DumpPacketGate::session_finished(const SessionKey& key, Clock::time_point now) {
  auto it = sessions_.find(key);
  if (it == sessions_.end() || it->second.finished) return;
  it->second.finished = true;
  it->second.finished_at = now;
  finished_.insert(key);
  auto host = hosts_.find(key.host_id);
  if (host != hosts_.end() && host->second.open_sessions > 0) --host->second.open_sessions;
  if (open_sessions_ > 0) --open_sessions_;
}

void DumpPacketGate::sweep(Clock::time_point now) {
  for (auto& [id, host] : hosts_) {
    while (!host.held.empty() && now - host.held.front().at > limits_.held_max_age) {
      host.held_bytes -= host.held.front().body.size();
      host.held.pop_front();
      ++host.counters.held_dropped;
    }
  }
  std::erase_if(sessions_, [&](const auto& entry) {
    return entry.second.finished && now - entry.second.finished_at > limits_.late_window;
  });
}

DumpCounters DumpPacketGate::total() const {
  DumpCounters sum = unattributed_;
  for (const auto& [id, host] : hosts_) sum += host.counters;
  return sum;
}

std::vector<std::pair<std::string, DumpCounters>> DumpPacketGate::per_host() const {
  std::vector<std::pair<std::string, DumpCounters>> out;
  out.emplace_back("", unattributed_);
  for (const auto& [id, host] : hosts_) out.emplace_back(host.config.name, host.counters);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

}  // namespace vmscope
