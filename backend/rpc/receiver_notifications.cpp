#include "rpc/receiver_notifications.h"

#include <cstdio>

#include "rpc/wire_values.h"

namespace vmscope::rpc {
namespace {

// Dumps tracked for rate limiting; more than the ingest can receive at once (it has a global
// session limit), so only a bug could reach it.
constexpr std::size_t kMaxTracked = 1024;

Json progress_json(const DumpProgress& p) {
  return {{"dumpable", p.dumpable},
          {"received", p.received},
          {"zero", p.zero},
          {"unavailable", p.unavailable},
          {"missing", p.missing},
          {"dataPackets", p.data_packets},
          {"groupsRecovered", p.groups_recovered},
          {"groupsLost", p.groups_lost},
          {"fileBytes", p.file_bytes}};
}

// Seconds since boot as dmesg shows them: "12.345678".
std::string kernel_seconds(std::uint64_t microseconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llu.%06llu",
                static_cast<unsigned long long>(microseconds / 1000000),
                static_cast<unsigned long long>(microseconds % 1000000));
  return buf;
}

void add_netconsole(Json& j, const NetconsoleRecord& r) {
  j["source"] = "netconsole";
  j["extended"] = r.extended;
  if (r.level) j["level"] = *r.level;
  if (r.facility) j["facility"] = *r.facility;
  if (r.seq) j["seq"] = *r.seq;
  if (r.timestamp_us) j["timestamp"] = kernel_seconds(*r.timestamp_us);
  j["text"] = r.text;
  if (r.extended) j["continuation"] = r.continuation;
  if (r.release) j["release"] = *r.release;
  if (r.caller) j["caller"] = *r.caller;
  if (!r.dict.empty()) {
    Json dictionary = Json::object();
    for (const auto& [key, value] : r.dict) dictionary[key] = value;
    j["dictionary"] = std::move(dictionary);
  }
}

void add_syslog(Json& j, const SyslogMessage& m) {
  j["source"] = "syslog";
  j["level"] = m.severity;
  j["facility"] = m.facility;
  if (!m.timestamp.empty()) j["timestamp"] = m.timestamp;
  j["text"] = m.message;
  Json syslog = {{"format", m.format == SyslogFormat::kRfc5424 ? "rfc5424" : "rfc3164"}};
  if (!m.hostname.empty()) syslog["hostname"] = m.hostname;
  if (!m.app_name.empty()) syslog["appName"] = m.app_name;
  if (!m.procid.empty()) syslog["procid"] = m.procid;
  if (!m.msgid.empty()) syslog["msgid"] = m.msgid;
  if (!m.structured_data.empty()) {
    Json elements = Json::array();
    for (const SyslogSdElement& element : m.structured_data) {
      Json params = Json::object();
      for (const SyslogSdParam& param : element.params) params[param.name] = param.value;
      elements.push_back({{"id", element.id}, {"params", std::move(params)}});
    }
    syslog["structuredData"] = std::move(elements);
  }
  j["syslog"] = std::move(syslog);
}

}  // namespace

Json received_dump_json(const CatalogEntry& e, const std::optional<std::string>& dump_id) {
  Json j = {
      {"source", "received"},
      {"receivedId", e.id},
      {"host", e.host},
      {"address", e.address},
      {"hostId", hex_u64(e.host_id)},
      {"sessionId", hex_u64(e.session_id)},
      {"status", std::string(to_string(e.status))},
      {"started", e.started},
      {"bytes", e.bytes},
      {"pages",
       {{"total", e.pages_total}, {"received", e.pages_received}, {"missing", e.pages_missing}}},
      {"release", e.release},
      {"panicTitle", e.panic_title},
      {"bucketId", e.bucket_id ? Json(*e.bucket_id) : Json(nullptr)},
      {"directory", e.directory.string()},
      {"vmcore", e.vmcore.string()}};
  if (e.finished) j["finished"] = *e.finished;
  if (e.reason) j["reason"] = *e.reason;
  if (e.triage_title) j["triageTitle"] = *e.triage_title;
  if (e.triage_reason) j["triageReason"] = *e.triage_reason;
  if (dump_id) j["dumpId"] = *dump_id;
  return j;
}

Json dump_event_params(const server::ReceivedDumpUpdate& update) {
  const DumpEvent& e = update.event;
  Json j = {{"receivedId", update.id},
            {"host", e.host_name},
            {"address", e.address},
            {"hostId", hex_u64(e.host_id)},
            {"sessionId", hex_u64(e.session_id)},
            {"state", e.state},
            {"release", e.release},
            {"progress", progress_json(e.progress)}};
  if (e.reason) j["reason"] = *e.reason;
  if (update.entry) j["dump"] = received_dump_json(*update.entry, std::nullopt);
  return j;
}

Json log_line_params(const LogEvent& event) {
  Json j = {{"host", event.host},
            {"port", event.port},
            {"transport", event.source == LogEvent::Source::kSyslogTcp ? "tcp" : "udp"},
            {"line", event.line}};
  if (const auto* record = std::get_if<NetconsoleRecord>(&event.record)) {
    add_netconsole(j, *record);
  } else if (const auto* message = std::get_if<SyslogMessage>(&event.record)) {
    add_syslog(j, *message);
  }
  return j;
}

const char* dump_event_method(DumpEvent::Kind kind) {
  switch (kind) {
    case DumpEvent::Kind::kStarted: return "receiver/dumpStarted";
    case DumpEvent::Kind::kProgress: return "receiver/dumpProgress";
    case DumpEvent::Kind::kCompleted: return "receiver/dumpCompleted";
    case DumpEvent::Kind::kFailed: return "receiver/dumpFailed";
  }
  return "receiver/dumpProgress";
}

std::string encode_notification_message(const std::string& method, const Json& params) {
  Json message = {{"jsonrpc", "2.0"}, {"method", method}, {"params", params}};
  return message.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

ReceiverNotifier::ReceiverNotifier(server::NotificationHub& hub,
                                   std::chrono::milliseconds min_progress_interval)
    : hub_(hub), min_progress_interval_(min_progress_interval) {}

server::ReceiverObservers ReceiverNotifier::observers() {
  return {.dump = [this](const server::ReceivedDumpUpdate& update) { on_dump(update); },
          .log = [this](const LogEvent& event) { on_log(event); },
          .triaged = [this](const CatalogEntry& entry) { on_triaged(entry); }};
}

bool ReceiverNotifier::should_publish(const server::ReceivedDumpUpdate& update) {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  switch (update.event.kind) {
    case DumpEvent::Kind::kStarted:
      if (last_progress_.size() >= kMaxTracked) last_progress_.erase(last_progress_.begin());
      last_progress_[update.id] = {now, update.event.state};
      break;
    case DumpEvent::Kind::kProgress: {
      auto it = last_progress_.find(update.id);
      if (it != last_progress_.end() && it->second.state == update.event.state &&
          now - it->second.at < min_progress_interval_) {
        ++stats_.progress_suppressed;
        return false;
      }
      if (it == last_progress_.end() && last_progress_.size() >= kMaxTracked) {
        last_progress_.erase(last_progress_.begin());
      }
      last_progress_[update.id] = {now, update.event.state};
      break;
    }
    case DumpEvent::Kind::kCompleted:
    case DumpEvent::Kind::kFailed: last_progress_.erase(update.id); break;
  }
  ++stats_.dump_events;
  return true;
}

void ReceiverNotifier::on_dump(const server::ReceivedDumpUpdate& update) {
  if (!should_publish(update)) return;
  const char* method = dump_event_method(update.event.kind);
  hub_.publish(method, encode_notification_message(method, dump_event_params(update)));
}

void ReceiverNotifier::on_log(const LogEvent& event) {
  {
    std::lock_guard lock(mutex_);
    ++stats_.log_lines;
  }
  hub_.publish("receiver/logLine",
               encode_notification_message("receiver/logLine", log_line_params(event)));
}

void ReceiverNotifier::on_triaged(const CatalogEntry& entry) {
  {
    std::lock_guard lock(mutex_);
    ++stats_.triaged;
  }
  Json params = {{"receivedId", entry.id}, {"dump", received_dump_json(entry, std::nullopt)}};
  hub_.publish("receiver/dumpTriaged", encode_notification_message("receiver/dumpTriaged", params));
}

ReceiverNotifier::Stats ReceiverNotifier::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace vmscope::rpc
