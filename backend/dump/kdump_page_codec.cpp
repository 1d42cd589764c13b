#include "dump/kdump_page_codec.h"

#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <bit>
#include <cstring>
#include <memory>
#include <string>

#include "dump/kdump_header.h"
#include "support/hex.h"

namespace vmscope {
namespace {

constexpr std::uint32_t kAllEncodings =
    kKdumpPageZlib | kKdumpPageLzo | kKdumpPageSnappy | kKdumpPageZstd;

Error wrong_length(const char* what, std::size_t got, std::size_t want) {
  return Error(ErrorCode::kCorrupt, std::string(what) + " page decodes to " + std::to_string(got) +
                                        " bytes, not " + std::to_string(want));
}

Status decode_zlib(std::span<const std::byte> in, std::span<std::byte> out) {
  uLongf length = out.size();
  int rc = ::uncompress(reinterpret_cast<Bytef*>(out.data()), &length,
                        reinterpret_cast<const Bytef*>(in.data()), in.size());
  if (rc != Z_OK) {
    return Error(ErrorCode::kCorrupt,
                 "zlib page does not decompress (zlib error " + std::to_string(rc) + ")");
  }
  if (length != out.size()) return wrong_length("zlib", length, out.size());
  return ok_status();
}

Status decode_lzo(std::span<const std::byte> in, std::span<std::byte> out) {
  // lzo_init checks the library's ABI once; the result is immutable afterwards.
  static const int init = lzo_init();
  if (init != LZO_E_OK) return Error(ErrorCode::kInternal, "lzo_init failed");
  lzo_uint length = out.size();
  int rc = ::lzo1x_decompress_safe(reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                                   reinterpret_cast<unsigned char*>(out.data()), &length, nullptr);
  if (rc != LZO_E_OK) {
    return Error(ErrorCode::kCorrupt,
                 "lzo page does not decompress (lzo error " + std::to_string(rc) + ")");
  }
  if (length != out.size()) return wrong_length("lzo", length, out.size());
  return ok_status();
}

Status decode_snappy(std::span<const std::byte> in, std::span<std::byte> out) {
  const char* src = reinterpret_cast<const char*>(in.data());
  std::size_t length = 0;
  if (::snappy_uncompressed_length(src, in.size(), &length) != SNAPPY_OK) {
    return Error(ErrorCode::kCorrupt, "snappy page has no valid length header");
  }
  if (length != out.size()) return wrong_length("snappy", length, out.size());
  if (::snappy_uncompress(src, in.size(), reinterpret_cast<char*>(out.data()), &length) !=
      SNAPPY_OK) {
    return Error(ErrorCode::kCorrupt, "snappy page does not decompress");
  }
  if (length != out.size()) return wrong_length("snappy", length, out.size());
  return ok_status();
}

Status decode_zstd(std::span<const std::byte> in, std::span<std::byte> out) {
  // ZSTD_decompress would allocate a ~100 KiB context per page; keep one per thread instead.
  struct Free {
    void operator()(ZSTD_DCtx* ctx) const { ZSTD_freeDCtx(ctx); }
  };
  thread_local std::unique_ptr<ZSTD_DCtx, Free> ctx(ZSTD_createDCtx());
  if (!ctx) return Error(ErrorCode::kInternal, "cannot allocate a zstd context");
  std::size_t rc = ::ZSTD_decompressDCtx(ctx.get(), out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(rc)) {
    return Error(ErrorCode::kCorrupt,
                 std::string("zstd page does not decompress: ") + ZSTD_getErrorName(rc));
  }
  if (rc != out.size()) return wrong_length("zstd", rc, out.size());
  return ok_status();
}

}  // namespace

std::uint32_t kdump_page_encoding(std::uint32_t flags) {
  return flags & kAllEncodings;
}

Status decode_kdump_page(std::uint32_t flags, std::span<const std::byte> stored,
                         std::span<std::byte> page) {
  if ((flags & ~kAllEncodings) != 0) {
    return Error(ErrorCode::kUnsupported, "unknown page encoding flags " + hex_u64(flags));
  }
  std::uint32_t encoding = kdump_page_encoding(flags);
  if (std::popcount(encoding) > 1) {
    return Error(ErrorCode::kCorrupt, "page flags " + hex_u64(flags) + " name several encodings");
  }
  switch (encoding) {
    case 0:
      if (stored.size() != page.size()) return wrong_length("raw", stored.size(), page.size());
      std::memcpy(page.data(), stored.data(), page.size());
      return ok_status();
    case kKdumpPageZlib: return decode_zlib(stored, page);
    case kKdumpPageLzo: return decode_lzo(stored, page);
    case kKdumpPageSnappy: return decode_snappy(stored, page);
    case kKdumpPageZstd: return decode_zstd(stored, page);
    default: return Error(ErrorCode::kInternal, "unreachable page encoding");
  }
}

}  // namespace vmscope
