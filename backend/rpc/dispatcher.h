// The JSON-RPC 2.0 dispatcher: method name -> handler, shared by every transport (stdio, HTTP,
// the in-process `vmscope call`). It validates the envelope (jsonrpc, id, method, params),
// handles batches, and guarantees one reply per request and none per notification. Handlers
// receive params as JSON and return Result<Json>; backend Errors become JSON-RPC errors here
// (rpc/errors.h) and nowhere else.
//
// Transports run requests on worker threads: they split a message with prepare() (envelope
// checks, done at once on the reader thread) from run() (the handler, on a worker), and put
// their own cancellation token and progress reporter in the RequestContext.
//
// Threading: add() is called during start-up only; handle(), prepare() and run() may then be
// called from many threads at once.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rpc/json.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::rpc {

// Progress of one request, sent as LSP `$/progress` notifications: {token, value} where value
// is {kind: "begin", title, percentage?}, {kind: "report", message, percentage?} or
// {kind: "end", message?}. A request asks for it by putting `workDoneToken` in its params;
// without one the reporter is inactive and every call is a no-op, so handlers report
// unconditionally. Calls out of order (report before begin, anything after end) are ignored;
// reports closer than 50 ms apart are skipped unless the whole percentage changed, so a walk
// may report per item. Copies share one state; safe from any thread.
class ProgressReporter {
 public:
  // Receives the `$/progress` params, {token, value}.
  using Sink = std::function<void(const Json& params)>;

  ProgressReporter() = default;  // inactive
  ProgressReporter(Json token, Sink sink);

  bool active() const { return state_ != nullptr; }
  void begin(const std::string& title, std::optional<int> percentage = std::nullopt) const;
  void report(const std::string& message, std::optional<int> percentage = std::nullopt) const;
  void end(const std::string& message = "") const;
  // Ends a begun progress the handler left open; the dispatcher calls it when the handler
  // returns, so no client waits for an "end" that never comes.
  void finish() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

struct RequestContext {
  CancellationToken cancel;
  ProgressReporter progress;
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

  // One valid request or notification, ready to run.
  struct Call {
    Json id;  // null for a notification
    bool notification = false;
    std::string method;
    Json params;           // an object or array; `workDoneToken` taken out
    Json work_done_token;  // null when the request asked for no progress
  };
  // prepare() yields a call to run, or the error response due at once, or neither (a
  // notification naming an unknown method is ignored, as JSON-RPC says).
  struct Prepared {
    std::optional<Call> call;
    std::optional<Json> response;
  };
  // Checks one message that is not a batch.
  Prepared prepare(const Json& message) const;
  // Runs the handler unless the request is already cancelled, ends its progress, and returns
  // the response (nothing for a notification).
  std::optional<Json> run(const Call& call, const RequestContext& context) const;

  // {"jsonrpc":"2.0","id":…,"error":…}
  static Json error_response(const Json& id, const Json& error);

 private:
  std::optional<Json> handle_single(const Json& message, const RequestContext& context) const;
  std::map<std::string, Handler> handlers_;
};

}  // namespace vmscope::rpc
