#include "transport/endpoint.h"

#include <atomic>
#include <mutex>
#include <vector>

#include "rpc/errors.h"

namespace vmscope::transport {
namespace {

using rpc::Json;

bool string_member_is(const Json& message, const char* key, const char* expected) {
  auto it = message.find(key);
  return it != message.end() && it->is_string() && it->get_ref<const std::string&>() == expected;
}

bool is_cancel_notification(const Json& message) {
  return message.is_object() && !message.contains("id") &&
         string_member_is(message, "jsonrpc", "2.0") &&
         string_member_is(message, "method", "$/cancelRequest");
}

// Calls `deliver` exactly once: with the response when the request finishes, or, if the
// work is dropped without finishing (a bug), with an internal error when the last copy of
// the task goes away. clangd's ReplyOnce does the same for LSP.
class ReplyOnce {
 public:
  ReplyOnce(Json id, bool notification, std::function<void(std::optional<Json>)> deliver)
      : id_(std::move(id)), notification_(notification), deliver_(std::move(deliver)) {}
  ReplyOnce(const ReplyOnce&) = delete;
  ReplyOnce& operator=(const ReplyOnce&) = delete;
  ~ReplyOnce() {
    if (done_.exchange(true)) return;
    if (notification_) {
      deliver_(std::nullopt);
    } else {
      deliver_(rpc::Dispatcher::error_response(
          id_, rpc::error_object(Error(ErrorCode::kInternal, "request dropped without a reply"))));
    }
  }
  void operator()(std::optional<Json> response) {
    if (done_.exchange(true)) return;
    deliver_(std::move(response));
  }

 private:
  const Json id_;
  const bool notification_;
  std::function<void(std::optional<Json>)> deliver_;
  std::atomic<bool> done_{false};
};

// Collects the responses of a batch's elements, which finish in any order on any thread, and
// sends them as one array in request order when the last one is in.
class BatchReply {
 public:
  BatchReply(std::shared_ptr<Peer> peer, std::size_t size)
      : peer_(std::move(peer)), slots_(size), remaining_(size) {}
  void complete(std::size_t index, std::optional<Json> response) {
    std::unique_lock lock(mutex_);
    slots_[index] = std::move(response);
    if (--remaining_ != 0) return;
    Json responses = Json::array();
    for (auto& slot : slots_) {
      if (slot) responses.push_back(std::move(*slot));
    }
    lock.unlock();
    peer_->reply(responses.empty() ? std::nullopt : std::optional<std::string>(encode(responses)));
  }

 private:
  std::shared_ptr<Peer> peer_;
  std::mutex mutex_;
  std::vector<std::optional<Json>> slots_;
  std::size_t remaining_;
};

}  // namespace

std::string encode(const Json& message) {
  return message.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

std::string encode_notification(const std::string& method, const Json& params) {
  return encode({{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
}

Endpoint::Endpoint(const rpc::Dispatcher& dispatcher, server::WorkerPool& pool,
                   server::NotificationHub& hub)
    : dispatcher_(dispatcher), pool_(pool), hub_(hub) {}

void Endpoint::on_message(std::string text, std::shared_ptr<Peer> peer) {
  Json message = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  text.clear();
  if (message.is_discarded()) {
    peer->reply(encode(rpc::Dispatcher::error_response(
        nullptr, rpc::error_object(rpc::kParseError, "malformed JSON"))));
    return;
  }
  if (message.is_array()) {
    handle_batch(message, peer);
    return;
  }
  handle_one(message, peer, [peer](std::optional<Json> response) {
    peer->reply(response ? std::optional<std::string>(encode(*response)) : std::nullopt);
  });
}

void Endpoint::on_oversized(std::uint64_t size, std::uint64_t limit, std::shared_ptr<Peer> peer) {
  Error error(ErrorCode::kLimitExceeded,
              "message of " + std::to_string(size) + " bytes is over the limit of " +
                  std::to_string(limit) + " bytes; it was skipped unread");
  peer->reply(encode(rpc::Dispatcher::error_response(nullptr, rpc::error_object(error))));
}

void Endpoint::on_unframeable(const std::string& why, std::shared_ptr<Peer> peer) {
  peer->reply(encode(rpc::Dispatcher::error_response(
      nullptr, rpc::error_object(rpc::kParseError, "cannot frame the message: " + why))));
}

void Endpoint::shutdown() {
  closing_ = true;
  in_flight_.cancel_all();
}

void Endpoint::broadcast(const std::string& method, const Json& params) {
  hub_.publish(method, encode_notification(method, params));
}

void Endpoint::handle_batch(const Json& batch, const std::shared_ptr<Peer>& peer) {
  if (batch.empty()) {
    peer->reply(encode(rpc::Dispatcher::error_response(
        nullptr, rpc::error_object(rpc::kInvalidRequest, "empty batch"))));
    return;
  }
  auto reply = std::make_shared<BatchReply>(peer, batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    handle_one(batch[i], peer, [reply, i](std::optional<Json> response) {
      reply->complete(i, std::move(response));
    });
  }
}

void Endpoint::cancel_request(const Json& params, const Peer& peer) {
  // A malformed cancel is a notification: there is no one to tell, so it is ignored.
  if (!params.is_object() || !params.contains("id")) return;
  const Json& id = params["id"];
  if (id.is_string() || id.is_number()) in_flight_.cancel(peer.scope(), id);
}

void Endpoint::handle_one(const Json& message, const std::shared_ptr<Peer>& peer, Deliver deliver) {
  if (is_cancel_notification(message)) {
    cancel_request(message.contains("params") ? message["params"] : Json(), *peer);
    deliver(std::nullopt);
    return;
  }
  rpc::Dispatcher::Prepared prepared = dispatcher_.prepare(message);
  if (!prepared.call) {
    deliver(std::move(prepared.response));
    return;
  }
  if (closing_) {
    deliver(prepared.call->notification
                ? std::nullopt
                : std::optional<Json>(rpc::Dispatcher::error_response(
                      prepared.call->id, rpc::error_object(Error(ErrorCode::kCancelled,
                                                                 "the server is shutting down")))));
    return;
  }
  auto call = std::make_shared<rpc::Dispatcher::Call>(std::move(*prepared.call));
  auto reply = std::make_shared<ReplyOnce>(call->id, call->notification, std::move(deliver));

  // Notifications cannot be cancelled (they have no id), so only requests are registered.
  std::shared_ptr<InFlightRequests::Registration> registration;
  rpc::RequestContext context;
  if (!call->notification) {
    registration = in_flight_.add(peer->scope(), call->id);
    context.cancel = registration->token();
  }
  if (!call->work_done_token.is_null()) {
    context.progress =
        rpc::ProgressReporter(call->work_done_token, [this, peer](const Json& params) {
          std::string text = encode_notification("$/progress", params);
          bool pushed = peer->push(text);
          hub_.publish("$/progress", std::move(text), pushed ? peer->subscription_id() : 0);
        });
  }

  Status submitted =
      pool_.submit([this, call, context, registration = std::move(registration), reply]() mutable {
        std::optional<Json> response = dispatcher_.run(*call, context);
        // Leave the in-flight table before answering: once the client has its response, the id is
        // free again and server/status no longer counts the request.
        registration.reset();
        (*reply)(std::move(response));
      });
  if (!submitted.ok()) {
    (*reply)(call->notification ? std::nullopt
                                : std::optional<Json>(rpc::Dispatcher::error_response(
                                      call->id, rpc::error_object(submitted.error()))));
  }
}

}  // namespace vmscope::transport
