// Decoding one stored page of a kdump-compressed file, by its page_desc.flags:
//   none of the bits below  raw: the stored bytes are the page (exactly one page long)
//   kKdumpPageZlib          zlib stream (compress2)
//   kKdumpPageLzo           LZO1X (lzo1x_1_compress)
//   kKdumpPageSnappy        raw snappy
//   kKdumpPageZstd          one zstd frame
// Thread-safe: decoders keep no state between calls beyond a per-thread zstd context.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "support/result.h"

namespace vmscope {

// Fills all of `page` from `stored`. Errors: kUnsupported for flag bits that name no known
// encoding; kCorrupt if more than one encoding is named, a raw page has the wrong length, or
// the data does not decode to exactly page.size() bytes. The caller adds the pfn.
Status decode_kdump_page(std::uint32_t flags, std::span<const std::byte> stored,
                         std::span<std::byte> page);

// The encoding bits of `flags` (zero for a raw page).
std::uint32_t kdump_page_encoding(std::uint32_t flags);

}  // namespace vmscope
