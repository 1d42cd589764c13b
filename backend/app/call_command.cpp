#include "app/call_command.h"

#include <iostream>

#include "rpc/dispatcher.h"
#include "rpc/errors.h"
#include "rpc/method_table.h"
#include "server/session_registry.h"

namespace vmscope::app {
namespace {

int fail(const rpc::Json& error) {
  std::cerr << error.dump(2) << '\n';
  return 1;
}

}  // namespace

int run_call(const CommandLine& line) {
  if (line.positional.empty() || line.positional.size() > 2) {
    std::cerr << "usage: vmscope call [--core C --vmlinux V --debug-dir D] METHOD [JSON-PARAMS]\n";
    return 2;
  }
  const std::string& method = line.positional[0];
  rpc::Json params = rpc::Json::object();
  if (line.positional.size() == 2) {
    params = rpc::Json::parse(line.positional[1], nullptr, /*allow_exceptions=*/false);
    if (params.is_discarded()) return fail(rpc::error_object(rpc::kParseError, "malformed JSON"));
  }

  // The person at the command line names any file they can read: no directory policy.
  server::SessionRegistry sessions({.allow_any_path = true});
  rpc::Dispatcher dispatcher;
  rpc::register_all_methods(
      dispatcher,
      {.sessions = &sessions,
       // No server around this one call: it reports an idle one with only itself in flight.
       .status = [] { return rpc::ServerStatus{.in_flight_requests = 1}; }});
  rpc::RequestContext context;

  if (line.has("--core")) {
    rpc::Json open_params = {{"core", line.get("--core")}};
    if (line.has("--vmlinux")) open_params["vmlinux"] = line.get("--vmlinux");
    if (line.has("--debug-dir")) open_params["debugDir"] = line.get("--debug-dir");
    if (!dispatcher.has("dump/open")) {
      return fail(rpc::error_object(rpc::kMethodNotFound,
                                    "method not found: dump/open (dump opening is not built yet)"));
    }
    Result<rpc::Json> opened = dispatcher.call("dump/open", open_params, context);
    if (!opened.ok()) return fail(rpc::error_object(opened.error()));
    if (params.is_object()) params["dumpId"] = (*opened)["dumpId"];
  }

  if (!dispatcher.has(method)) {
    return fail(rpc::error_object(rpc::kMethodNotFound, "method not found: " + method));
  }
  Result<rpc::Json> result = dispatcher.call(method, params, context);
  if (!result.ok()) return fail(rpc::error_object(result.error()));
  std::cout << result->dump(2) << '\n';
  return 0;
}

}  // namespace vmscope::app
