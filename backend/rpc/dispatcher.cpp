#include "rpc/dispatcher.h"

#include <algorithm>
#include <exception>
#include <mutex>

#include "rpc/errors.h"

namespace vmscope::rpc {
namespace {

Json response_error(const Json& id, const Json& error) {
  return Dispatcher::error_response(id, error);
}

// message[key] == expected, for a key whose value may have any type (json::value() would throw
// when a client sends {"jsonrpc": 2}).
bool string_member_is(const Json& message, const char* key, const char* expected) {
  auto it = message.find(key);
  return it != message.end() && it->is_string() && it->get_ref<const std::string&>() == expected;
}

bool valid_id(const Json& id) {
  return id.is_string() || id.is_number() || id.is_null();
}

// LSP's ProgressToken: an integer or a string.
bool valid_progress_token(const Json& token) {
  return token.is_string() || token.is_number_integer();
}

constexpr std::chrono::milliseconds kMinReportInterval{50};

}  // namespace

struct ProgressReporter::State {
  Json token;
  Sink sink;
  std::mutex mutex;  // held while sending, so begin/report/end leave in the order made
  enum class Phase { kIdle, kBegun, kEnded } phase = Phase::kIdle;
  std::chrono::steady_clock::time_point last_report{};
  std::optional<int> last_percentage;

  void send(Json value) { sink({{"token", token}, {"value", std::move(value)}}); }
};

ProgressReporter::ProgressReporter(Json token, Sink sink) : state_(std::make_shared<State>()) {
  state_->token = std::move(token);
  state_->sink = std::move(sink);
}

void ProgressReporter::begin(const std::string& title, std::optional<int> percentage) const {
  if (!state_) return;
  std::lock_guard lock(state_->mutex);
  if (state_->phase != State::Phase::kIdle) return;
  state_->phase = State::Phase::kBegun;
  Json value = {{"kind", "begin"}, {"title", title}};
  if (percentage) value["percentage"] = std::clamp(*percentage, 0, 100);
  state_->last_percentage = percentage;
  state_->last_report = std::chrono::steady_clock::now();
  state_->send(std::move(value));
}

void ProgressReporter::report(const std::string& message, std::optional<int> percentage) const {
  if (!state_) return;
  std::lock_guard lock(state_->mutex);
  if (state_->phase != State::Phase::kBegun) return;
  auto now = std::chrono::steady_clock::now();
  bool percentage_moved = percentage && percentage != state_->last_percentage;
  if (!percentage_moved && now - state_->last_report < kMinReportInterval) return;
  state_->last_report = now;
  if (percentage) state_->last_percentage = percentage;
  Json value = {{"kind", "report"}, {"message", message}};
  if (percentage) value["percentage"] = std::clamp(*percentage, 0, 100);
  state_->send(std::move(value));
}

void ProgressReporter::end(const std::string& message) const {
  if (!state_) return;
  std::lock_guard lock(state_->mutex);
  if (state_->phase != State::Phase::kBegun) return;
  state_->phase = State::Phase::kEnded;
  Json value = {{"kind", "end"}};
  if (!message.empty()) value["message"] = message;
  state_->send(std::move(value));
}

void ProgressReporter::finish() const {
  end();
}

Json Dispatcher::error_response(const Json& id, const Json& error) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", error}};
}

void Dispatcher::add(std::string method, Handler handler) {
  handlers_[std::move(method)] = std::move(handler);
}

std::vector<std::string> Dispatcher::methods() const {
  std::vector<std::string> names;
  for (const auto& [name, handler] : handlers_) names.push_back(name);
  return names;
}

Result<Json> Dispatcher::call(const std::string& method, const Json& params,
                              const RequestContext& context) const {
  auto it = handlers_.find(method);
  if (it == handlers_.end()) {
    return Error(ErrorCode::kNotFound, "method not found: " + method, {.name = method});
  }
  if (!params.is_object() && !params.is_array() && !params.is_null()) {
    return Error(ErrorCode::kInvalidArgument, "params must be an object or an array");
  }
  try {
    return it->second(params.is_null() ? Json::object() : params, context);
  } catch (const Json::exception& e) {
    // nlohmann throws on a wrongly typed field; that is the client's invalid params.
    return Error(ErrorCode::kInvalidArgument, std::string("invalid params: ") + e.what());
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInternal, std::string("internal error: ") + e.what());
  }
}

Dispatcher::Prepared Dispatcher::prepare(const Json& message) const {
  if (!message.is_object() || !string_member_is(message, "jsonrpc", "2.0") ||
      !message.contains("method") || !message["method"].is_string()) {
    Json id = message.is_object() && message.contains("id") && valid_id(message["id"])
                  ? message["id"]
                  : Json(nullptr);
    return {.response =
                response_error(id, error_object(kInvalidRequest, "invalid JSON-RPC 2.0 request"))};
  }
  Call call;
  call.notification = !message.contains("id");
  call.id = call.notification ? Json(nullptr) : message["id"];
  if (!call.notification && !valid_id(call.id)) {
    return {.response = response_error(
                nullptr, error_object(kInvalidRequest, "id must be a string or number"))};
  }
  call.method = message["method"].get<std::string>();
  call.params = message.contains("params") ? message["params"] : Json::object();

  if (!has(call.method)) {
    if (call.notification) return {};
    return {.response = response_error(
                call.id, error_object(kMethodNotFound, "method not found: " + call.method))};
  }
  if (call.params.is_object() && call.params.contains("workDoneToken")) {
    call.work_done_token = call.params["workDoneToken"];
    call.params.erase("workDoneToken");
    if (!valid_progress_token(call.work_done_token)) {
      if (call.notification) return {};
      return {.response = response_error(
                  call.id, error_object(Error(ErrorCode::kInvalidArgument,
                                              "workDoneToken must be a string or an integer",
                                              {.name = "workDoneToken"})))};
    }
  }
  return {.call = std::move(call)};
}

std::optional<Json> Dispatcher::run(const Call& call, const RequestContext& context) const {
  // A request cancelled while it waited for a worker never starts.
  Result<Json> result = context.cancel.cancelled()
                            ? Result<Json>(Error(ErrorCode::kCancelled, "request cancelled"))
                            : this->call(call.method, call.params, context);
  context.progress.finish();
  if (call.notification) return std::nullopt;
  if (!result.ok()) return response_error(call.id, error_object(result.error()));
  return Json{{"jsonrpc", "2.0"}, {"id", call.id}, {"result", std::move(result).value()}};
}

std::optional<Json> Dispatcher::handle_single(const Json& message,
                                              const RequestContext& context) const {
  Prepared prepared = prepare(message);
  if (!prepared.call) return std::move(prepared.response);
  return run(*prepared.call, context);
}

std::optional<Json> Dispatcher::handle(const Json& message, const RequestContext& context) const {
  if (!message.is_array()) return handle_single(message, context);
  if (message.empty()) {
    return response_error(nullptr, error_object(kInvalidRequest, "empty batch"));
  }
  Json responses = Json::array();
  for (const Json& item : message) {
    if (auto response = handle_single(item, context)) responses.push_back(std::move(*response));
  }
  if (responses.empty()) return std::nullopt;
  return responses;
}

std::optional<std::string> Dispatcher::handle_text(const std::string& text,
                                                   const RequestContext& context) const {
  Json message = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (message.is_discarded()) {
    return response_error(nullptr, error_object(kParseError, "malformed JSON")).dump();
  }
  auto response = handle(message, context);
  if (!response) return std::nullopt;
  return response->dump();
}

}  // namespace vmscope::rpc
