#include "rpc/receiver_notifications.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "rpc/protocol_document.h"

namespace vmscope::rpc {
namespace {

using namespace std::chrono_literals;
using Outcome = server::NotificationHub::Subscription::Outcome;

// Validates `value` against components/schemas/<name> of the embedded protocol document, so
// what the code sends is what the spec says.
std::string schema_errors(const std::string& name, const Json& value) {
  Json root = {{"$ref", "#/components/schemas/" + name},
               {"components", protocol_document().at("components")}};
  valijson::Schema schema;
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  valijson::adapters::NlohmannJsonAdapter schema_adapter(root);
  parser.populateSchema(schema_adapter, schema);
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(value);
  if (validator.validate(schema, target, &results)) return "";
  std::string out;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    std::string where;
    for (const auto& part : error.context) where += part;
    out += where + ": " + error.description + "\n";
  }
  return out;
}

const Json& notification_spec(const std::string& name) {
  for (const Json& n : protocol_document().at("x-notifications")) {
    if (n.at("name") == name) return n;
  }
  static const Json none;
  ADD_FAILURE() << name << " is not specified";
  return none;
}

CatalogEntry sample_entry() {
  CatalogEntry e;
  e.id = "10.0.0.5-2026-11-29-15:30:00";
  e.host = "web1";
  e.address = "10.0.0.5";
  e.host_id = 0xfedcba9876543210;
  e.session_id = 1;
  e.started = "2026-11-29T15:30:00Z";
  e.status = ReceivedDumpStatus::kIncomplete;
  e.reason = "lost-packets";
  e.finished = "2026-11-29T15:31:00Z";
  e.bytes = 123456;
  e.pages_total = 1000;
  e.pages_received = 990;
  e.pages_missing = 10;
  e.release = "6.1.0-57-cloud-amd64";
  e.panic_title = "Kernel panic - not syncing: \xff bad byte";
  e.directory = "/var/crash/" + e.id;
  e.vmcore = e.directory / "vmcore-incomplete";
  return e;
}

server::ReceivedDumpUpdate sample_update(DumpEvent::Kind kind, std::string state = "receiving") {
  server::ReceivedDumpUpdate u;
  u.event.kind = kind;
  u.event.address = "10.0.0.5";
  u.event.host_name = "web1";
  u.event.host_id = 0xfedcba9876543210;
  u.event.session_id = 0x8000000000000001;
  u.event.state = std::move(state);
  u.event.release = "6.1.0-57-cloud-amd64";
  u.event.progress.dumpable = 1000;
  u.event.progress.received = 500;
  u.id = "10.0.0.5-2026-11-29-15:30:00";
  u.entry = sample_entry();
  return u;
}

TEST(ReceiverNotificationsTest, ReceivedDumpMatchesTheSpecifiedSchema) {
  CatalogEntry e = sample_entry();
  Json j = received_dump_json(e, std::string("dump-3"));
  EXPECT_EQ(schema_errors("ReceivedDump", j), "");
  EXPECT_EQ(j["source"], "received");
  EXPECT_EQ(j["hostId"], "0xfedcba9876543210");
  EXPECT_EQ(j["bucketId"], nullptr);
  EXPECT_EQ(j["dumpId"], "dump-3");
  EXPECT_EQ(j["pages"]["missing"], 10);
  e.bucket_id = "b-1";
  e.finished.reset();
  e.reason.reset();
  e.status = ReceivedDumpStatus::kReceiving;
  j = received_dump_json(e, std::nullopt);
  EXPECT_EQ(schema_errors("ReceivedDump", j), "");
  EXPECT_FALSE(j.contains("dumpId"));
  EXPECT_FALSE(j.contains("finished"));
  EXPECT_EQ(j["bucketId"], "b-1");
  // The schema can fail: a status it does not know.
  j["status"] = "arriving";
  EXPECT_NE(schema_errors("ReceivedDump", j), "");
}

TEST(ReceiverNotificationsTest, DumpEventsMatchTheSpecifiedParams) {
  for (auto kind : {DumpEvent::Kind::kStarted, DumpEvent::Kind::kProgress,
                    DumpEvent::Kind::kCompleted, DumpEvent::Kind::kFailed}) {
    server::ReceivedDumpUpdate u = sample_update(kind);
    if (kind == DumpEvent::Kind::kFailed) u.event.reason = "sender-lost";
    Json params = dump_event_params(u);
    const Json& spec = notification_spec(dump_event_method(kind));
    EXPECT_EQ(spec.at("params").at("$ref"), "#/components/schemas/ReceivedDumpEvent");
    EXPECT_EQ(schema_errors("ReceivedDumpEvent", params), "") << dump_event_method(kind);
    EXPECT_EQ(params["receivedId"], u.id);
    EXPECT_EQ(params["sessionId"], "0x8000000000000001");
    EXPECT_EQ(params["progress"]["received"], 500);
    EXPECT_EQ(params["dump"]["status"], "incomplete");
  }
  server::ReceivedDumpUpdate without_row = sample_update(DumpEvent::Kind::kProgress);
  without_row.entry.reset();
  Json params = dump_event_params(without_row);
  EXPECT_FALSE(params.contains("dump"));
  EXPECT_EQ(schema_errors("ReceivedDumpEvent", params), "");
}

TEST(ReceiverNotificationsTest, NetconsoleLinesMatchTheSpecifiedParams) {
  LogEvent event;
  event.source = LogEvent::Source::kNetconsole;
  event.host = "10.0.0.5";
  event.port = 6665;
  NetconsoleRecord r;
  r.extended = true;
  r.seq = 812;
  r.level = 6;
  r.facility = 0;
  r.timestamp_us = 12345678;
  r.text = "sysrq: Trigger a crash";
  r.dict = {{"SUBSYSTEM", "tty"}, {"DEVICE", "c4:1"}};
  event.record = r;
  event.line = "[   12.345678] sysrq: Trigger a crash";
  Json params = log_line_params(event);
  EXPECT_EQ(schema_errors("ReceiverLogLine", params), "");
  EXPECT_EQ(params["source"], "netconsole");
  EXPECT_EQ(params["transport"], "udp");
  EXPECT_EQ(params["timestamp"], "12.345678");
  EXPECT_EQ(params["seq"], 812);
  EXPECT_EQ(params["level"], 6);
  EXPECT_EQ(params["continuation"], false);
  EXPECT_EQ(params["dictionary"]["DEVICE"], "c4:1");
  EXPECT_EQ(params["text"], "sysrq: Trigger a crash");

  NetconsoleRecord plain;
  plain.raw = "[    0.000001] Linux version 6.1";
  plain.timestamp_us = 1;
  plain.text = "Linux version 6.1";
  event.record = plain;
  event.line = plain.raw;
  params = log_line_params(event);
  EXPECT_EQ(schema_errors("ReceiverLogLine", params), "");
  EXPECT_EQ(params["timestamp"], "0.000001");
  EXPECT_EQ(params["line"], plain.raw);
  EXPECT_FALSE(params.contains("seq"));
  EXPECT_FALSE(params.contains("level"));
}

TEST(ReceiverNotificationsTest, SyslogMessagesMatchTheSpecifiedParams) {
  LogEvent event;
  event.source = LogEvent::Source::kSyslogTcp;
  event.host = "10.0.0.7";
  event.port = 40122;
  SyslogMessage m;
  m.format = SyslogFormat::kRfc5424;
  m.has_pri = true;
  m.facility = 1;
  m.severity = 6;
  m.timestamp = "2026-11-29T15:29:58Z";
  m.hostname = "web2";
  m.app_name = "app";
  m.procid = "77";
  m.structured_data = {{"origin", {{"ip", "10.0.0.7"}}}};
  m.message = "disk almost full";
  event.record = m;
  event.line = "<14>1 2026-11-29T15:29:58Z web2 app 77 - [origin ip=\"10.0.0.7\"] disk almost full";
  Json params = log_line_params(event);
  EXPECT_EQ(schema_errors("ReceiverLogLine", params), "");
  EXPECT_EQ(params["source"], "syslog");
  EXPECT_EQ(params["transport"], "tcp");
  EXPECT_EQ(params["level"], 6);
  EXPECT_EQ(params["syslog"]["format"], "rfc5424");
  EXPECT_EQ(params["syslog"]["structuredData"][0]["params"]["ip"], "10.0.0.7");
  EXPECT_EQ(params["text"], "disk almost full");
}

TEST(ReceiverNotificationsTest, SpecExamplesOfReceiverNotificationsValidate) {
  for (const char* name : {"receiver/dumpStarted", "receiver/dumpProgress",
                           "receiver/dumpCompleted", "receiver/dumpFailed", "receiver/logLine"}) {
    const Json& spec = notification_spec(name);
    std::string schema = spec.at("params").at("$ref").get<std::string>();
    schema = schema.substr(schema.rfind('/') + 1);
    for (const Json& example : spec.at("examples")) {
      EXPECT_EQ(schema_errors(schema, example.at("params")), "") << name << " " << example["name"];
    }
  }
}

TEST(ReceiverNotificationsTest, PublishesToEverySubscriberAsJsonRpcNotifications) {
  server::NotificationHub hub({});
  auto a = hub.subscribe();
  auto b = hub.subscribe();
  ReceiverNotifier notifier(hub);
  server::ReceiverObservers observers = notifier.observers();
  observers.dump(sample_update(DumpEvent::Kind::kStarted));
  LogEvent line;
  line.host = "10.0.0.5";
  NetconsoleRecord r;
  r.raw = r.text = "hello \xc3";  // cut UTF-8: replaced, not a broken message
  line.record = r;
  line.line = r.raw;
  observers.log(line);
  for (auto* subscription : {a.get(), b.get()}) {
    auto first = subscription->next(2s);
    ASSERT_EQ(first.outcome, Outcome::kNotification);
    EXPECT_EQ(first.notification->name, "receiver/dumpStarted");
    Json message = Json::parse(first.notification->payload);
    EXPECT_EQ(message["jsonrpc"], "2.0");
    EXPECT_EQ(message["method"], "receiver/dumpStarted");
    EXPECT_EQ(message["params"]["receivedId"], "10.0.0.5-2026-11-29-15:30:00");
    auto second = subscription->next(2s);
    ASSERT_EQ(second.outcome, Outcome::kNotification);
    message = Json::parse(second.notification->payload);
    EXPECT_EQ(message["method"], "receiver/logLine");
    EXPECT_EQ(message["params"]["text"], "hello \xef\xbf\xbd");
  }
  EXPECT_EQ(notifier.stats().log_lines, 1u);
}

TEST(ReceiverNotificationsTest, ATriagedDumpIsPublishedWithItsCatalogRow) {
  server::NotificationHub hub({});
  auto subscription = hub.subscribe();
  ReceiverNotifier notifier(hub);
  CatalogEntry filed = sample_entry();
  filed.triage_title = "kernel panic: sysrq triggered crash";
  filed.bucket_id = "0123456789abcdef";
  notifier.observers().triaged(filed);
  CatalogEntry failed = sample_entry();
  failed.triage_reason = "no vmlinux with build-id 00ff under /debug";
  notifier.on_triaged(failed);
  const Json& spec = notification_spec("receiver/dumpTriaged");
  std::vector<Json> params;
  for (int i = 0; i < 2; ++i) {
    auto next = subscription->next(2s);
    ASSERT_EQ(next.outcome, Outcome::kNotification);
    EXPECT_EQ(next.notification->name, "receiver/dumpTriaged");
    Json message = Json::parse(next.notification->payload);
    EXPECT_EQ(message["method"], "receiver/dumpTriaged");
    params.push_back(message["params"]);
    EXPECT_EQ(params.back()["receivedId"], filed.id);
    EXPECT_EQ(schema_errors("ReceivedDump", params.back()["dump"]), "");
    EXPECT_EQ(spec.at("params").at("properties").at("dump").at("$ref"),
              "#/components/schemas/ReceivedDump");
  }
  EXPECT_EQ(params[0]["dump"]["triageTitle"], "kernel panic: sysrq triggered crash");
  EXPECT_EQ(params[0]["dump"]["bucketId"], "0123456789abcdef");
  EXPECT_FALSE(params[0]["dump"].contains("triageReason"));
  EXPECT_EQ(params[1]["dump"]["triageReason"], "no vmlinux with build-id 00ff under /debug");
  EXPECT_EQ(params[1]["dump"]["bucketId"], nullptr);
  EXPECT_FALSE(params[1]["dump"].contains("triageTitle"));
  EXPECT_EQ(notifier.stats().triaged, 2u);
}

TEST(ReceiverNotificationsTest, ProgressIsRateLimitedPerDumpUnlessTheStateChanges) {
  server::NotificationHub hub({.queue_capacity = 1000});
  auto subscription = hub.subscribe();
  ReceiverNotifier notifier(hub, 10s);  // nothing passes on time alone in this test
  notifier.on_dump(sample_update(DumpEvent::Kind::kStarted));
  for (int i = 0; i < 5; ++i) notifier.on_dump(sample_update(DumpEvent::Kind::kProgress));
  notifier.on_dump(sample_update(DumpEvent::Kind::kProgress, "draining"));  // state changed
  notifier.on_dump(sample_update(DumpEvent::Kind::kProgress, "draining"));
  server::ReceivedDumpUpdate other = sample_update(DumpEvent::Kind::kProgress);
  other.id = "10.0.0.6-2026-11-29-15:30:00";  // another dump has its own budget
  notifier.on_dump(other);
  notifier.on_dump(sample_update(DumpEvent::Kind::kCompleted, "complete"));

  std::vector<std::string> seen;
  while (true) {
    auto next = subscription->next(0ms);
    if (next.outcome != Outcome::kNotification) break;
    Json params = Json::parse(next.notification->payload)["params"];
    seen.push_back(next.notification->name + " " + params["receivedId"].get<std::string>() + " " +
                   params["state"].get<std::string>());
  }
  std::vector<std::string> expected = {
      "receiver/dumpStarted 10.0.0.5-2026-11-29-15:30:00 receiving",
      "receiver/dumpProgress 10.0.0.5-2026-11-29-15:30:00 draining",
      "receiver/dumpProgress 10.0.0.6-2026-11-29-15:30:00 receiving",
      "receiver/dumpCompleted 10.0.0.5-2026-11-29-15:30:00 complete"};
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(notifier.stats().progress_suppressed, 6u);
}

TEST(ReceiverNotificationsTest, ProgressPassesAgainAfterTheInterval) {
  server::NotificationHub hub({});
  auto subscription = hub.subscribe();
  ReceiverNotifier notifier(hub, 20ms);
  notifier.on_dump(sample_update(DumpEvent::Kind::kStarted));
  notifier.on_dump(sample_update(DumpEvent::Kind::kProgress));  // too soon
  std::this_thread::sleep_for(30ms);
  notifier.on_dump(sample_update(DumpEvent::Kind::kProgress));
  EXPECT_EQ(hub.stats().published, 2u);
  EXPECT_EQ(notifier.stats().progress_suppressed, 1u);
}

}  // namespace
}  // namespace vmscope::rpc
