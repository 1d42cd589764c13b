#include "rpc/dispatcher.h"

#include <exception>

#include "rpc/errors.h"

namespace vmscope::rpc {
namespace {

Json response_error(const Json& id, const Json& error) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", error}};
}

bool valid_id(const Json& id) {
  return id.is_string() || id.is_number() || id.is_null();
}

}  // namespace

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

std::optional<Json> Dispatcher::handle_single(const Json& message,
                                              const RequestContext& context) const {
  if (!message.is_object() || message.value("jsonrpc", "") != "2.0" ||
      !message.contains("method") || !message["method"].is_string()) {
    Json id = message.is_object() && message.contains("id") && valid_id(message["id"])
                  ? message["id"]
                  : Json(nullptr);
    return response_error(id, error_object(kInvalidRequest, "invalid JSON-RPC 2.0 request"));
  }
  const bool is_notification = !message.contains("id");
  const Json id = is_notification ? Json(nullptr) : message["id"];
  if (!is_notification && !valid_id(id)) {
    return response_error(nullptr, error_object(kInvalidRequest, "id must be a string or number"));
  }
  const std::string method = message["method"].get<std::string>();
  const Json params = message.contains("params") ? message["params"] : Json::object();

  if (!has(method)) {
    if (is_notification) return std::nullopt;
    return response_error(id, error_object(kMethodNotFound, "method not found: " + method));
  }
  Result<Json> result = call(method, params, context);
  if (is_notification) return std::nullopt;
  if (!result.ok()) return response_error(id, error_object(result.error()));
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result).value()}};
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
