// What the dump ingest tells the rest of vmscope (protocol-spec/dump-wire-protocol.md §11):
// per-host and global drop counters, and events for each dump — started, progress (about once
// a second), completed, failed. The server routes events to JSON-RPC notifications and to its
// catalog; the receiver itself knows nothing of either.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace vmscope {

// Packets refused or dropped, by reason (§11.1), plus what was accepted.
struct DumpCounters {
  std::uint64_t datagrams = 0;  // received on the socket
  std::uint64_t bytes = 0;      // their payload bytes
  std::uint64_t accepted = 0;   // authenticated and handed on
  std::uint64_t malformed = 0;  // too short, bad magic, unknown type, flags, zero ids
  std::uint64_t oversized = 0;  // over 65507 or the session's max_datagram
  std::uint64_t unsupported_version = 0;
  std::uint64_t unknown_host = 0;
  std::uint64_t wrong_source = 0;
  std::uint64_t duplicate = 0;         // seq already seen (replay window) or data index already had
  std::uint64_t too_old = 0;           // seq below the replay window
  std::uint64_t replayed_session = 0;  // a finished session's packets (after late_window)
  std::uint64_t late = 0;  // packets of a session finalized moments ago (END repeats): harmless
  std::uint64_t auth_failed = 0;
  std::uint64_t protocol_violation = 0;  // authentic but breaking §5 (a sender bug)
  std::uint64_t over_limit = 0;          // sessions or bytes over the host's or global limits
  std::uint64_t held = 0;                // packets of a session not started yet, held
  std::uint64_t held_dropped = 0;        // held past the bounds or never claimed
  std::uint64_t queue_full = 0;          // dropped because the writer thread fell behind
  std::uint64_t nospace_dropped = 0;     // pages dropped after the disk filled

  DumpCounters& operator+=(const DumpCounters& other);
};

struct DumpProgress {
  std::uint64_t dumpable = 0;     // pfns the sender will account for (0 until META)
  std::uint64_t received = 0;     // PAGE pfns stored
  std::uint64_t zero = 0;         // ZERO_RUN pfns
  std::uint64_t unavailable = 0;  // UNAVAILABLE_RUN pfns
  std::uint64_t missing = 0;      // dumpable − the above (final only)
  std::uint64_t data_packets = 0;
  std::uint64_t groups_recovered = 0;
  std::uint64_t groups_lost = 0;
  std::uint64_t file_bytes = 0;
};

struct DumpEvent {
  enum class Kind { kStarted, kProgress, kCompleted, kFailed };
  Kind kind = Kind::kStarted;
  std::string address;  // the sender's source address
  std::string host_name;
  std::uint64_t host_id = 0;
  std::uint64_t session_id = 0;
  std::filesystem::path directory;  // <dumpdir>/<ip>-<date>
  std::filesystem::path vmcore;     // vmcore-incomplete, or vmcore once complete
  std::string state;                // receiving|draining|nospace|complete|incomplete
  std::optional<std::string> reason;
  std::string release;
  std::string panic_message;
  DumpProgress progress;
};

// Called on the receiver's writer thread; must not block for long nor stop the receiver.
using DumpEventCallback = std::function<void(const DumpEvent&)>;

}  // namespace vmscope
