// The dump wire protocol's constants and its 32-byte cleartext header
// (protocol-spec/dump-wire-protocol.md §4, §14). The header is authenticated (it is the AEAD's
// associated data, bytes 8..31 are its nonce) but not encrypted: the receiver reads it before
// it knows which key to use.
//
//   off size  field
//     0   4   magic "VMSD"
//     4   1   version (1)
//     5   1   type (MessageType)
//     6   2   flags (0 in v1)
//     8   8   host_id     (never 0)
//    16   8   session_id  (never 0)
//    24   8   seq
//    32   n   ciphertext, then the 16-byte tag
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "support/result.h"

namespace vmscope::dumpwire {

inline constexpr std::uint32_t kMagic = 0x44534D56;  // "VMSD" little-endian
inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kHeaderSize = 32;
inline constexpr std::size_t kTagSize = 16;
inline constexpr std::size_t kOverhead = kHeaderSize + kTagSize;
inline constexpr std::size_t kMinDatagram = 512;
inline constexpr std::size_t kMaxDatagram = 65507;
inline constexpr std::size_t kDefaultDatagram = 1452;
inline constexpr std::uint16_t kDefaultPort = 6677;

enum class MessageType : std::uint8_t {
  kSessionStart = 1,
  kMeta = 2,
  kPages = 3,
  kParity = 4,
  kEnd = 5,
};

std::string_view message_type_name(MessageType type);

struct PacketHeader {
  MessageType type = MessageType::kSessionStart;
  std::uint64_t host_id = 0;
  std::uint64_t session_id = 0;
  std::uint64_t seq = 0;
};

// Why a header was refused, for the receiver's counters (§11.1 steps 1-2).
enum class HeaderFault {
  kNone,
  kTooShort,            // fewer than 49 bytes (header, tag and at least one body byte)
  kTooLong,             // over 65507 bytes
  kBadMagic,            //
  kUnsupportedVersion,  // version != 1
  kUnknownType,         //
  kFlagsSet,            // reserved flags not zero
  kZeroId,              // host_id or session_id is 0
};

std::string_view header_fault_name(HeaderFault fault);

// Writes the 32 header bytes.
void encode_header(const PacketHeader& header, std::span<std::byte, kHeaderSize> out);

// Checks and decodes the header of a whole datagram. Never reads past `datagram`.
HeaderFault decode_header(std::span<const std::byte> datagram, PacketHeader& out);

}  // namespace vmscope::dumpwire
