// Test support: rewrite a real kdump-compressed dump with its pages stored another way.
//
// No Debian tool writes snappy or zstd kdump files, so the readers of those encodings are
// tested on a real dump re-encoded by this: everything before the page descriptors (headers,
// notes, VMCOREINFO, both bitmaps) is copied byte for byte; the descriptors and page data are
// rewritten the way QEMU lays them out — a shared zero page first (every all-zero page
// points at it), then each dumped page encoded with the chosen codec, or raw when encoding
// does not make it smaller; the header's status names the codec. Eraseinfo, if any, follows
// the data and its offset is updated. The input is read through the vmscope reader (a
// flattened input is indexed first), so the output holds exactly the bytes vmscope read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "support/result.h"

namespace vmscope::tools {

enum class PageCodec { kRaw, kZlib, kLzo, kSnappy, kZstd };

std::optional<PageCodec> parse_page_codec(std::string_view name);  // "raw", "zlib", …

struct RecompressStats {
  std::uint64_t pages = 0;       // descriptors written
  std::uint64_t zero_pages = 0;  // pointing at the shared zero page
  std::uint64_t raw_pages = 0;   // stored raw because encoding did not shrink them
  std::uint64_t output_bytes = 0;
};

// Reads the kdump (or flattened) file at `input` and writes the re-encoded copy to `output`
// (created or truncated). Fails on the first page the reader cannot read.
Result<RecompressStats> recompress_kdump(const std::string& input, const std::string& output,
                                         PageCodec codec);

}  // namespace vmscope::tools
