#include "transport/access_policy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace vmscope::transport {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (equals_ignoring_case(host, "localhost")) return true;
  std::string text(host);
  in_addr v4{};
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;  // 127.0.0.0/8
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    static constexpr unsigned char kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return std::equal(std::begin(kLoopback), std::end(kLoopback), v6.s6_addr);
  }
  return false;
}

Status check_bind_policy(std::string_view host, std::string_view token) {
  if (is_loopback_host(host) || !token.empty()) return ok_status();
  return Error(ErrorCode::kPermissionDenied,
               "binding to " + std::string(host) +
                   " exposes the dumps beyond this machine: give a bearer token with --token T "
                   "(or VMSCOPE_TOKEN), or bind to 127.0.0.1",
               {.name = std::string(host)});
}

bool bearer_token_matches(std::string_view authorization, std::string_view token) {
  constexpr std::string_view kScheme = "Bearer ";
  if (token.empty() || authorization.size() < kScheme.size() ||
      !equals_ignoring_case(authorization.substr(0, kScheme.size()), kScheme)) {
    return false;
  }
  std::string_view given = authorization.substr(kScheme.size());
  // Every byte of the expected token is looked at whatever the input, and the length
  // difference is folded in rather than returned early.
  unsigned char difference = given.size() == token.size() ? 0 : 1;
  for (std::size_t i = 0; i < token.size(); ++i) {
    unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    difference |= static_cast<unsigned char>(g ^ static_cast<unsigned char>(token[i]));
  }
  return difference == 0;
}

bool host_header_is_loopback(std::string_view host_header) {
  if (host_header.empty()) return true;
  std::string_view host = host_header;
  if (host.front() == '[') {  // [v6]:port
    auto close = host.find(']');
    if (close == std::string_view::npos) return false;
    host = host.substr(0, close + 1);
  } else if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  return is_loopback_host(host);
}

}  // namespace vmscope::transport
