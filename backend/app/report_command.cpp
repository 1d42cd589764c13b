#include "app/report_command.h"

#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>

#include "rpc/dispatcher.h"
#include "rpc/errors.h"
#include "rpc/method_table.h"
#include "server/session_registry.h"

namespace vmscope::app {
namespace {

constexpr const char* kUsage =
    "usage: vmscope report --core C [--vmlinux V] [--debug-dir D] [--format json|text] "
    "[--log-lines N]\n";

int fail(const rpc::Json& error) {
  std::cerr << error.dump(2) << '\n';
  return 1;
}

// A JSON value as text: strings bare, null as "?".
std::string text(const rpc::Json& value) {
  if (value.is_null()) return "?";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

// A member of an object that may be null or lack it.
const rpc::Json& at(const rpc::Json& object, const char* key) {
  static const rpc::Json kNull;
  return object.is_object() && object.contains(key) ? object[key] : kNull;
}

std::string location(const rpc::Json& f) {
  if (at(f, "file").is_null()) return "";
  return text(at(f, "file")) + ":" + text(at(f, "line"));
}

std::string uptime(const rpc::Json& ns) {
  if (!ns.is_number_unsigned()) return "?";
  const std::uint64_t s = ns.get<std::uint64_t>() / 1'000'000'000ull;
  char out[32];
  std::snprintf(
      out, sizeof out, "%02llu:%02llu:%02llu", static_cast<unsigned long long>(s % 86400 / 3600),
      static_cast<unsigned long long>(s % 3600 / 60), static_cast<unsigned long long>(s % 60));
  const std::uint64_t days = s / 86400;
  if (days == 0) return out;
  return std::to_string(days) + (days == 1 ? " day, " : " days, ") + out;
}

std::string mebibytes(const rpc::Json& bytes) {
  if (!bytes.is_number_unsigned()) return "?";
  char out[32];
  std::snprintf(out, sizeof out, "%.1f MiB",
                static_cast<double>(bytes.get<std::uint64_t>()) / (1024.0 * 1024.0));
  return out;
}

void render_frames(std::ostream& out, const rpc::Json& trace, std::optional<std::size_t> culprit) {
  const rpc::Json& frames = at(trace, "frames");
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const rpc::Json& f = frames[i];
    out << (culprit && *culprit == i ? " *" : "  ") << "#" << i << (i < 10 ? "  " : " ")
        << text(at(f, "pc")) << "  ";
    if (at(f, "userMode") == true) {
      out << "(user mode)\n";
      continue;
    }
    out << text(at(f, "function"));
    if (at(f, "inline") == true) out << " (inline)";
    if (!at(f, "module").is_null()) out << " [" << text(at(f, "module")) << "]";
    const std::string where = location(f);
    if (!where.empty()) out << "  " << where;
    out << '\n';
  }
  if (!at(trace, "stopped").is_null()) {
    out << "  (stopped: " << text(at(at(trace, "stopped"), "message")) << ")\n";
  }
}

}  // namespace

std::string render_report_text(const rpc::Json& r) {
  std::ostringstream out;
  const rpc::Json& culprit = at(r, "culprit");
  out << "TITLE    " << text(at(r, "title")) << '\n'
      << "KIND     " << text(at(r, "kind")) << '\n'
      << "BUCKET   " << text(at(r, "bucket")) << '\n';
  out << "CULPRIT  ";
  if (culprit.is_null()) {
    out << "(none found)\n";
  } else {
    out << text(at(culprit, "function"));
    if (!at(culprit, "module").is_null()) out << " [" << text(at(culprit, "module")) << "]";
    const std::string where = location(culprit);
    if (!where.empty()) out << "  " << where;
    out << "  (from the " << text(at(culprit, "origin")) << ")\n";
  }
  if (!at(r, "report").is_null()) {
    out << "REPORT   [seq " << text(at(at(r, "report"), "seq")) << "] "
        << text(at(at(r, "report"), "text")) << '\n';
  }

  const rpc::Json& sys = at(r, "sys");
  if (!sys.is_null()) {
    out << "\nSYSTEM\n"
        << "  RELEASE  " << text(at(sys, "release")) << '\n'
        << "  VERSION  " << text(at(sys, "version")) << '\n'
        << "  MACHINE  " << text(at(sys, "machine")) << '\n'
        << "  CPUS     " << text(at(sys, "cpus")) << " (" << text(at(sys, "cpusOnline"))
        << " online)\n"
        << "  MEMORY   " << mebibytes(at(sys, "memoryBytes")) << '\n'
        << "  UPTIME   " << uptime(at(sys, "uptimeNs")) << '\n'
        << "  DATE     " << text(at(sys, "crashTime")) << '\n'
        << "  PANIC    " << text(at(r, "panicMessage")) << '\n';
  }
  const rpc::Json& crashed = at(r, "crashedTask");
  if (!crashed.is_null()) {
    out << "  TASK     pid " << text(at(crashed, "pid")) << " \"" << text(at(crashed, "comm"))
        << "\" on CPU " << text(at(crashed, "cpu")) << ", task " << text(at(crashed, "address"))
        << '\n';
  }

  // The culprit frame is marked in the trace it came from.
  std::optional<std::size_t> culprit_frame;
  if (!culprit.is_null() && at(culprit, "frame").is_number_unsigned()) {
    culprit_frame = at(culprit, "frame").get<std::size_t>();
  }
  const bool culprit_elsewhere = !at(r, "culpritBacktrace").is_null();
  if (!at(r, "backtrace").is_null()) {
    out << "\nBACKTRACE of the crashed task\n";
    render_frames(out, at(r, "backtrace"), culprit_elsewhere ? std::nullopt : culprit_frame);
  }
  if (culprit_elsewhere) {
    const rpc::Json& task = at(r, "culpritTask");
    out << "\nBACKTRACE of the stuck task, pid " << text(at(task, "pid")) << " \""
        << text(at(task, "comm")) << "\"\n";
    render_frames(out, at(r, "culpritBacktrace"), culprit_frame);
  }

  const rpc::Json& blocked = at(r, "blockedTasks");
  out << "\nBLOCKED TASKS (D state): " << blocked.size() << '\n';
  for (const rpc::Json& t : blocked) {
    out << "  pid " << text(at(t, "pid")) << " \"" << text(at(t, "comm")) << "\":";
    const rpc::Json& functions = at(t, "functions");
    if (functions.is_array()) {
      for (std::size_t i = 0; i < functions.size(); ++i) {
        out << (i ? " < " : " ") << text(functions[i]);
      }
    }
    out << '\n';
  }

  const rpc::Json& log = at(r, "log");
  out << "\nLOG (last " << log.size() << " records)\n";
  for (const rpc::Json& record : log) {
    char stamp[32] = "[       ?    ] ";
    if (at(record, "timestampNs").is_number_unsigned()) {
      const std::uint64_t ns = at(record, "timestampNs").get<std::uint64_t>();
      std::snprintf(stamp, sizeof stamp, "[%5llu.%06llu] ",
                    static_cast<unsigned long long>(ns / 1'000'000'000ull),
                    static_cast<unsigned long long>(ns % 1'000'000'000ull / 1000));
    }
    out << stamp << text(at(record, "text")) << '\n';
  }

  const rpc::Json& problems = at(r, "problems");
  if (problems.is_array() && !problems.empty()) {
    out << "\nPROBLEMS (the report is partial)\n";
    for (const rpc::Json& p : problems) {
      out << "  " << text(at(at(p, "data"), "kind")) << ": " << text(at(p, "message"));
      if (!at(at(p, "data"), "address").is_null()) {
        out << " (address " << text(at(at(p, "data"), "address")) << ")";
      }
      out << '\n';
    }
  }
  for (const rpc::Json& note : at(r, "notes")) out << "note: " << text(note) << '\n';
  return out.str();
}

int run_report(const CommandLine& line) {
  const std::string format = line.get("--format", "json");
  if (!line.has("--core") || !line.positional.empty() || (format != "json" && format != "text")) {
    std::cerr << kUsage;
    return 2;
  }
  rpc::Json params = rpc::Json::object();
  if (line.has("--log-lines")) {
    const std::string n = line.get("--log-lines");
    if (n.empty() || n.size() > 6 || n.find_first_not_of("0123456789") != std::string::npos) {
      std::cerr << "vmscope report: --log-lines needs a number\n" << kUsage;
      return 2;
    }
    params["logLines"] = std::stoul(n);
  }

  // The person at the command line names any file they can read: no directory policy.
  server::SessionRegistry sessions({.allow_any_path = true});
  rpc::Dispatcher dispatcher;
  rpc::register_all_methods(dispatcher, {.sessions = &sessions, .status = [] {
                                           return rpc::ServerStatus{.in_flight_requests = 1};
                                         }});
  rpc::RequestContext context;
  rpc::Json open_params = {{"core", line.get("--core")}};
  if (line.has("--vmlinux")) open_params["vmlinux"] = line.get("--vmlinux");
  if (line.has("--debug-dir")) open_params["debugDir"] = line.get("--debug-dir");
  Result<rpc::Json> opened = dispatcher.call("dump/open", open_params, context);
  if (!opened.ok()) return fail(rpc::error_object(opened.error()));
  params["dumpId"] = (*opened)["dumpId"];
  Result<rpc::Json> report = dispatcher.call("triage/report", params, context);
  if (!report.ok()) return fail(rpc::error_object(report.error()));
  if (format == "json") {
    std::cout << report->dump(2) << '\n';
  } else {
    std::cout << render_report_text(*report);
  }
  return 0;
}

}  // namespace vmscope::app
