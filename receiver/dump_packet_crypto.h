// Sealing and opening dump-protocol datagrams with XChaCha20-Poly1305
// (protocol-spec/dump-wire-protocol.md §8), through libsodium's
// crypto_aead_xchacha20poly1305_ietf_{encrypt,decrypt}_detached:
//
//   nonce (24 bytes)  = header[8..32] = le64(host_id) || le64(session_id) || le64(seq)
//   associated data   = header[0..32]
//   datagram          = header || ciphertext(body) || tag(16)
//
// A datagram that fails the tag is refused without touching `body_out`'s contents beyond
// resizing; nothing about the key or the plaintext leaks through the error. Thread-safe:
// no state beyond libsodium's one-time initialisation.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <vector>

#include "receiver/dump_wire_header.h"
#include "support/result.h"

namespace vmscope::dumpwire {

inline constexpr std::size_t kKeySize = 32;
using HostKey = std::array<std::byte, kKeySize>;

// header || encrypt(body) || tag, replacing the contents of `datagram`.
void seal_packet(const HostKey& key, const PacketHeader& header, std::span<const std::byte> body,
                 std::vector<std::byte>& datagram);

// Verifies and decrypts a whole datagram whose header has already been decoded. On success
// `body_out` holds the plaintext body (datagram length − 48 bytes). Errors: kCorrupt
// ("authentication failed") when the tag does not verify, kInternal if libsodium cannot start.
Status open_packet(const HostKey& key, std::span<const std::byte> datagram,
                   std::vector<std::byte>& body_out);

// The raw AEAD, for the draft-irtf-cfrg-xchacha test vector: ciphertext || tag.
std::vector<std::byte> xchacha20poly1305_seal(const HostKey& key,
                                              std::span<const std::byte, 24> nonce,
                                              std::span<const std::byte> ad,
                                              std::span<const std::byte> plaintext);

}  // namespace vmscope::dumpwire
