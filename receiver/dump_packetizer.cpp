#include "receiver/dump_packetizer.h"

#include <algorithm>

#include "receiver/dump_fec.h"
#include "receiver/le_bytes.h"

namespace vmscope::dumpwire {
namespace {

constexpr std::uint64_t kStartEvery = 1024;  // data packets between SESSION_START repeats
constexpr std::size_t kMinFirstChunk = 64;   // smaller leftovers start a fresh packet

}  // namespace

std::uint16_t choose_meta_chunk(const SessionStart& start) {
  return static_cast<std::uint16_t>(
      std::min<std::size_t>(max_data_body(start) - kMetaHeaderSize, 65535));
}

DumpPacketizer::DumpPacketizer(SessionStart start, std::vector<std::byte> meta_blob, Sink sink)
    : start_(std::move(start)),
      meta_blob_(std::move(meta_blob)),
      sink_(std::move(sink)),
      body_limit_(max_data_body(start_)) {}

void DumpPacketizer::emit_start() {
  std::vector<std::byte> body;
  encode_session_start(start_, body);
  ++stats_.control_packets;
  sink_(MessageType::kSessionStart, body, {});
}

void DumpPacketizer::begin() {
  for (int i = 0; i < 3; ++i) emit_start();
  send_meta();
}

void DumpPacketizer::send_meta() {
  flush_pages();
  std::uint64_t chunks = start_.meta_chunks();
  for (std::uint64_t i = 0; i < chunks; ++i) {
    std::size_t at = i * start_.meta_chunk;
    std::size_t n = std::min<std::size_t>(start_.meta_chunk, meta_blob_.size() - at);
    std::vector<std::byte> body;
    encode_meta_chunk({0, static_cast<std::uint32_t>(i), std::span(meta_blob_).subspan(at, n)},
                      body);
    emit_data(MessageType::kMeta, body);
  }
}

std::size_t DumpPacketizer::room() const {
  if (pages_records_ >= kMaxRecordsPerPacket) return 0;
  std::size_t used = pages_body_.empty() ? kPagesHeaderSize : pages_body_.size();
  return body_limit_ > used + kRecordHeaderSize ? body_limit_ - used - kRecordHeaderSize : 0;
}

void DumpPacketizer::start_pages_packet() {
  pages_body_.clear();
  encode_pages_header(0, 0, pages_body_);  // index and count are filled at flush
  pages_records_ = 0;
  pages_pfns_.clear();
}

void DumpPacketizer::append_record(const PageRecord& record) {
  if (pages_body_.empty()) start_pages_packet();
  encode_page_record(record, pages_body_);
  ++pages_records_;
  std::uint64_t count = record.kind == RecordKind::kPage ? 1 : record.run_length;
  if (!pages_pfns_.empty()) {
    PfnRange& last = pages_pfns_.back();
    if (record.pfn >= last.start && record.pfn < last.start + last.count) return;  // a chunk
    if (last.start + last.count == record.pfn) {
      last.count += count;
      return;
    }
  }
  pages_pfns_.push_back({record.pfn, count});
}

void DumpPacketizer::flush_pages() {
  if (pages_body_.empty()) return;
  le::store<std::uint16_t>(pages_body_.data() + 8, pages_records_);
  emit_data(MessageType::kPages, pages_body_);
  pages_body_.clear();
  pages_records_ = 0;
  pages_pfns_.clear();
}

void DumpPacketizer::add_page(std::uint64_t pfn, PageCompression compression,
                              std::span<const std::byte> stored) {
  ++stats_.pages;
  stats_.payload_bytes += stored.size();
  if (stored.size() <= room()) {
    append_record({RecordKind::kPage, compression, 0, 1, pfn, 0, stored});
    return;
  }
  std::size_t full = body_limit_ - kPagesHeaderSize - kRecordHeaderSize;  // a fresh packet
  if (stored.size() <= full) {
    flush_pages();
    append_record({RecordKind::kPage, compression, 0, 1, pfn, 0, stored});
    return;
  }
  // Chunks: the rest of this packet (if worth it), then whole packets.
  std::size_t first = room() >= kMinFirstChunk ? room() : 0;
  if (first == 0) flush_pages();
  if (first == 0) first = full;
  std::size_t count = 1 + (stored.size() - first + full - 1) / full;
  std::size_t at = 0;
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t n = std::min(i == 0 ? first : full, stored.size() - at);
    if (n > room()) flush_pages();
    append_record({RecordKind::kPage, compression, static_cast<std::uint16_t>(i),
                   static_cast<std::uint16_t>(count), pfn, 0, stored.subspan(at, n)});
    at += n;
  }
}

void DumpPacketizer::add_run(RecordKind kind, std::uint64_t pfn, std::uint64_t count) {
  (kind == RecordKind::kZeroRun ? stats_.zero_pages : stats_.unavailable) += count;
  if (room() < 8) flush_pages();
  append_record({kind, PageCompression::kNone, 0, 1, pfn, count, {}});
}

void DumpPacketizer::emit_data(MessageType type, std::vector<std::byte>& body) {
  std::uint64_t index = next_data_index_++;
  le::store<std::uint64_t>(body.data(), index);
  ++stats_.data_packets;
  sink_(type, body,
        type == MessageType::kPages ? std::span<const PfnRange>(pages_pfns_)
                                    : std::span<const PfnRange>());
  if (start_.fec_k != 0) {
    group_.push_back(fec_symbol(type, body, 0));
    if (group_.size() == start_.fec_k) emit_parity();
  }
  if (next_data_index_ % kStartEvery == 0) emit_start();
}

void DumpPacketizer::emit_parity() {
  if (group_.empty()) return;
  std::size_t length = 0;
  for (const auto& s : group_) length = std::max(length, s.size());
  for (auto& s : group_) s.resize(length, std::byte{0});
  auto parity = fec_encode(group_, start_.fec_m);
  for (unsigned j = 0; j < parity.size(); ++j) {
    std::vector<std::byte> body;
    encode_parity(
        {group_number_, static_cast<std::uint8_t>(j), static_cast<std::uint8_t>(group_.size()),
         static_cast<std::uint16_t>(length), parity[j]},
        body);
    ++stats_.parity_packets;
    sink_(MessageType::kParity, body, {});
  }
  group_.clear();
  ++group_number_;
}

void DumpPacketizer::finish(EndStatus status, const std::array<std::byte, 32>& digest) {
  flush_pages();
  send_meta();
  emit_parity();
  EndMessage end;
  end.data_packets = next_data_index_;
  end.pages_sent = stats_.pages;
  end.zero_pages = stats_.zero_pages;
  end.unavailable = stats_.unavailable;
  end.payload_bytes = stats_.payload_bytes;
  end.status = status;
  end.digest = digest;
  std::vector<std::byte> body;
  encode_end(end, body);
  for (int i = 0; i < 3; ++i) {
    ++stats_.control_packets;
    sink_(MessageType::kEnd, body, {});
  }
}

}  // namespace vmscope::dumpwire
