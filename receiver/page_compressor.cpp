#include "receiver/page_compressor.h"

#include <lz4.h>
#include <zlib.h>
#include <zstd.h>

namespace vmscope {

struct PageCompressor::Contexts {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  ~Contexts() {
    ZSTD_freeCCtx(cctx);
    ZSTD_freeDCtx(dctx);
  }
};

PageCompressor::PageCompressor(int zstd_level)
    : contexts_(std::make_unique<Contexts>()), zstd_level_(zstd_level) {}

PageCompressor::~PageCompressor() = default;

PageCodec codec_of(dumpwire::PageCompression compression) {
  return compression == dumpwire::PageCompression::kLz4 ? PageCodec::kLz4 : PageCodec::kZstd;
}

bool PageCompressor::compress(PageCodec codec, std::span<const std::byte> page,
                              std::vector<std::byte>& out) {
  std::size_t limit = page.size() - 1;  // must come out shorter than the page
  switch (codec) {
    case PageCodec::kLz4: {
      out.resize(static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(page.size()))));
      int n = LZ4_compress_default(reinterpret_cast<const char*>(page.data()),
                                   reinterpret_cast<char*>(out.data()),
                                   static_cast<int>(page.size()), static_cast<int>(out.size()));
      if (n <= 0 || static_cast<std::size_t>(n) > limit) return false;
      out.resize(static_cast<std::size_t>(n));
      return true;
    }
    case PageCodec::kZstd: {
      if (contexts_->cctx == nullptr) return false;
      out.resize(ZSTD_compressBound(page.size()));
      std::size_t n = ZSTD_compressCCtx(contexts_->cctx, out.data(), out.size(), page.data(),
                                        page.size(), zstd_level_);
      if (ZSTD_isError(n) || n > limit) return false;
      out.resize(n);
      return true;
    }
    case PageCodec::kZlib: {
      uLongf n = compressBound(static_cast<uLong>(page.size()));
      out.resize(n);
      if (compress2(reinterpret_cast<Bytef*>(out.data()), &n,
                    reinterpret_cast<const Bytef*>(page.data()), static_cast<uLong>(page.size()),
                    Z_BEST_SPEED) != Z_OK ||
          n > limit) {
        return false;
      }
      out.resize(n);
      return true;
    }
  }
  return false;
}

Status PageCompressor::decompress(PageCodec codec, std::span<const std::byte> stored,
                                  std::span<std::byte> page) {
  bool ok = false;
  switch (codec) {
    case PageCodec::kLz4: {
      int n = LZ4_decompress_safe(reinterpret_cast<const char*>(stored.data()),
                                  reinterpret_cast<char*>(page.data()),
                                  static_cast<int>(stored.size()), static_cast<int>(page.size()));
      ok = n >= 0 && static_cast<std::size_t>(n) == page.size();
      break;
    }
    case PageCodec::kZstd: {
      if (contexts_->dctx == nullptr) break;
      std::size_t n = ZSTD_decompressDCtx(contexts_->dctx, page.data(), page.size(), stored.data(),
                                          stored.size());
      ok = !ZSTD_isError(n) && n == page.size();
      break;
    }
    case PageCodec::kZlib: {
      uLongf n = static_cast<uLongf>(page.size());
      ok = uncompress(reinterpret_cast<Bytef*>(page.data()), &n,
                      reinterpret_cast<const Bytef*>(stored.data()),
                      static_cast<uLong>(stored.size())) == Z_OK &&
           n == page.size();
      break;
    }
  }
  if (!ok) {
    return Error(ErrorCode::kCorrupt, "compressed page of " + std::to_string(stored.size()) +
                                          " bytes does not decode to one page");
  }
  return ok_status();
}

}  // namespace vmscope
