// Parsing of one syslog message: RFC 5424 and (tolerantly) RFC 3164
// (protocol-spec/dump-wire-protocol.md §13.2). The framing of TCP streams into messages is
// receiver/syslog_tcp_framer.h.
//
//   RFC 5424  <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID NAME="VALUE" …]… [BOM]MSG
//             "-" is the nil value; in SD values \" \\ \] are escapes.
//   RFC 3164  <PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG, with every part after PRI optional in
//             practice: missing PRI means 13 (user.notice, RFC 3164 §4.3.3), an RFC 3339
//             timestamp is accepted in place of the BSD one, a missing hostname is recognised
//             by the tag that follows the timestamp.
// Parsing never fails: whatever cannot be parsed as a field stays in `message`. A 5424 header
// that breaks off part-way is re-read as 3164. Work is linear in the input; structured data is
// bounded (kMaxSdElements, kMaxSdParams), the rest is then kept as message text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vmscope {

enum class SyslogFormat { kRfc3164, kRfc5424 };

struct SyslogSdParam {
  std::string name;
  std::string value;  // unescaped
};

struct SyslogSdElement {
  std::string id;
  std::vector<SyslogSdParam> params;
};

struct SyslogMessage {
  SyslogFormat format = SyslogFormat::kRfc3164;
  bool has_pri = false;
  std::uint32_t facility = 1;  // user
  std::uint32_t severity = 5;  // notice
  std::string timestamp;       // as sent; empty when absent or nil
  std::string hostname;        // empty when absent or nil
  std::string app_name;        // 3164: the tag
  std::string procid;          // 3164: the [pid] of the tag
  std::string msgid;
  std::vector<SyslogSdElement> structured_data;
  bool bom = false;  // the message started with a UTF-8 BOM (removed from `message`)
  std::string message;
};

inline constexpr std::size_t kMaxSdElements = 64;
inline constexpr std::size_t kMaxSdParams = 64;

SyslogMessage parse_syslog(std::string_view text);

}  // namespace vmscope
