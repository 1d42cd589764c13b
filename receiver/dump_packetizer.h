// The sending side of the dump wire protocol's packet stream (protocol-spec/
// dump-wire-protocol.md §7, §10.3), without crypto or sockets: it turns "here is the META
// blob, here is page P, here is a run of zero pages" into the bodies of SESSION_START, META,
// PAGES, PARITY and END, in the spec's order:
//
//   SESSION_START ×3, the META blob, PAGES (records packed greedily; a page too big for one
//   packet is cut into chunks), PARITY after each FEC group, SESSION_START again every 1024
//   data packets, the META blob again, the last group's parity, END ×3.
//
// Data packets are numbered by data_index (in the body); FEC symbols are built from them as
// they are emitted. Each body goes to the sink with the pfn ranges it covers (for reporting
// which pages a lost packet carried). The caller encrypts, numbers (seq) and sends.
//
// Not thread-safe: one stream per packetizer.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "receiver/dump_messages.h"
#include "receiver/dump_meta_blob.h"
#include "receiver/dump_wire_header.h"

namespace vmscope::dumpwire {

// meta_chunk for a blob under `start`'s datagram size (the largest that fits a META packet).
std::uint16_t choose_meta_chunk(const SessionStart& start);

struct PacketizerStats {
  std::uint64_t data_packets = 0;
  std::uint64_t parity_packets = 0;
  std::uint64_t control_packets = 0;  // SESSION_START and END
  std::uint64_t pages = 0;
  std::uint64_t zero_pages = 0;
  std::uint64_t unavailable = 0;
  std::uint64_t payload_bytes = 0;  // stored page bytes
};

class DumpPacketizer {
 public:
  using Sink = std::function<void(MessageType type, std::span<const std::byte> body,
                                  std::span<const PfnRange> pfns)>;

  // `start` must already carry meta_length = meta_blob.size() and a meta_chunk.
  DumpPacketizer(SessionStart start, std::vector<std::byte> meta_blob, Sink sink);

  // SESSION_START ×3 and the first copy of the META blob.
  void begin();
  // One page in its stored form (compression none: page_size bytes; else shorter).
  void add_page(std::uint64_t pfn, PageCompression compression, std::span<const std::byte> stored);
  // ZERO_RUN or UNAVAILABLE_RUN of `count` pfns from `pfn`.
  void add_run(RecordKind kind, std::uint64_t pfn, std::uint64_t count);
  // The META blob again, the last group's parity, END ×3 (data_packets, counts filled here).
  void finish(EndStatus status, const std::array<std::byte, 32>& digest);

  const PacketizerStats& stats() const { return stats_; }

 private:
  void start_pages_packet();
  void append_record(const PageRecord& record);
  void flush_pages();
  void send_meta();
  void emit_data(MessageType type, std::vector<std::byte>& body);
  void emit_parity();
  void emit_start();
  std::size_t room() const;

  SessionStart start_;
  std::vector<std::byte> meta_blob_;
  Sink sink_;
  std::size_t body_limit_;
  std::uint64_t next_data_index_ = 0;
  std::vector<std::byte> pages_body_;
  std::uint16_t pages_records_ = 0;
  std::vector<PfnRange> pages_pfns_;
  std::vector<std::vector<std::byte>> group_;  // symbols of the current FEC group (unpadded)
  std::uint64_t group_number_ = 0;
  PacketizerStats stats_;
};

}  // namespace vmscope::dumpwire
