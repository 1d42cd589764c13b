#include "receiver/dump_wire_header.h"

#include <gtest/gtest.h>

#include <vector>

namespace vmscope::dumpwire {
namespace {

std::vector<std::byte> datagram_with(const PacketHeader& header, std::size_t size = 64) {
  std::vector<std::byte> d(size);
  encode_header(header, std::span<std::byte, kHeaderSize>(d.data(), kHeaderSize));
  return d;
}

TEST(DumpWireHeaderTest, RoundTripsAndMatchesTheSpecLayout) {
  PacketHeader h{MessageType::kParity, 0x1122334455667788, 0x99aabbccddeeff01, 42};
  auto d = datagram_with(h);
  // "VMSD", version 1, type 4, flags 0, then host_id little-endian.
  EXPECT_EQ(d[0], std::byte{'V'});
  EXPECT_EQ(d[3], std::byte{'D'});
  EXPECT_EQ(d[4], std::byte{1});
  EXPECT_EQ(d[5], std::byte{4});
  EXPECT_EQ(d[8], std::byte{0x88});
  EXPECT_EQ(d[15], std::byte{0x11});
  EXPECT_EQ(d[24], std::byte{42});
  PacketHeader out;
  ASSERT_EQ(decode_header(d, out), HeaderFault::kNone);
  EXPECT_EQ(out.type, MessageType::kParity);
  EXPECT_EQ(out.host_id, h.host_id);
  EXPECT_EQ(out.session_id, h.session_id);
  EXPECT_EQ(out.seq, 42u);
}

TEST(DumpWireHeaderTest, RefusesEachMalformation) {
  PacketHeader h{MessageType::kPages, 1, 2, 3};
  PacketHeader out;
  EXPECT_EQ(decode_header(datagram_with(h, 48), out), HeaderFault::kTooShort);
  EXPECT_EQ(decode_header(datagram_with(h, 49), out), HeaderFault::kNone);
  EXPECT_EQ(decode_header(datagram_with(h, 65508), out), HeaderFault::kTooLong);
  auto d = datagram_with(h);
  d[0] = std::byte{'X'};
  EXPECT_EQ(decode_header(d, out), HeaderFault::kBadMagic);
  d = datagram_with(h);
  d[4] = std::byte{2};
  EXPECT_EQ(decode_header(d, out), HeaderFault::kUnsupportedVersion);
  d = datagram_with(h);
  d[5] = std::byte{6};
  EXPECT_EQ(decode_header(d, out), HeaderFault::kUnknownType);
  d[5] = std::byte{0};
  EXPECT_EQ(decode_header(d, out), HeaderFault::kUnknownType);
  d = datagram_with(h);
  d[7] = std::byte{0x80};
  EXPECT_EQ(decode_header(d, out), HeaderFault::kFlagsSet);
  EXPECT_EQ(decode_header(datagram_with({MessageType::kEnd, 0, 2, 3}), out), HeaderFault::kZeroId);
  EXPECT_EQ(decode_header(datagram_with({MessageType::kEnd, 1, 0, 3}), out), HeaderFault::kZeroId);
  EXPECT_EQ(header_fault_name(HeaderFault::kFlagsSet), "flags-set");
}

}  // namespace
}  // namespace vmscope::dumpwire
