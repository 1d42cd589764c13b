// The per-session anti-replay window of the dump wire protocol
// (protocol-spec/dump-wire-protocol.md §9), a sliding bitmap as in IPsec (RFC 4303 §3.4.3):
// the newest `seq` seen and the 8192 sequence numbers at and below it.
//
//   check(seq)  before decryption: kFresh, kDuplicate (already marked) or kTooOld (below the
//               window). Cheap and read-only, so a forged packet cannot move the window.
//   mark(seq)   after the tag verified: records seq, sliding the window forward if newer.
//
// Not thread-safe: one owner (the session).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace vmscope::dumpwire {

class ReplayWindow {
 public:
  static constexpr std::uint64_t kSize = 8192;
  enum class Verdict { kFresh, kDuplicate, kTooOld };

  Verdict check(std::uint64_t seq) const;
  void mark(std::uint64_t seq);
  std::optional<std::uint64_t> highest() const { return highest_; }

 private:
  static constexpr std::size_t kWords = kSize / 64;
  bool test(std::uint64_t seq) const;
  void set(std::uint64_t seq);
  void clear(std::uint64_t seq);

  std::optional<std::uint64_t> highest_;
  std::array<std::uint64_t, kWords> bits_{};  // bit (seq mod kSize)
};

}  // namespace vmscope::dumpwire
