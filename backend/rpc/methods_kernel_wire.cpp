#include "rpc/methods_kernel_wire.h"

#include <ctime>
#include <string>

#include "rpc/errors.h"
#include "rpc/wire_values.h"
#include "support/hex.h"

namespace vmscope::rpc {
namespace {

Json string_or_null(const std::string& text) {
  return text.empty() ? Json(nullptr) : Json(text);
}

template <typename T>
Json optional_json(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

std::string iso_time(std::int64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace

Json problem_json(const Error& error) {
  return error_object(error);
}

Json problems_json(std::span<const Error> errors) {
  Json out = Json::array();
  for (const Error& e : errors) out.push_back(problem_json(e));
  return out;
}

Json task_json(const kernel::Task& t, std::uint64_t page_size) {
  return {{"pid", t.pid},
          {"tgid", t.tgid},
          {"ppid", t.ppid},
          {"comm", t.comm},
          {"state", std::string(1, t.ps_state)},
          {"crashState", t.crash_state},
          {"cpu", t.cpu},
          {"address", hex_u64(t.address)},
          {"active", t.active_on_cpu.has_value()},
          {"idle", t.idle},
          {"kernelThread", t.kernel_thread},
          {"rssBytes", t.rss_pages * page_size},
          {"vmBytes", t.total_vm_pages * page_size},
          {"prio", t.prio},
          {"flags", hex_u64(t.flags)},
          {"rawState", hex_u64(t.state)},
          {"exitState", hex_u64(t.exit_state)},
          {"parent", hex_u64(t.real_parent)},
          {"mm", hex_u64(t.mm)},
          {"stack", hex_u64(t.stack)}};
}

Json task_ref_json(const kernel::Task& t) {
  return {{"pid", t.pid},
          {"comm", t.comm},
          {"address", hex_u64(t.address)},
          {"cpu", t.cpu},
          {"active", t.active_on_cpu.has_value()}};
}

Json crashed_task_json(const kernel::CrashedTask& t) {
  return {{"pid", t.pid},
          {"comm", t.comm},
          {"address", hex_u64(t.address)},
          {"cpu", t.cpu},
          {"source", t.source}};
}

Json frame_json(const kernel::StackFrame& f) {
  Json j = {{"pc", hex_u64(f.pc)},
            {"sp", hex_u64(f.sp)},
            {"function", string_or_null(f.function)},
            {"symbol", string_or_null(f.symbol)},
            {"offset", f.symbol.empty() ? Json(nullptr) : Json(f.symbol_offset)},
            {"module", string_or_null(f.module)},
            {"file", f.source ? Json(f.source->file) : Json(nullptr)},
            {"line", f.source ? Json(f.source->line) : Json(nullptr)},
            {"column", f.source && f.source->column ? Json(f.source->column) : Json(nullptr)},
            {"inline", f.inline_frame},
            {"interrupted", f.interrupted},
            {"userMode", f.user_mode},
            {"stack", string_or_null(f.stack_kind)},
            {"method", std::string(unwind_method_name(f.method))},
            {"ptRegs", f.pt_regs ? Json(hex_u64(*f.pt_regs)) : Json(nullptr)}};
  if (!f.symbol.empty()) j["symbolSize"] = f.symbol_size;
  return j;
}

Json frame_variables_json(const kernel::StackFrame& f) {
  Json out = Json::array();
  for (const debuginfo::FrameVariable& v : f.variables) {
    Json j = {{"name", v.name},
              {"kind", v.parameter ? "argument" : "local"},
              {"type", v.type_name},
              {"size", v.size}};
    if (v.address) j["address"] = hex_u64(*v.address);
    if (v.value) {
      static constexpr char kDigits[] = "0123456789abcdef";
      std::string bytes;
      std::uint64_t number = 0;
      for (std::size_t i = 0; i < v.value->size(); ++i) {
        const auto b = std::to_integer<unsigned>((*v.value)[i]);
        bytes.push_back(kDigits[b >> 4]);
        bytes.push_back(kDigits[b & 0xf]);
        if (i < 8) number |= std::uint64_t{b} << (8 * i);
      }
      j["bytes"] = bytes;
      if (!v.value->empty() && v.value->size() <= 8) j["value"] = hex_u64(number);
    } else {
      j["unavailable"] = v.unavailable.empty() ? "no value" : v.unavailable;
    }
    out.push_back(std::move(j));
  }
  return out;
}

Json trace_json(const kernel::StackTrace& t) {
  Json frames = Json::array();
  for (const kernel::StackFrame& f : t.frames) frames.push_back(frame_json(f));
  Json notes = Json::array();
  for (const std::string& n : t.notes) notes.push_back(n);
  return {{"start", t.start},
          {"frames", std::move(frames)},
          {"complete", t.complete()},
          {"stopped", t.stopped ? problem_json(*t.stopped) : Json(nullptr)},
          {"endReason", t.end_reason},
          {"notes", std::move(notes)}};
}

Json log_record_json(const kernel::LogRecord& r) {
  Json caller = nullptr;
  if (r.caller_tid) caller = "T" + std::to_string(*r.caller_tid);
  if (r.caller_cpu) caller = "C" + std::to_string(*r.caller_cpu);
  Json context = Json::object();
  for (const auto& [key, value] : r.context) context[key] = value;
  return {{"seq", r.seq},
          {"timestampNs", r.timestamp_ns},
          {"level", r.level},
          {"facility", r.facility},
          {"text", r.text},
          {"caller", std::move(caller)},
          {"continuation", r.continuation},
          {"state", std::string(kernel::log_record_state_name(r.state))},
          {"context", std::move(context)}};
}

Json module_json(const kernel::KernelModule& m) {
  Json regions = Json::array();
  for (const kernel::ModuleRegion& r : m.regions) {
    regions.push_back({{"kind", r.kind}, {"base", hex_u64(r.base)}, {"size", r.size}});
  }
  return {{"name", m.name},
          {"address", hex_u64(m.address)},
          {"base", hex_u64(m.base)},
          {"size", m.size},
          {"textSize", optional_json(m.text_size)},
          {"roSize", optional_json(m.ro_size)},
          {"regions", std::move(regions)},
          {"state", m.state},
          {"taints", m.taint_letters},
          {"refcnt", optional_json(m.refcnt)},
          {"buildId", m.build_id.empty() ? Json(nullptr) : Json(hex_bytes(m.build_id))},
          {"debugFile", string_or_null(m.debug_file)}};
}

Json sys_json(const kernel::SysInfo& s) {
  auto bytes = [&](const std::optional<std::uint64_t>& pages) {
    return pages ? Json(*pages * s.page_size) : Json(nullptr);
  };
  return {
      {"sysname", s.sysname},
      {"nodename", s.nodename},
      {"release", s.release},
      {"version", s.version},
      {"machine", s.machine},
      {"domainname", s.domainname},
      {"cpus", s.cpus()},
      {"cpusOnline", s.cpus_online},
      {"cpusPossible", s.cpus_possible},
      {"pageSize", s.page_size},
      {"memoryBytes", bytes(s.memory_present_pages)},
      {"totalRamBytes", bytes(s.totalram_pages)},
      {"uptimeNs", s.uptime_seconds ? Json(*s.uptime_seconds * 1'000'000'000ull) : Json(nullptr)},
      {"jiffies", s.jiffies ? Json(hex_u64(*s.jiffies)) : Json(nullptr)},
      {"hz", optional_json(s.hz)},
      {"crashTime", s.crash_time ? Json(iso_time(*s.crash_time)) : Json(nullptr)},
      {"crashTimeSource", string_or_null(s.crash_time_source)},
      {"loadAverage", s.avenrun ? Json(kernel::format_load_average(*s.avenrun)) : Json(nullptr)},
      {"cpuMhz", optional_json(s.cpu_mhz)},
      {"taskCount", optional_json(s.task_count)},
      {"panicMessage", optional_json(s.panic_message)},
      {"crashedTask", s.crashed_task ? crashed_task_json(*s.crashed_task) : Json(nullptr)},
      {"live", s.live}};
}

}  // namespace vmscope::rpc
