#include "receiver/dump_packet_crypto.h"

#include <sodium.h>

namespace vmscope::dumpwire {
namespace {

static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kKeySize);
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == 24);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kTagSize);

// sodium_init() is idempotent and thread-safe; it picks the fastest implementations once.
bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

const unsigned char* u8(const std::byte* p) {
  return reinterpret_cast<const unsigned char*>(p);
}
unsigned char* u8(std::byte* p) {
  return reinterpret_cast<unsigned char*>(p);
}

}  // namespace

void seal_packet(const HostKey& key, const PacketHeader& header, std::span<const std::byte> body,
                 std::vector<std::byte>& datagram) {
  datagram.resize(kHeaderSize + body.size() + kTagSize);
  encode_header(header, std::span<std::byte, kHeaderSize>(datagram.data(), kHeaderSize));
  if (!sodium_ready()) return;  // open_packet reports it; a sealed packet would not verify
  crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
      u8(datagram.data() + kHeaderSize), u8(datagram.data() + kHeaderSize + body.size()), nullptr,
      u8(body.data()), body.size(), u8(datagram.data()), kHeaderSize, nullptr,
      u8(datagram.data() + 8), u8(key.data()));
}

Status open_packet(const HostKey& key, std::span<const std::byte> datagram,
                   std::vector<std::byte>& body_out) {
  if (!sodium_ready()) return Error(ErrorCode::kInternal, "libsodium failed to initialise");
  if (datagram.size() < kOverhead) return Error(ErrorCode::kCorrupt, "datagram too short");
  std::size_t body_size = datagram.size() - kOverhead;
  body_out.resize(body_size);
  int rc = crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
      u8(body_out.data()), nullptr, u8(datagram.data() + kHeaderSize), body_size,
      u8(datagram.data() + kHeaderSize + body_size), u8(datagram.data()), kHeaderSize,
      u8(datagram.data() + 8), u8(key.data()));
  if (rc != 0) return Error(ErrorCode::kCorrupt, "authentication failed");
  return ok_status();
}

std::vector<std::byte> xchacha20poly1305_seal(const HostKey& key,
                                              std::span<const std::byte, 24> nonce,
                                              std::span<const std::byte> ad,
                                              std::span<const std::byte> plaintext) {
  std::vector<std::byte> out(plaintext.size() + kTagSize);
  if (!sodium_ready()) return {};
  unsigned long long length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(u8(out.data()), &length, u8(plaintext.data()),
                                             plaintext.size(), u8(ad.data()), ad.size(), nullptr,
                                             u8(nonce.data()), u8(key.data()));
  out.resize(length);
  return out;
}

}  // namespace vmscope::dumpwire
