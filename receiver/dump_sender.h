// `vmscope send`: streams an existing dump to a receiver with the dump wire protocol
// (protocol-spec/dump-wire-protocol.md §6, §10), as a kernel-module sender would at panic
// time — but from a file, in userspace:
//   - pages: every pfn of the source's DUMPABLE map, read through the dump layer; all-zero
//     pages become ZERO_RUNs, unreadable ones UNAVAILABLE_RUNs, the others are compressed
//     (zstd or LZ4; sent raw when that does not shrink them) and digested (BLAKE2s, §5.5);
//   - packets: receiver/dump_packetizer.h (META, PAGES, FEC parity, START repeats, END);
//   - each datagram sealed with the host key (seq 0, 1, 2, …, a random session_id);
//   - sent over UDP, paced to `rate_bytes_per_second` (the receiver cannot push back, so
//     overrun is loss).
// For tests, the network's faults can be simulated, repeatably (seeded): a fraction of datagrams
// dropped after sealing (their seq numbers are used up), reordering within a window, and
// duplication; every datagram can be tapped.
//
// Blocking; runs on the caller's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "receiver/dump_host_keys.h"
#include "receiver/dump_packetizer.h"
#include "receiver/dump_source.h"
#include "receiver/page_compressor.h"
#include "support/result.h"

namespace vmscope {

struct DumpSendOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 6677;
  HostKeyFile key;
  unsigned fec_k = 32;  // 0: no FEC
  unsigned fec_m = 2;
  PageCodec compression = PageCodec::kZstd;  // kZstd or kLz4
  int zstd_level = 1;
  std::uint32_t max_datagram = 1452;
  double rate_bytes_per_second = 0;  // 0: as fast as the socket takes them
  std::uint64_t session_id = 0;      // 0: random (getrandom)
  // Simulated loss: each datagram whose type is in `lossy_types` is dropped with this
  // probability, from a generator seeded with `loss_seed` (so a test is repeatable).
  double loss = 0;
  std::uint64_t loss_seed = 1;
  std::set<dumpwire::MessageType> lossy_types = {
      dumpwire::MessageType::kSessionStart, dumpwire::MessageType::kMeta,
      dumpwire::MessageType::kPages, dumpwire::MessageType::kParity, dumpwire::MessageType::kEnd};
  // Simulated reordering and duplication (seeded likewise): datagrams wait in a window of this
  // many and leave it in random order; each is sent twice with probability `duplicate`.
  std::size_t reorder_window = 0;
  double duplicate = 0;
  std::function<void(std::span<const std::byte> datagram)> tap;  // sees every datagram sealed
};

struct DumpSendReport {
  std::uint64_t session_id = 0;
  std::uint64_t datagrams = 0;   // sealed (sent or dropped)
  std::uint64_t dropped = 0;     // by the simulated loss
  std::uint64_t duplicated = 0;  // extra copies sent by the simulated duplication
  std::uint64_t bytes = 0;       // sent on the socket
  std::uint64_t send_errors = 0;
  dumpwire::PacketizerStats packets;
  double seconds = 0;
  // pfns carried by PAGES packets that the simulated loss dropped, sorted, unique.
  std::vector<std::uint64_t> dropped_pfns;
};

Result<DumpSendReport> send_dump(const DumpSource& source, const DumpSendOptions& options);

}  // namespace vmscope
