// Puts the META blob of a dump session back together from its chunks
// (protocol-spec/dump-wire-protocol.md §5.2). The blob's size and chunk size come from
// SESSION_START, so the buffer is allocated once (at most 16 MiB) and each chunk has one place.
// The sender sends the blob twice; a chunk seen again is ignored, and a repeat whose bytes
// differ is reported (the first copy wins).
//
// Not thread-safe: one owner (the session).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "receiver/dump_messages.h"

namespace vmscope::dumpwire {

class MetaBlobAssembler {
 public:
  enum class Outcome { kAdded, kRepeat, kConflict };

  explicit MetaBlobAssembler(const SessionStart& start);
  // `chunk` was checked by decode_meta_chunk against the same SessionStart.
  Outcome add(const MetaChunk& chunk);
  bool complete() const { return received_ == have_.size(); }
  std::span<const std::byte> blob() const { return blob_; }
  std::uint64_t chunks_received() const { return received_; }
  std::uint64_t chunks_total() const { return have_.size(); }

 private:
  std::uint32_t chunk_size_;
  std::vector<std::byte> blob_;
  std::vector<bool> have_;
  std::uint64_t received_ = 0;
};

}  // namespace vmscope::dumpwire
