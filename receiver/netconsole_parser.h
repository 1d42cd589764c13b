// Parsing of single netconsole datagrams (stateless). The stateful part — lines spread over
// datagrams, ncfrag reassembly, per-sender bounds — is receiver/netconsole_assembler.h.
//
// Two formats come from drivers/net/netconsole.c (protocol-spec/dump-wire-protocol.md §13.1):
//   plain     the console text: "[    1.234567] text\n", at most 1000 bytes per datagram; with
//             console_msg_format=syslog a "<N>" level prefix comes first.
//   extended  the /dev/kmsg record format (netconsole=+…):
//               [<release>,]<prefix>,<seq>,<timestamp_us>,<flags>[,<field>…][,ncfrag=<off>/<len>];
//               <escaped text>\n[ KEY=escaped value\n]…
//             prefix = facility * 8 + level; flags "-" or "c" (continuation); "\xNN" escapes.
// Everything here is bounded by the input's length and never fails on hostile bytes: a datagram
// that is not a well-formed extended header is an error value, and the caller decides whether
// to treat it as plain text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/result.h"

namespace vmscope {

// One console record, as delivered to clients and written to the per-host log.
struct NetconsoleRecord {
  std::string sender;  // who sent it (the listener's "address:port"); the reassembly key
  bool extended = false;
  std::string raw;  // plain only: the line as received, without its newline
  std::optional<std::uint64_t> seq;
  std::optional<std::uint32_t> level;     // 0 (emerg) .. 7 (debug)
  std::optional<std::uint32_t> facility;  // 0 = kernel
  std::optional<std::uint64_t> timestamp_us;
  bool continuation = false;  // extended flag 'c': continues the previous record's line
  bool unterminated = false;  // plain: flushed without a newline (silence, or over max length)
  std::optional<std::string> release;  // extended with the "r" option (2023+)
  std::optional<std::string> caller;   // extended with CONFIG_PRINTK_CALLER ("T123", "C2")
  std::string text;                    // unescaped message text
  std::vector<std::pair<std::string, std::string>> dict;  // SUBSYSTEM, DEVICE, userdata, …
};

struct NetconsoleFragment {
  std::uint32_t offset = 0;  // byte offset of this datagram's body within the record's body
  std::uint32_t total = 0;   // bytes of the whole body
};

struct ExtendedHeader {
  std::optional<std::string> release;
  std::uint32_t prefix = 0;
  std::uint64_t seq = 0;
  std::uint64_t timestamp_us = 0;
  std::string flags;
  std::optional<std::string> caller;
  std::optional<NetconsoleFragment> fragment;
  // The header text without its ncfrag field: every fragment of one record repeats it exactly.
  std::string identity;
};

struct ExtendedDatagram {
  ExtendedHeader header;
  std::string_view body;  // after the ';' (points into the parsed datagram)
};

// Bounds on the header (it is short in every kernel; anything longer is not netconsole).
inline constexpr std::size_t kMaxExtendedHeader = 512;
inline constexpr std::size_t kMaxReleaseLength = 64;
inline constexpr std::size_t kMaxHeaderFields = 24;

// Errors: kSyntaxError (not an extended header), kLimitExceeded (over the bounds above),
// kCorrupt (a well-formed header with an impossible ncfrag).
Result<ExtendedDatagram> parse_extended_datagram(std::string_view datagram);

// The record of a complete extended body ("text\n KEY=value\n…"), header fields filled in.
NetconsoleRecord extended_record(const ExtendedHeader& header, std::string_view body);

// The record of one plain console line (no trailing newline).
NetconsoleRecord plain_record(std::string_view line);

// The line written to <dumpdir>/logs/<ip>/netconsole.log, before log_line_escape(): extended
// records as dmesg prints them ("[%5u.%06u] text"), plain lines as they came.
std::string netconsole_log_line(const NetconsoleRecord& record);

}  // namespace vmscope
