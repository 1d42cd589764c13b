// The receiver's side of the dump protocol's data-packet stream (protocol-spec/
// dump-wire-protocol.md §7, §9): which data packets (META and PAGES, numbered by data_index)
// have arrived, and — with FEC on — the symbols of FEC groups that are not yet whole, so that
// PARITY packets can rebuild what was lost.
//
//   add_data()    a decrypted META/PAGES body: kNew, or kDuplicate if that data_index has
//                 already arrived or been recovered (a real packet after its recovery, or a
//                 replayed copy with a new seq);
//   add_parity()  a decrypted PARITY;
//   either may complete enough of a group to recover its missing packets: they are returned,
//   in data_index order, and the caller processes them as if they had arrived.
//
// Bounds (§7): at most `max_open_groups` groups and `max_held_bytes` of held symbols; beyond
// either, the oldest open group is given up (counted; its missing packets stay missing, and
// later packets of it are tracked but not held). A group whose data all arrived is freed at
// once and its parity ignored. data_index values at or above `max_data_index` are refused.
//
// Not thread-safe: one owner (the session).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "receiver/dump_messages.h"
#include "receiver/dump_wire_header.h"

namespace vmscope::dumpwire {

struct RecoveredPacket {
  std::uint64_t data_index = 0;
  MessageType type = MessageType::kPages;
  std::vector<std::byte> body;
};

struct FecStats {
  std::uint64_t data_packets = 0;         // distinct data indices arrived
  std::uint64_t duplicates = 0;           // data indices seen again
  std::uint64_t recovered_packets = 0;    //
  std::uint64_t groups_recovered = 0;     // groups in which at least one packet was rebuilt
  std::uint64_t groups_given_up = 0;      // evicted by the bounds
  std::uint64_t parity_ignored = 0;       // for whole or given-up groups
  std::uint64_t parity_inconsistent = 0;  // group_size/symbol_length disagreeing in a group
  std::uint64_t bad_symbols = 0;          // recovered symbols that did not parse
};

class FecGroupTracker {
 public:
  struct Limits {
    std::size_t max_open_groups = 256;
    std::size_t max_held_bytes = std::size_t{16} << 20;
  };
  enum class Arrival { kNew, kDuplicate, kOutOfRange };

  // fec_k = 0: no FEC, only arrival tracking.
  FecGroupTracker(unsigned fec_k, unsigned fec_m, std::uint64_t max_data_index, Limits limits);
  FecGroupTracker(unsigned fec_k, unsigned fec_m, std::uint64_t max_data_index)
      : FecGroupTracker(fec_k, fec_m, max_data_index, Limits{}) {}

  Arrival add_data(std::uint64_t data_index, MessageType type, std::span<const std::byte> body,
                   std::vector<RecoveredPacket>& recovered);
  void add_parity(const ParityMessage& parity, std::vector<RecoveredPacket>& recovered);

  bool has(std::uint64_t data_index) const;
  // Data indices below `count` that never arrived and were not recovered.
  std::uint64_t missing_below(std::uint64_t count) const;
  // Groups below data index `count` that still miss a packet.
  std::uint64_t groups_missing_below(std::uint64_t count) const;
  const FecStats& stats() const { return stats_; }
  std::size_t open_groups() const { return groups_.size(); }
  std::size_t held_bytes() const { return held_bytes_; }

 private:
  struct Group {
    std::vector<std::optional<std::vector<std::byte>>> data;    // unpadded symbols
    std::vector<std::optional<std::vector<std::byte>>> parity;  //
    unsigned data_count = 0;
    unsigned parity_count = 0;
    std::optional<unsigned> size;  // k' (from PARITY)
    std::uint16_t symbol_length = 0;
    std::size_t bytes = 0;
  };

  void mark(std::uint64_t data_index);
  Group& open_group(std::uint64_t group);
  void hold(Group& group, std::size_t bytes);
  void try_recover(std::uint64_t number, std::vector<RecoveredPacket>& recovered);
  void close_if_whole(std::uint64_t number);
  void enforce_bounds(std::uint64_t keep);

  unsigned k_;
  unsigned m_;
  std::uint64_t max_data_index_;
  Limits limits_;
  std::vector<std::uint64_t> seen_;  // bit per data index, grown on demand
  std::map<std::uint64_t, Group> groups_;
  std::uint64_t given_up_below_ = 0;  // groups below this are never held again
  std::size_t held_bytes_ = 0;
  FecStats stats_;
};

}  // namespace vmscope::dumpwire
