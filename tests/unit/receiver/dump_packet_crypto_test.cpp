#include "receiver/dump_packet_crypto.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vmscope::dumpwire {
namespace {

std::vector<std::byte> unhex(const std::string& hex) {
  std::vector<std::byte> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::byte>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

HostKey key_of(std::uint8_t first) {
  HostKey key;
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::byte>(first + i);
  return key;
}

std::vector<std::byte> bytes_of(const std::string& text) {
  auto span = std::as_bytes(std::span(text.data(), text.size()));
  return {span.begin(), span.end()};
}

// draft-irtf-cfrg-xchacha-03, appendix A.3.1: the AEAD test vector the spec (§8) requires.
TEST(DumpPacketCryptoTest, DraftXChaChaTestVector) {
  HostKey key = key_of(0x80);
  auto nonce = unhex("404142434445464748494a4b4c4d4e4f5051525354555657");
  auto ad = unhex("50515253c0c1c2c3c4c5c6c7");
  auto plaintext = bytes_of(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
      "future, sunscreen would be it.");
  auto expected = unhex(
      "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
      "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
      "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
      "21f9664c97637da9768812f615c68b13b52e"
      "c0875924c1c7987947deafd8780acf49");
  auto sealed =
      xchacha20poly1305_seal(key, std::span<const std::byte, 24>(nonce.data(), 24), ad, plaintext);
  EXPECT_EQ(sealed, expected);
}

// The packet's nonce is header bytes 8..31 and its AD the whole header: sealing a packet
// equals the raw AEAD with exactly those inputs (a byte-order slip would show here).
TEST(DumpPacketCryptoTest, PacketIsTheAeadOverHeaderAndBody) {
  HostKey key = key_of(1);
  PacketHeader h{MessageType::kPages, 0x0102030405060708, 0x1112131415161718, 0x2122232425262728};
  auto body = bytes_of("page records go here");
  std::vector<std::byte> datagram;
  seal_packet(key, h, body, datagram);
  ASSERT_EQ(datagram.size(), 32 + body.size() + 16);
  std::span<const std::byte> header(datagram.data(), 32);
  auto raw = xchacha20poly1305_seal(key, std::span<const std::byte, 24>(datagram.data() + 8, 24),
                                    header, body);
  EXPECT_TRUE(std::equal(raw.begin(), raw.end(), datagram.begin() + 32));
  EXPECT_EQ(datagram[8], std::byte{0x08});   // le64(host_id)
  EXPECT_EQ(datagram[24], std::byte{0x28});  // le64(seq)

  std::vector<std::byte> opened;
  ASSERT_TRUE(open_packet(key, datagram, opened).ok());
  EXPECT_EQ(opened, body);
}

TEST(DumpPacketCryptoTest, EveryTamperedByteAndWrongKeyFail) {
  HostKey key = key_of(7);
  PacketHeader h{MessageType::kEnd, 9, 10, 11};
  auto body = bytes_of("0123456789abcdef");
  std::vector<std::byte> datagram;
  seal_packet(key, h, body, datagram);
  std::vector<std::byte> opened;
  for (std::size_t i = 0; i < datagram.size(); ++i) {
    auto tampered = datagram;
    tampered[i] ^= std::byte{0x01};
    Status s = open_packet(key, tampered, opened);
    ASSERT_FALSE(s.ok()) << "flipping a bit of byte " << i << " went unnoticed";
    EXPECT_EQ(s.error().code(), ErrorCode::kCorrupt);
  }
  EXPECT_FALSE(open_packet(key_of(8), datagram, opened).ok());
  auto truncated = datagram;
  truncated.pop_back();
  EXPECT_FALSE(open_packet(key, truncated, opened).ok());
  EXPECT_TRUE(open_packet(key, datagram, opened).ok());
}

}  // namespace
}  // namespace vmscope::dumpwire
