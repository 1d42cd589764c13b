// log/read: the kernel log's records, by sequence range and level, paged.
//
// `follow` asks a live source to keep sending records as they are logged. A dump is not
// live: its log ended when the machine died, so follow answers exactly like a plain read and
// the result says `live: false` (no notification will follow).
#include <algorithm>

#include "rpc/methods_kernel.h"
#include "rpc/methods_kernel_wire.h"
#include "rpc/wire_values.h"

namespace vmscope::rpc {
namespace {

constexpr std::uint64_t kDefaultLimit = 1000;
constexpr std::uint64_t kMaxLimit = 100000;

Result<Json> read(const KernelMethods& methods, const Json& params, const RequestContext& context) {
  VMSCOPE_TRY(KernelMethods::Dump d, methods.dump(params));
  VMSCOPE_TRY(std::uint64_t from, optional_count(params, "fromSeq", 0, UINT64_MAX));
  VMSCOPE_TRY(std::uint64_t to, optional_count(params, "toSeq", UINT64_MAX, UINT64_MAX));
  VMSCOPE_TRY(std::uint64_t max_level, optional_count(params, "maxLevel", 7, 7));
  VMSCOPE_TRY(std::uint64_t limit, optional_count(params, "limit", kDefaultLimit, kMaxLimit));
  VMSCOPE_TRY(bool tail, optional_bool(params, "tail"));
  VMSCOPE_TRY([[maybe_unused]] bool follow, optional_bool(params, "follow"));
  VMSCOPE_TRY(auto log, d.facts->log(context.cancel));

  auto matches = [&](const kernel::LogRecord& r) {
    return r.seq >= from && r.seq < to && r.level <= max_level;
  };
  std::vector<const kernel::LogRecord*> page;
  bool more = false;
  if (tail) {
    // The last `limit` matching records.
    for (auto it = log->records.rbegin(); it != log->records.rend(); ++it) {
      if (!matches(*it)) continue;
      if (page.size() == limit) {
        more = true;  // older matching records remain before the page
        break;
      }
      page.push_back(&*it);
    }
    std::reverse(page.begin(), page.end());
  } else {
    for (const kernel::LogRecord& r : log->records) {
      if (!matches(r)) continue;
      if (page.size() == limit) {
        more = true;
        break;
      }
      page.push_back(&r);
    }
  }

  Json records = Json::array();
  for (const kernel::LogRecord* r : page) records.push_back(log_record_json(*r));
  Json skipped = Json::object();
  for (const auto& [reason, count] : log->skipped) skipped[reason] = count;
  const bool empty = log->records.empty();
  const std::uint64_t next = page.empty() ? from : page.back()->seq + 1;
  return Json{{"records", std::move(records)},
              {"firstSeq", empty ? Json(nullptr) : Json(log->records.front().seq)},
              {"lastSeq", empty ? Json(nullptr) : Json(log->records.back().seq)},
              {"nextSeq", next},
              {"more", more},
              {"source", log->source},
              {"live", false},
              {"partial", log->partial()},
              {"skipped", std::move(skipped)},
              {"problems", problems_json(log->problems)}};
}

}  // namespace

void register_log_methods(Dispatcher& dispatcher, const KernelMethods& methods) {
  dispatcher.add("log/read", [methods](const Json& params, const RequestContext& context) {
    return read(methods, params, context);
  });
}

}  // namespace vmscope::rpc
