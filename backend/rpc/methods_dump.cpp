#include "rpc/methods_dump.h"

#include <chrono>
#include <vector>

#include "rpc/wire_values.h"

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

Json describe(const server::OpenDump& dump) {
  const KernelTarget& target = *dump.target;
  Json j = {{"dumpId", dump.id},
            {"core", dump.core_path},
            {"format", target.program().dump().format_name()},
            {"openedAt", iso_time(dump.opened_at)}};
  if (auto release = target.vmcoreinfo().osrelease(); release.ok()) j["release"] = *release;
  if (!dump.vmlinux_path.empty()) j["vmlinux"] = dump.vmlinux_path;
  j["kernelOffset"] = hex_u64(target.layout().kernel_offset);
  j["fiveLevelPaging"] = target.layout().five_level;
  return j;
}

Result<server::OpenDump> dump_of(server::SessionRegistry& sessions, const Json& params) {
  VMSCOPE_TRY(std::string id, required_string(params, "dumpId"));
  return sessions.get(id);
}

std::string to_hex_bytes(const std::vector<std::byte>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::byte b : bytes) {
    out.push_back(kDigits[std::to_integer<unsigned>(b) >> 4]);
    out.push_back(kDigits[std::to_integer<unsigned>(b) & 0xf]);
  }
  return out;
}

}  // namespace

void register_dump_methods(Dispatcher& dispatcher, server::SessionRegistry& sessions) {
  dispatcher.add("dump/open",
                 [&sessions](const Json& params, const RequestContext&) -> Result<Json> {
                   server::DumpOpenRequest request;
                   VMSCOPE_TRY(request.core, required_string(params, "core"));
                   request.vmlinux = optional_string(params, "vmlinux").value_or("");
                   request.debug_dir = optional_string(params, "debugDir").value_or("");
                   VMSCOPE_TRY(server::OpenDump dump, sessions.open(request));
                   return describe(dump);
                 });

  dispatcher.add("dump/close",
                 [&sessions](const Json& params, const RequestContext&) -> Result<Json> {
                   VMSCOPE_TRY(std::string id, required_string(params, "dumpId"));
                   VMSCOPE_CHECK(sessions.close(id));
                   return Json{{"closed", true}};
                 });

  dispatcher.add("dump/list", [&sessions](const Json&, const RequestContext&) -> Result<Json> {
    Json dumps = Json::array();
    for (const auto& dump : sessions.list()) dumps.push_back(describe(dump));
    return Json{{"dumps", dumps}};
  });

  dispatcher.add(
      "memory/read", [&sessions](const Json& params, const RequestContext&) -> Result<Json> {
        VMSCOPE_TRY(server::OpenDump dump, dump_of(sessions, params));
        VMSCOPE_TRY(std::uint64_t address, required_address(params, "address"));
        VMSCOPE_TRY(std::uint64_t length, optional_count(params, "length", 64, kMaxReadLength));
        std::vector<std::byte> bytes(length);
        VMSCOPE_CHECK(dump.target->program().memory().read(address, bytes));
        return Json{{"address", hex_u64(address)}, {"data", to_hex_bytes(bytes)}};
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
