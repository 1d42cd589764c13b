// Compressing and decompressing single pages, for the dump protocol (LZ4 block and zstd frame,
// protocol-spec/dump-wire-protocol.md §5.3, §6) and for storing pages in a kdump file (zstd,
// zlib). A compressed page is only useful if it is shorter than the page: compress() returns
// false otherwise and the caller sends or stores the page raw.
//
// Holds its zstd contexts (reused between pages, which matters: creating one costs more than
// compressing a page). Not thread-safe: one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "receiver/dump_messages.h"
#include "support/result.h"

namespace vmscope {

enum class PageCodec { kLz4, kZstd, kZlib };

class PageCompressor {
 public:
  explicit PageCompressor(int zstd_level = 1);
  ~PageCompressor();
  PageCompressor(const PageCompressor&) = delete;
  PageCompressor& operator=(const PageCompressor&) = delete;

  // `out` receives the compressed page; false (out unspecified) if it would not be shorter.
  bool compress(PageCodec codec, std::span<const std::byte> page, std::vector<std::byte>& out);

  // Fills all of `page`. kCorrupt if `stored` does not decode to exactly page.size() bytes.
  Status decompress(PageCodec codec, std::span<const std::byte> stored, std::span<std::byte> page);

 private:
  struct Contexts;
  std::unique_ptr<Contexts> contexts_;
  int zstd_level_;
};

// The wire's compression field as a codec (kNone has none).
PageCodec codec_of(dumpwire::PageCompression compression);

}  // namespace vmscope
