#include "rpc/methods_server.h"

#include <algorithm>
#include <thread>

#include "rpc/protocol_document.h"
#include "rpc/wire_values.h"

namespace vmscope::rpc {
namespace {

// test/sleep never runs longer than this, so a forgotten test request cannot pin a worker.
constexpr std::uint64_t kMaxSleepMs = 600'000;
constexpr std::uint64_t kMaxSteps = 1000;
// How often a sleeping request looks at its cancellation token.
constexpr std::chrono::milliseconds kCancelPoll{5};

Result<Json> sleep_for(const Json& params, const RequestContext& context) {
  if (!params.is_object() || !params.contains("milliseconds")) {
    return Error(ErrorCode::kInvalidArgument, "missing parameter milliseconds",
                 {.name = "milliseconds"});
  }
  VMSCOPE_TRY(std::uint64_t total_ms, optional_count(params, "milliseconds", 0, kMaxSleepMs));
  VMSCOPE_TRY(std::uint64_t steps, optional_count(params, "steps", 10, kMaxSteps));
  steps = std::max<std::uint64_t>(steps, 1);

  const auto start = std::chrono::steady_clock::now();
  const std::chrono::milliseconds total(total_ms);
  context.progress.begin("Sleeping " + std::to_string(total_ms) + " ms", 0);
  for (std::uint64_t step = 1; step <= steps; ++step) {
    const auto step_end = start + total * step / steps;
    while (std::chrono::steady_clock::now() < step_end) {
      VMSCOPE_CHECK(context.cancel.check());
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          kCancelPoll, step_end - std::chrono::steady_clock::now()));
    }
    VMSCOPE_CHECK(context.cancel.check());
    if (step < steps) {
      context.progress.report("step " + std::to_string(step) + " of " + std::to_string(steps),
                              static_cast<int>(step * 100 / steps));
    }
  }
  context.progress.end("slept");
  const auto slept = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  return Json{{"sleptMs", slept.count()}};
}

Json dump_ingest_json(const DumpReceiverStats& stats) {
  const DumpCounters& c = stats.total;
  const std::uint64_t replayed = c.too_old + c.replayed_session;
  Json rejected = {{"malformed", c.malformed},
                   {"oversized", c.oversized},
                   {"unsupportedVersion", c.unsupported_version},
                   {"unknownHost", c.unknown_host},
                   {"wrongSource", c.wrong_source},
                   {"authFailed", c.auth_failed},
                   {"replayed", replayed},
                   {"overLimit", c.over_limit},
                   {"protocolViolation", c.protocol_violation}};
  rejected["total"] = c.malformed + c.oversized + c.unsupported_version + c.unknown_host +
                      c.wrong_source + c.auth_failed + replayed + c.over_limit +
                      c.protocol_violation;
  return {{"datagrams", c.datagrams},
          {"bytes", c.bytes},
          {"accepted", c.accepted},
          {"rejected", std::move(rejected)},
          {"duplicates", c.duplicate},
          {"late", c.late},
          {"held", c.held},
          {"heldDropped", c.held_dropped},
          {"queueFull", c.queue_full},
          {"nospaceDropped", c.nospace_dropped},
          {"sessions",
           {{"open", stats.open_sessions},
            {"started", stats.sessions_started},
            {"completed", stats.sessions_completed},
            {"incomplete", stats.sessions_incomplete},
            {"startErrors", stats.session_start_errors}}},
          {"socketErrors", stats.socket_errors}};
}

}  // namespace

Json receiver_status_json(const std::filesystem::path& dump_dir,
                          const server::ReceiverServiceStats& stats) {
  const LogListenerStats& logs = stats.logs;
  Json j = {{"dumpDirectory", dump_dir.string()},
            {"logs",
             {{"netconsoleDatagrams", logs.netconsole_datagrams},
              {"netconsoleLines", logs.netconsole.plain_lines + logs.netconsole.extended_records},
              {"netconsoleMalformed", logs.netconsole.malformed},
              {"syslogDatagrams", logs.syslog_datagrams},
              {"syslogTcpConnections", logs.tcp_accepted},
              {"records", logs.records},
              {"rateDropped", logs.rate_dropped},
              {"fileErrors", logs.file_errors},
              {"socketErrors", logs.socket_errors}}},
            {"catalog",
             {{"dumps", stats.catalog_dumps},
              {"persistent", stats.catalog.persistent},
              {"errors", stats.catalog.errors}}}};
  if (stats.dump) j["dumps"] = dump_ingest_json(*stats.dump);
  if (const auto& t = stats.triage) {
    j["triage"] = {{"queued", t->queued},      {"filed", t->filed},     {"failed", t->failed},
                   {"timedOut", t->timed_out}, {"dropped", t->dropped}, {"waiting", t->waiting},
                   {"running", t->running}};
  }
  return j;
}

Json to_json(const ServerStatus& status) {
  Json j = {{"version", protocol_document()["info"]["version"]},
            {"uptimeMs", status.uptime.count()},
            {"openDumps", status.open_dumps},
            {"inFlightRequests", status.in_flight_requests},
            {"workers", status.workers},
            {"queuedRequests", status.queued_requests},
            {"rejectedRequests", status.rejected_requests},
            {"eventSubscribers", status.event_subscribers},
            {"notificationsPublished", status.notifications_published},
            {"notificationsDropped", status.notifications_dropped}};
  if (status.receiver && status.receiver_dump_dir) {
    j["receiver"] = receiver_status_json(*status.receiver_dump_dir, *status.receiver);
  }
  return j;
}

void register_server_methods(Dispatcher& dispatcher, ServerStatusProbe probe) {
  dispatcher.add("server/status",
                 [probe = std::move(probe)](const Json&, const RequestContext&) -> Result<Json> {
                   return to_json(probe());
                 });
}

void register_test_methods(Dispatcher& dispatcher) {
  dispatcher.add("test/sleep", sleep_for);
}

}  // namespace vmscope::rpc
