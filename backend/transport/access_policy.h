// Who may talk to the HTTP server. A dump holds everything the crashed machine had in memory
// (keys, passwords), so:
//   - By default the server binds to the loopback address only. Binding to any other address
//     requires a bearer token; every /rpc and /events request must then carry
//     "Authorization: Bearer <token>" (401 otherwise). A token given for a loopback bind is
//     enforced too.
//   - On a loopback bind without a token, requests must name a loopback host in their Host
//     header: a web page cannot reach the server through DNS rebinding (evil.example resolving
//     to 127.0.0.1), since its requests carry Host: evil.example.
// Pure functions, so the rules are unit-tested apart from the sockets.
#pragma once

#include <string>
#include <string_view>

#include "support/result.h"

namespace vmscope::transport {

// "127.0.0.1", "127.x.y.z", "::1", "[::1]", "localhost".
bool is_loopback_host(std::string_view host);

// ok when serving on `host` is allowed with this token (empty: none).
Status check_bind_policy(std::string_view host, std::string_view token);

// Whether the Authorization header value carries `token` as a bearer token. Compares in time
// independent of where the first difference is, so the token cannot be guessed byte by byte.
bool bearer_token_matches(std::string_view authorization, std::string_view token);

// Whether a Host header value ("localhost:7151", "[::1]:8080", "127.0.0.1") names a loopback
// host. An empty value (HTTP/1.0) is allowed: a browser always sends Host.
bool host_header_is_loopback(std::string_view host_header);

}  // namespace vmscope::transport
