// The JSON-RPC 2.0 dispatcher: method name -> handler, shared by every transport (stdio, HTTP,
// the in-process `vmscope call`). It validates the envelope (jsonrpc, id, method, params),
// handles batches, and guarantees one reply per request and none per notification. Handlers
// receive params as JSON and return Result<Json>; backend Errors become JSON-RPC errors here
// (rpc/errors.h) and nowhere else.
//
// Threading: add() is called during start-up only; handle() may then be called from many
// threads at once.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rpc/json.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::rpc {

struct RequestContext {
  CancellationToken cancel;
};

using Handler = std::function<Result<Json>(const Json& params, const RequestContext& context)>;

class Dispatcher {
 public:
  void add(std::string method, Handler handler);
  bool has(const std::string& method) const { return handlers_.count(method) != 0; }
  std::vector<std::string> methods() const;

  // One parsed message (a request, a notification or a batch). Returns the response to send,
  // or nothing when no response is due (notifications; a batch of only notifications).
  std::optional<Json> handle(const Json& message, const RequestContext& context) const;

  // Raw text in, raw text out: adds the parse-error case.
  std::optional<std::string> handle_text(const std::string& text,
                                         const RequestContext& context) const;

  // In-process call for the CLI: the handler's result or its error object.
  Result<Json> call(const std::string& method, const Json& params,
                    const RequestContext& context) const;

 private:
  std::optional<Json> handle_single(const Json& message, const RequestContext& context) const;
  std::map<std::string, Handler> handlers_;
};

}  // namespace vmscope::rpc
