#include "receiver/meta_blob_assembler.h"

#include <algorithm>

namespace vmscope::dumpwire {

MetaBlobAssembler::MetaBlobAssembler(const SessionStart& start)
    : chunk_size_(start.meta_chunk), blob_(start.meta_length), have_(start.meta_chunks(), false) {}

MetaBlobAssembler::Outcome MetaBlobAssembler::add(const MetaChunk& chunk) {
  if (chunk.chunk_index >= have_.size()) return Outcome::kConflict;
  std::size_t at = std::size_t{chunk.chunk_index} * chunk_size_;
  if (at + chunk.bytes.size() > blob_.size()) return Outcome::kConflict;
  if (have_[chunk.chunk_index]) {
    return std::equal(chunk.bytes.begin(), chunk.bytes.end(), blob_.begin() + at)
               ? Outcome::kRepeat
               : Outcome::kConflict;
  }
  std::copy(chunk.bytes.begin(), chunk.bytes.end(), blob_.begin() + at);
  have_[chunk.chunk_index] = true;
  ++received_;
  return Outcome::kAdded;
}

}  // namespace vmscope::dumpwire
