#include "rpc/methods_dump.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rpc/receiver_notifications.h"
#include "rpc/wire_values.h"
#include "support/hex.h"
#include "support/progress.h"

namespace vmscope::rpc {
namespace {

// memory/read returns at most this many bytes per call: a client pages through larger ranges.
constexpr std::uint64_t kMaxReadLength = 1 << 20;

std::string iso_time(std::chrono::system_clock::time_point t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

// The receivedId of a dump file inside the receiver's directory:
// <dumpdir>/<id>/vmcore[-incomplete].
std::optional<std::string> received_id_of(const std::string& core,
                                          const server::ReceiverService* receiver) {
  if (receiver == nullptr) return std::nullopt;
  std::filesystem::path path(core);
  if (path.parent_path().parent_path() != receiver->dump_dir()) return std::nullopt;
  return path.parent_path().filename().string();
}

Json describe(const server::OpenDump& dump, const server::ReceiverService* receiver) {
  const KernelTarget& target = *dump.target;
  Json j = {{"dumpId", dump.id},
            {"core", dump.core_path},
            {"format", target.program().dump().format_name()},
            {"openedAt", iso_time(dump.opened_at)}};
  if (auto release = target.vmcoreinfo().osrelease(); release.ok()) j["release"] = *release;
  if (!dump.vmlinux_path.empty()) j["vmlinux"] = dump.vmlinux_path;
  j["kernelOffset"] = hex_u64(target.layout().kernel_offset);
  j["fiveLevelPaging"] = target.layout().five_level;
  if (auto id = received_id_of(dump.core_path, receiver)) j["receivedId"] = *id;
  return j;
}

// The steps of a new open reach the client as $/progress: the first begins it, every step
// (including the first) is a report. The open runs on this request's thread, so `begun` needs no
// lock; the dispatcher sends the end.
ProgressFunction open_progress(const ProgressReporter& reporter) {
  auto begun = std::make_shared<bool>(false);
  return [reporter, begun](const std::string& message, std::optional<int> percentage) {
    if (!*begun) {
      *begun = true;
      reporter.begin("Opening dump", percentage);
    }
    reporter.report(message, percentage);
  };
}

Result<server::OpenDump> open_dump(const Json& params, server::SessionRegistry& sessions,
                                   const server::ReceiverService* receiver,
                                   const ProgressReporter& progress) {
  std::optional<std::string> received = optional_string(params, "receivedId");
  std::string debug_dir = optional_string(params, "debugDir").value_or("");
  if (!received) {
    server::DumpOpenRequest request;
    VMSCOPE_TRY(request.core, required_string(params, "core"));
    request.vmlinux = optional_string(params, "vmlinux").value_or("");
    request.debug_dir = debug_dir;
    if (progress.active()) request.progress = open_progress(progress);
    return sessions.open(request);
  }
  if (params.contains("core") || params.contains("vmlinux")) {
    return Error(ErrorCode::kInvalidArgument,
                 "give either core (and vmlinux) or receivedId, not both", {.name = "receivedId"});
  }
  if (receiver == nullptr) {
    return Error(ErrorCode::kNotFound,
                 "no received dump " + *received +
                     ": this server runs no receiver (vmscope serve --receive DIR)",
                 {.name = *received});
  }
  return receiver->open(*received, sessions, debug_dir);
}

Result<Json> list_dumps(const Json& params, server::SessionRegistry& sessions,
                        const server::ReceiverService* receiver) {
  std::optional<std::string> source = optional_string(params, "source");
  if (source && *source != "opened" && *source != "received") {
    return Error(ErrorCode::kInvalidArgument,
                 "source must be \"opened\" or \"received\", got \"" + *source + "\"",
                 {.name = "source"});
  }
  std::vector<server::OpenDump> open = sessions.list();
  Json dumps = Json::array();
  if (!source || *source == "opened") {
    for (const auto& dump : open) {
      Json j = describe(dump, receiver);
      j["source"] = "opened";
      dumps.push_back(std::move(j));
    }
  }
  if (receiver != nullptr && (!source || *source == "received")) {
    VMSCOPE_TRY(std::vector<CatalogEntry> received, receiver->list());
    for (const CatalogEntry& entry : received) {
      std::optional<std::string> dump_id;
      for (const auto& dump : open) {
        if (dump.core_path == entry.vmcore.string()) dump_id = dump.id;
      }
      dumps.push_back(received_dump_json(entry, dump_id));
    }
  }
  return Json{{"dumps", std::move(dumps)}};
}

Result<server::OpenDump> dump_of(server::SessionRegistry& sessions, const Json& params) {
  VMSCOPE_TRY(std::string id, required_string(params, "dumpId"));
  return sessions.get(id);
}

}  // namespace

void register_dump_methods(Dispatcher& dispatcher, server::SessionRegistry& sessions,
                           server::ReceiverService* receiver) {
  dispatcher.add(
      "dump/open",
      [&sessions, receiver](const Json& params, const RequestContext& context) -> Result<Json> {
        VMSCOPE_TRY(server::OpenDump dump, open_dump(params, sessions, receiver, context.progress));
        context.progress.end("Opened " + dump.id);
        return describe(dump, receiver);
      });

  dispatcher.add("dump/close",
                 [&sessions](const Json& params, const RequestContext&) -> Result<Json> {
                   VMSCOPE_TRY(std::string id, required_string(params, "dumpId"));
                   VMSCOPE_CHECK(sessions.close(id));
                   return Json{{"closed", true}};
                 });

  dispatcher.add("dump/list",
                 [&sessions, receiver](const Json& params, const RequestContext&) -> Result<Json> {
                   return list_dumps(params, sessions, receiver);
                 });

  dispatcher.add(
      "memory/read", [&sessions](const Json& params, const RequestContext&) -> Result<Json> {
        VMSCOPE_TRY(server::OpenDump dump, dump_of(sessions, params));
        VMSCOPE_TRY(std::uint64_t address, required_address(params, "address"));
        VMSCOPE_TRY(std::uint64_t length, optional_count(params, "length", 64, kMaxReadLength));
        std::vector<std::byte> bytes(length);
        VMSCOPE_CHECK(dump.target->program().memory().read(address, bytes));
        return Json{{"address", hex_u64(address)}, {"data", hex_bytes(bytes)}};
      });

  dispatcher.add(
      "memory/translate", [&sessions](const Json& params, const RequestContext&) -> Result<Json> {
        VMSCOPE_TRY(server::OpenDump dump, dump_of(sessions, params));
        VMSCOPE_TRY(std::uint64_t address, required_address(params, "address"));
        VMSCOPE_TRY(Translation t, dump.target->program().translator().translate(address));
        return Json{{"address", hex_u64(address)},
                    {"physical", hex_u64(t.physical)},
                    {"pageSize", t.page_size}};
      });
}

}  // namespace vmscope::rpc
