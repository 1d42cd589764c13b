// Turns a stream of netconsole datagrams into records, per sender: assembles plain lines that
// span datagrams, reassembles extended records that the kernel split with ncfrag, and keeps
// every piece of state bounded (protocol-spec/dump-wire-protocol.md §13.1).
//
// Bounds and what happens at each:
//   plain line longer than max_line        emitted in max_line pieces, marked unterminated
//   partial plain line silent for          emitted, marked unterminated (expire())
//     line_flush_after
//   fragment outside its record, a changed dropped, fragments_invalid
//     total or header, an empty fragment
//   overlap that disagrees byte for byte   the whole record dropped, fragment_conflicts
//   exact/contained duplicate fragment     ignored, fragments_duplicate
//   late fragment of a record completed    ignored, fragments_duplicate
//     in the last fragment_max_age
//   record body over max_record, more      the record dropped, fragments_over_limit
//     than max_fragments pieces
//   over max_pending_per_sender or         the oldest open record dropped, fragments_evicted
//     max_pending_total open records
//   open record older than                 dropped, fragments_expired (expire())
//     fragment_max_age
//   over max_senders senders               the least recently heard sender forgotten (its
//                                          partial line emitted first)
// Work per datagram is bounded by its size and these limits.
//
// Not thread-safe: one owner (the listener's I/O thread) calls feed() and expire().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "receiver/netconsole_parser.h"

namespace vmscope {

enum class NetconsoleMode {
  kAuto,      // extended when the datagram parses as an extended header, plain otherwise
  kPlain,     // always plain text
  kExtended,  // extended only; anything else is counted as malformed and dropped
};

struct NetconsoleLimits {
  std::size_t max_line = 8192;
  std::chrono::milliseconds line_flush_after{2000};
  std::size_t max_record = 65536;
  std::size_t max_fragments = 128;
  std::size_t max_pending_per_sender = 64;
  std::size_t max_pending_total = 1024;
  std::chrono::milliseconds fragment_max_age{5000};
  std::size_t max_senders = 4096;
};

struct NetconsoleStats {
  std::uint64_t datagrams = 0;
  std::uint64_t plain_lines = 0;
  std::uint64_t extended_records = 0;
  std::uint64_t malformed = 0;
  std::uint64_t lines_split = 0;    // a plain line cut at max_line
  std::uint64_t lines_flushed = 0;  // a partial plain line emitted after silence
  std::uint64_t fragments = 0;
  std::uint64_t fragments_duplicate = 0;
  std::uint64_t fragments_invalid = 0;
  std::uint64_t fragment_conflicts = 0;
  std::uint64_t fragments_over_limit = 0;
  std::uint64_t fragments_evicted = 0;
  std::uint64_t fragments_expired = 0;
  std::uint64_t senders_evicted = 0;
};

class NetconsoleAssembler {
 public:
  using Clock = std::chrono::steady_clock;

  using Limits = NetconsoleLimits;
  using Stats = NetconsoleStats;

  explicit NetconsoleAssembler(NetconsoleMode mode = NetconsoleMode::kAuto, Limits limits = {});

  // The records completed by one datagram from `sender` (any stable name for the sending
  // socket: the listener uses "address:port").
  std::vector<NetconsoleRecord> feed(const std::string& sender, std::string_view datagram,
                                     Clock::time_point now);

  // Housekeeping: drops fragments older than fragment_max_age and returns partial plain lines
  // silent for line_flush_after. Call it periodically.
  std::vector<NetconsoleRecord> expire(Clock::time_point now);

  const Stats& stats() const { return stats_; }
  std::size_t open_records() const { return pending_.size(); }
  std::size_t senders() const { return senders_.size(); }

 private:
  using PendingKey = std::pair<std::string, std::uint64_t>;  // (sender, seq)
  struct Pending {
    ExtendedHeader header;
    std::string body;                                           // total bytes
    std::vector<std::pair<std::uint32_t, std::uint32_t>> have;  // sorted disjoint [begin, end)
    std::size_t pieces = 0;
    Clock::time_point started;
  };
  struct Sender {
    std::string partial;  // plain text after the last newline
    Clock::time_point partial_since;
    std::size_t open = 0;                                          // pending records
    std::deque<std::pair<std::uint64_t, Clock::time_point>> done;  // recent reassembled seqs
    std::list<std::string>::iterator lru;
  };

  Sender& touch(const std::string& sender, std::vector<NetconsoleRecord>& out);
  void feed_plain(const std::string& sender, Sender& state, std::string_view text,
                  Clock::time_point now, std::vector<NetconsoleRecord>& out);
  void feed_fragment(const std::string& sender, Sender& state, ExtendedDatagram datagram,
                     Clock::time_point now, std::vector<NetconsoleRecord>& out);
  void emit_line(const std::string& sender, std::string_view line, bool unterminated,
                 std::vector<NetconsoleRecord>& out);
  void drop_pending(std::map<PendingKey, Pending>::iterator it);
  void evict_oldest_pending(const std::string* only_sender);

  NetconsoleMode mode_;
  Limits limits_;
  Stats stats_;
  std::unordered_map<std::string, Sender> senders_;
  std::list<std::string> lru_;  // front: most recently heard
  std::map<PendingKey, Pending> pending_;
};

}  // namespace vmscope
