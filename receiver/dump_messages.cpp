#include "receiver/dump_messages.h"

#include <bit>
#include <cstring>

#include "receiver/dump_wire_header.h"
#include "receiver/le_bytes.h"

namespace vmscope::dumpwire {
namespace {

Error violation(std::string what) {
  return Error(ErrorCode::kCorrupt, "dump protocol: " + std::move(what));
}

}  // namespace

std::size_t max_data_body(const SessionStart& start) {
  std::size_t body = start.max_datagram - kOverhead;
  if (start.fec_k != 0) body -= kParityHeaderSize + 4;  // room for the symbol in a PARITY
  return body;
}

void encode_session_start(const SessionStart& m, std::vector<std::byte>& out) {
  le::append<std::uint32_t>(out, m.page_size);
  le::append<std::uint32_t>(out, m.max_datagram);
  le::append<std::uint64_t>(out, m.max_pfn);
  le::append<std::uint64_t>(out, m.panic_task);
  le::append<std::uint64_t>(out, m.phys_base);
  le::append<std::int64_t>(out, m.panic_time);
  le::append<std::uint32_t>(out, m.nr_cpus);
  le::append<std::uint16_t>(out, m.e_machine);
  le::append<std::uint8_t>(out, static_cast<std::uint8_t>(m.digest_alg));
  le::append<std::uint8_t>(out, m.fec_k);
  le::append<std::uint8_t>(out, m.fec_m);
  le::append<std::uint8_t>(out, m.dump_level);
  le::append<std::uint16_t>(out, m.meta_chunk);
  le::append<std::uint32_t>(out, m.meta_length);
  le::append_bytes(out, m.boot_id);
  le::append_fixed_text(out, m.release.substr(0, kReleaseSize - 1), kReleaseSize);
  out.resize(out.size() + 7, std::byte{0});
}

void encode_meta_chunk(const MetaChunk& m, std::vector<std::byte>& out) {
  le::append<std::uint64_t>(out, m.data_index);
  le::append<std::uint32_t>(out, m.chunk_index);
  le::append<std::uint32_t>(out, 0);
  le::append_bytes(out, m.bytes);
}

void encode_pages_header(std::uint64_t data_index, std::uint16_t record_count,
                         std::vector<std::byte>& out) {
  le::append<std::uint64_t>(out, data_index);
  le::append<std::uint16_t>(out, record_count);
  le::append<std::uint16_t>(out, 0);
}

void encode_page_record(const PageRecord& r, std::vector<std::byte>& out) {
  out.push_back(static_cast<std::byte>(r.kind));
  out.push_back(static_cast<std::byte>(r.compression));
  if (r.kind == RecordKind::kPage) {
    le::append<std::uint16_t>(out, r.chunk_index);
    le::append<std::uint16_t>(out, r.chunk_count);
    le::append<std::uint16_t>(out, static_cast<std::uint16_t>(r.payload.size()));
    le::append<std::uint64_t>(out, r.pfn);
    le::append_bytes(out, r.payload);
  } else {
    le::append<std::uint16_t>(out, 0);
    le::append<std::uint16_t>(out, 1);
    le::append<std::uint16_t>(out, 8);
    le::append<std::uint64_t>(out, r.pfn);
    le::append<std::uint64_t>(out, r.run_length);
  }
}

void encode_parity(const ParityMessage& m, std::vector<std::byte>& out) {
  le::append<std::uint64_t>(out, m.group);
  le::append<std::uint8_t>(out, m.parity_index);
  le::append<std::uint8_t>(out, m.group_size);
  le::append<std::uint16_t>(out, m.symbol_length);
  le::append<std::uint32_t>(out, 0);
  le::append_bytes(out, m.parity);
}

void encode_end(const EndMessage& m, std::vector<std::byte>& out) {
  le::append<std::uint64_t>(out, m.data_packets);
  le::append<std::uint64_t>(out, m.pages_sent);
  le::append<std::uint64_t>(out, m.zero_pages);
  le::append<std::uint64_t>(out, m.unavailable);
  le::append<std::uint64_t>(out, m.payload_bytes);
  le::append<std::uint32_t>(out, static_cast<std::uint32_t>(m.status));
  le::append<std::uint32_t>(out, 0);
  le::append_bytes(out, m.digest);
  le::append<std::uint64_t>(out, 0);
}

Result<SessionStart> decode_session_start(std::span<const std::byte> body) {
  if (body.size() != kSessionStartSize) {
    return violation("SESSION_START body of " + std::to_string(body.size()) + " bytes, not 144");
  }
  const std::byte* p = body.data();
  SessionStart m;
  m.page_size = le::load<std::uint32_t>(p);
  m.max_datagram = le::load<std::uint32_t>(p + 4);
  m.max_pfn = le::load<std::uint64_t>(p + 8);
  m.panic_task = le::load<std::uint64_t>(p + 16);
  m.phys_base = le::load<std::uint64_t>(p + 24);
  m.panic_time = le::load<std::int64_t>(p + 32);
  m.nr_cpus = le::load<std::uint32_t>(p + 40);
  m.e_machine = le::load<std::uint16_t>(p + 44);
  std::uint8_t digest = std::to_integer<std::uint8_t>(p[46]);
  m.fec_k = std::to_integer<std::uint8_t>(p[47]);
  m.fec_m = std::to_integer<std::uint8_t>(p[48]);
  m.dump_level = std::to_integer<std::uint8_t>(p[49]);
  m.meta_chunk = le::load<std::uint16_t>(p + 50);
  m.meta_length = le::load<std::uint32_t>(p + 52);
  std::memcpy(m.boot_id.data(), p + 56, m.boot_id.size());
  m.release = std::string(le::fixed_text(body.subspan(72, kReleaseSize - 1)));

  if (!std::has_single_bit(m.page_size) || m.page_size < 4096 || m.page_size > 65536) {
    return violation("SESSION_START page_size " + std::to_string(m.page_size));
  }
  if (m.max_datagram < kMinDatagram || m.max_datagram > kMaxDatagram) {
    return violation("SESSION_START max_datagram " + std::to_string(m.max_datagram));
  }
  if (m.max_pfn == 0 || m.max_pfn > kMaxPfn) {
    return violation("SESSION_START max_pfn " + std::to_string(m.max_pfn));
  }
  if (digest > 1) return violation("SESSION_START digest_alg " + std::to_string(digest));
  m.digest_alg = static_cast<DigestAlg>(digest);
  if (m.fec_k > kMaxFecK || m.fec_m > kMaxFecM || (m.fec_k == 0 && m.fec_m != 0)) {
    return violation("SESSION_START fec_k " + std::to_string(m.fec_k) + ", fec_m " +
                     std::to_string(m.fec_m));
  }
  if (m.meta_length > kMaxMetaLength) {
    return violation("SESSION_START meta_length " + std::to_string(m.meta_length));
  }
  std::size_t room = max_data_body(m) - kMetaHeaderSize;
  if (m.meta_length != 0 && (m.meta_chunk == 0 || m.meta_chunk > room)) {
    return violation("SESSION_START meta_chunk " + std::to_string(m.meta_chunk) +
                     " (a META packet holds at most " + std::to_string(room) + ")");
  }
  return m;
}

Result<MetaChunk> decode_meta_chunk(std::span<const std::byte> body, const SessionStart& start) {
  if (body.size() < kMetaHeaderSize) return violation("META body too short");
  MetaChunk m;
  m.data_index = le::load<std::uint64_t>(body.data());
  m.chunk_index = le::load<std::uint32_t>(body.data() + 8);
  m.bytes = body.subspan(kMetaHeaderSize);
  std::uint64_t chunks = start.meta_chunks();
  if (m.chunk_index >= chunks) {
    return violation("META chunk " + std::to_string(m.chunk_index) + " of " +
                     std::to_string(chunks));
  }
  std::uint64_t expected =
      m.chunk_index + 1 < chunks
          ? start.meta_chunk
          : start.meta_length - std::uint64_t{m.chunk_index} * start.meta_chunk;
  if (m.bytes.size() != expected) {
    return violation("META chunk " + std::to_string(m.chunk_index) + " has " +
                     std::to_string(m.bytes.size()) + " bytes, not " + std::to_string(expected));
  }
  return m;
}

Result<PagesMessage> decode_pages(std::span<const std::byte> body, const SessionStart& start) {
  if (body.size() < kPagesHeaderSize + kRecordHeaderSize) return violation("PAGES body too short");
  PagesMessage m;
  m.data_index = le::load<std::uint64_t>(body.data());
  std::uint16_t count = le::load<std::uint16_t>(body.data() + 8);
  if (count == 0 || count > kMaxRecordsPerPacket) {
    return violation("PAGES record_count " + std::to_string(count));
  }
  m.records.reserve(count);
  std::size_t at = kPagesHeaderSize;
  for (std::uint16_t i = 0; i < count; ++i) {
    if (body.size() - at < kRecordHeaderSize) return violation("PAGES record header past the body");
    const std::byte* p = body.data() + at;
    PageRecord r;
    std::uint8_t kind = std::to_integer<std::uint8_t>(p[0]);
    std::uint8_t compression = std::to_integer<std::uint8_t>(p[1]);
    r.chunk_index = le::load<std::uint16_t>(p + 2);
    r.chunk_count = le::load<std::uint16_t>(p + 4);
    std::uint16_t length = le::load<std::uint16_t>(p + 6);
    r.pfn = le::load<std::uint64_t>(p + 8);
    at += kRecordHeaderSize;
    if (body.size() - at < length) return violation("PAGES record payload past the body");
    r.payload = body.subspan(at, length);
    at += length;
    if (r.pfn >= start.max_pfn) {
      return violation("PAGES record pfn " + std::to_string(r.pfn) + " >= max_pfn");
    }
    if (kind == static_cast<std::uint8_t>(RecordKind::kPage)) {
      r.kind = RecordKind::kPage;
      if (compression > 2) return violation("PAGE compression " + std::to_string(compression));
      r.compression = static_cast<PageCompression>(compression);
      if (r.chunk_count == 0 || r.chunk_count > kMaxChunksPerPage ||
          r.chunk_index >= r.chunk_count) {
        return violation("PAGE chunk " + std::to_string(r.chunk_index) + " of " +
                         std::to_string(r.chunk_count));
      }
      if (length == 0 || length > start.page_size) {
        return violation("PAGE chunk of " + std::to_string(length) + " bytes");
      }
    } else if (kind == static_cast<std::uint8_t>(RecordKind::kZeroRun) ||
               kind == static_cast<std::uint8_t>(RecordKind::kUnavailableRun)) {
      r.kind = static_cast<RecordKind>(kind);
      if (compression != 0 || r.chunk_index != 0 || r.chunk_count != 1 || length != 8) {
        return violation("run record with page fields set");
      }
      r.run_length = le::load<std::uint64_t>(r.payload.data());
      r.payload = {};
      if (r.run_length == 0 || r.run_length > start.max_pfn - r.pfn) {
        return violation("run of " + std::to_string(r.run_length) + " pfns at " +
                         std::to_string(r.pfn) + " leaves [0, max_pfn)");
      }
    } else {
      return violation("record kind " + std::to_string(kind));
    }
    m.records.push_back(r);
  }
  if (at != body.size()) return violation("PAGES records do not fill the body exactly");
  return m;
}

Result<ParityMessage> decode_parity(std::span<const std::byte> body, const SessionStart& start) {
  if (start.fec_k == 0) return violation("PARITY in a session without FEC");
  if (body.size() < kParityHeaderSize + 4) return violation("PARITY body too short");
  ParityMessage m;
  m.group = le::load<std::uint64_t>(body.data());
  m.parity_index = std::to_integer<std::uint8_t>(body[8]);
  m.group_size = std::to_integer<std::uint8_t>(body[9]);
  m.symbol_length = le::load<std::uint16_t>(body.data() + 10);
  m.parity = body.subspan(kParityHeaderSize);
  if (m.parity_index >= start.fec_m) {
    return violation("PARITY index " + std::to_string(m.parity_index));
  }
  if (m.group_size == 0 || m.group_size > start.fec_k) {
    return violation("PARITY group_size " + std::to_string(m.group_size));
  }
  if (m.symbol_length != m.parity.size() || m.symbol_length < 4) {
    return violation("PARITY symbol_length " + std::to_string(m.symbol_length) + " for " +
                     std::to_string(m.parity.size()) + " bytes");
  }
  return m;
}

Result<EndMessage> decode_end(std::span<const std::byte> body) {
  if (body.size() != kEndSize) {
    return violation("END body of " + std::to_string(body.size()) + " bytes, not 88");
  }
  const std::byte* p = body.data();
  EndMessage m;
  m.data_packets = le::load<std::uint64_t>(p);
  m.pages_sent = le::load<std::uint64_t>(p + 8);
  m.zero_pages = le::load<std::uint64_t>(p + 16);
  m.unavailable = le::load<std::uint64_t>(p + 24);
  m.payload_bytes = le::load<std::uint64_t>(p + 32);
  std::uint32_t status = le::load<std::uint32_t>(p + 40);
  if (status > 3) return violation("END status " + std::to_string(status));
  m.status = static_cast<EndStatus>(status);
  std::memcpy(m.digest.data(), p + 48, m.digest.size());
  return m;
}

}  // namespace vmscope::dumpwire
