// The plaintext bodies of the dump wire protocol's five messages
// (protocol-spec/dump-wire-protocol.md §5), encoded and decoded with every field checked.
//
// Encoders append to a buffer. Decoders take a whole body and return kCorrupt naming the
// field when the body breaks a rule of §5 (an authentic body that does so is a sender bug,
// counted as `protocol_violation` by the receiver). Decoded messages that carry bytes
// (META chunks, page payloads, parity) hold spans INTO the body given to the decoder: they
// are valid only as long as that buffer is.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "support/result.h"

namespace vmscope::dumpwire {

inline constexpr std::size_t kSessionStartSize = 144;
inline constexpr std::size_t kEndSize = 88;
inline constexpr std::size_t kMetaHeaderSize = 16;
inline constexpr std::size_t kPagesHeaderSize = 12;
inline constexpr std::size_t kRecordHeaderSize = 16;
inline constexpr std::size_t kParityHeaderSize = 16;
inline constexpr std::size_t kMaxRecordsPerPacket = 64;
inline constexpr std::size_t kMaxChunksPerPage = 1024;
inline constexpr std::uint32_t kMaxMetaLength = 16u << 20;
inline constexpr std::uint64_t kMaxPfn = std::uint64_t{1} << 40;
inline constexpr unsigned kMaxFecK = 64;
inline constexpr unsigned kMaxFecM = 16;
inline constexpr std::size_t kReleaseSize = 65;

enum class DigestAlg : std::uint8_t { kNone = 0, kBlake2s256 = 1 };

struct SessionStart {
  std::uint32_t page_size = 4096;
  std::uint32_t max_datagram = 1452;
  std::uint64_t max_pfn = 0;
  std::uint64_t panic_task = 0;
  std::uint64_t phys_base = 0;
  std::int64_t panic_time = 0;
  std::uint32_t nr_cpus = 0;
  std::uint16_t e_machine = 0;
  DigestAlg digest_alg = DigestAlg::kNone;
  std::uint8_t fec_k = 0;
  std::uint8_t fec_m = 0;
  std::uint8_t dump_level = 0;
  std::uint16_t meta_chunk = 0;
  std::uint32_t meta_length = 0;
  std::array<std::byte, 16> boot_id{};
  std::string release;  // at most 64 bytes (65 with the NUL)

  bool operator==(const SessionStart&) const = default;
  std::uint64_t meta_chunks() const {
    return meta_chunk == 0 ? 0 : (std::uint64_t{meta_length} + meta_chunk - 1) / meta_chunk;
  }
};

struct MetaChunk {
  std::uint64_t data_index = 0;
  std::uint32_t chunk_index = 0;
  std::span<const std::byte> bytes;
};

enum class RecordKind : std::uint8_t { kPage = 1, kZeroRun = 2, kUnavailableRun = 3 };
enum class PageCompression : std::uint8_t { kNone = 0, kLz4 = 1, kZstd = 2 };

struct PageRecord {
  RecordKind kind = RecordKind::kPage;
  PageCompression compression = PageCompression::kNone;
  std::uint16_t chunk_index = 0;
  std::uint16_t chunk_count = 1;
  std::uint64_t pfn = 0;
  std::uint64_t run_length = 0;        // runs: pfn count
  std::span<const std::byte> payload;  // PAGE: this chunk's bytes
};

struct PagesMessage {
  std::uint64_t data_index = 0;
  std::vector<PageRecord> records;
};

struct ParityMessage {
  std::uint64_t group = 0;
  std::uint8_t parity_index = 0;
  std::uint8_t group_size = 0;
  std::uint16_t symbol_length = 0;
  std::span<const std::byte> parity;
};

enum class EndStatus : std::uint32_t {
  kComplete = 0,
  kSenderError = 1,
  kTimeLimit = 2,
  kCancelled = 3
};

struct EndMessage {
  std::uint64_t data_packets = 0;
  std::uint64_t pages_sent = 0;
  std::uint64_t zero_pages = 0;
  std::uint64_t unavailable = 0;
  std::uint64_t payload_bytes = 0;
  EndStatus status = EndStatus::kComplete;
  std::array<std::byte, 32> digest{};

  bool operator==(const EndMessage&) const = default;
};

// Body bytes a data packet (META/PAGES) may have under `start` (§7: smaller with FEC on, so
// that its FEC symbol fits a PARITY packet).
std::size_t max_data_body(const SessionStart& start);

void encode_session_start(const SessionStart& message, std::vector<std::byte>& out);
void encode_meta_chunk(const MetaChunk& message, std::vector<std::byte>& out);
// Appends the 12-byte PAGES header; records follow with encode_page_record().
void encode_pages_header(std::uint64_t data_index, std::uint16_t record_count,
                         std::vector<std::byte>& out);
void encode_page_record(const PageRecord& record, std::vector<std::byte>& out);
void encode_parity(const ParityMessage& message, std::vector<std::byte>& out);
void encode_end(const EndMessage& message, std::vector<std::byte>& out);

Result<SessionStart> decode_session_start(std::span<const std::byte> body);
// `start` bounds the chunk index and size.
Result<MetaChunk> decode_meta_chunk(std::span<const std::byte> body, const SessionStart& start);
// Records are checked on their own (kinds, sizes, chunk fields, pfn < max_pfn, runs inside
// [0, max_pfn)); accounting rules across records are the session's.
Result<PagesMessage> decode_pages(std::span<const std::byte> body, const SessionStart& start);
Result<ParityMessage> decode_parity(std::span<const std::byte> body, const SessionStart& start);
Result<EndMessage> decode_end(std::span<const std::byte> body);

}  // namespace vmscope::dumpwire
