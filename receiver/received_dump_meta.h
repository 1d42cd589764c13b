// meta.json of a received dump (protocol-spec/dump-wire-protocol.md §11.3), rewritten at every
// state change and every 10 s: written to a temporary file in the same directory and renamed,
// so a reader sees the old or the new file, never half of one. 64-bit values are hex strings.
// Text from the sender (release, panic message) is written as JSON strings; bytes that are not
// UTF-8 become U+FFFD.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "receiver/dump_events.h"
#include "receiver/dump_messages.h"
#include "receiver/dump_meta_blob.h"
#include "support/result.h"

namespace vmscope {

struct ReceivedDumpMeta {
  std::string host_name;
  std::uint64_t host_id = 0;
  std::string address;
  std::uint64_t session_id = 0;
  dumpwire::SessionStart start;
  std::string panic_message;
  std::string command_line;
  std::string started;  // RFC 3339, UTC
  std::optional<std::string> ended;
  std::string state;
  std::optional<std::string> reason;
  unsigned fec_k = 0, fec_m = 0;
  DumpProgress progress;
  std::optional<dumpwire::EndMessage> end;
  std::string digest = "unchecked";  // unchecked|match|mismatch|none
  DumpCounters counters;
  std::vector<dumpwire::ByteRange> erased;
};

std::string render_meta_json(const ReceivedDumpMeta& meta);
Status write_meta_json(const std::filesystem::path& dir, const ReceivedDumpMeta& meta);

// "2026-11-29T15:30:00Z" for seconds since 1970.
std::string rfc3339_utc(std::int64_t seconds);

}  // namespace vmscope
