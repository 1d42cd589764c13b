#include "receiver/dump_wire_header.h"

#include "receiver/le_bytes.h"

namespace vmscope::dumpwire {

std::string_view message_type_name(MessageType type) {
  switch (type) {
    case MessageType::kSessionStart: return "SESSION_START";
    case MessageType::kMeta: return "META";
    case MessageType::kPages: return "PAGES";
    case MessageType::kParity: return "PARITY";
    case MessageType::kEnd: return "END";
  }
  return "unknown";
}

std::string_view header_fault_name(HeaderFault fault) {
  switch (fault) {
    case HeaderFault::kNone: return "none";
    case HeaderFault::kTooShort: return "too-short";
    case HeaderFault::kTooLong: return "too-long";
    case HeaderFault::kBadMagic: return "bad-magic";
    case HeaderFault::kUnsupportedVersion: return "unsupported-version";
    case HeaderFault::kUnknownType: return "unknown-type";
    case HeaderFault::kFlagsSet: return "flags-set";
    case HeaderFault::kZeroId: return "zero-id";
  }
  return "unknown";
}

void encode_header(const PacketHeader& header, std::span<std::byte, kHeaderSize> out) {
  std::byte* p = out.data();
  le::store<std::uint32_t>(p, kMagic);
  p[4] = std::byte{kVersion};
  p[5] = static_cast<std::byte>(header.type);
  le::store<std::uint16_t>(p + 6, 0);
  le::store<std::uint64_t>(p + 8, header.host_id);
  le::store<std::uint64_t>(p + 16, header.session_id);
  le::store<std::uint64_t>(p + 24, header.seq);
}

HeaderFault decode_header(std::span<const std::byte> datagram, PacketHeader& out) {
  if (datagram.size() < kOverhead + 1) return HeaderFault::kTooShort;
  if (datagram.size() > kMaxDatagram) return HeaderFault::kTooLong;
  const std::byte* p = datagram.data();
  if (le::load<std::uint32_t>(p) != kMagic) return HeaderFault::kBadMagic;
  if (std::to_integer<std::uint8_t>(p[4]) != kVersion) return HeaderFault::kUnsupportedVersion;
  std::uint8_t type = std::to_integer<std::uint8_t>(p[5]);
  if (type < 1 || type > 5) return HeaderFault::kUnknownType;
  if (le::load<std::uint16_t>(p + 6) != 0) return HeaderFault::kFlagsSet;
  out.type = static_cast<MessageType>(type);
  out.host_id = le::load<std::uint64_t>(p + 8);
  out.session_id = le::load<std::uint64_t>(p + 16);
  out.seq = le::load<std::uint64_t>(p + 24);
  if (out.host_id == 0 || out.session_id == 0) return HeaderFault::kZeroId;
  return HeaderFault::kNone;
}

}  // namespace vmscope::dumpwire
