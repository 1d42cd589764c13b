#include "dump/kdump_page_codec.h"

#include <gtest/gtest.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "dump/kdump_header.h"

namespace vmscope {
namespace {

constexpr std::size_t kPage = 4096;

std::vector<std::byte> sample_page() {
  std::vector<std::byte> page(kPage);
  for (std::size_t i = 0; i < kPage; ++i) page[i] = std::byte((i * i / 7) & 0xff);
  return page;
}

std::vector<std::byte> zlib_of(const std::vector<std::byte>& in) {
  uLongf size = compressBound(in.size());
  std::vector<std::byte> out(size);
  EXPECT_EQ(compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                      reinterpret_cast<const Bytef*>(in.data()), in.size(), 6),
            Z_OK);
  out.resize(size);
  return out;
}

std::vector<std::byte> lzo_of(const std::vector<std::byte>& in) {
  EXPECT_EQ(lzo_init(), LZO_E_OK);
  std::vector<std::byte> out(in.size() + in.size() / 16 + 64 + 3);
  std::vector<unsigned char> work(LZO1X_1_MEM_COMPRESS);
  lzo_uint size = out.size();
  EXPECT_EQ(lzo1x_1_compress(reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                             reinterpret_cast<unsigned char*>(out.data()), &size, work.data()),
            LZO_E_OK);
  out.resize(size);
  return out;
}

std::vector<std::byte> snappy_of(const std::vector<std::byte>& in) {
  std::size_t size = snappy_max_compressed_length(in.size());
  std::vector<std::byte> out(size);
  EXPECT_EQ(snappy_compress(reinterpret_cast<const char*>(in.data()), in.size(),
                            reinterpret_cast<char*>(out.data()), &size),
            SNAPPY_OK);
  out.resize(size);
  return out;
}

std::vector<std::byte> zstd_of(const std::vector<std::byte>& in) {
  std::vector<std::byte> out(ZSTD_compressBound(in.size()));
  std::size_t size = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 1);
  EXPECT_FALSE(ZSTD_isError(size));
  out.resize(size);
  return out;
}

struct Codec {
  std::uint32_t flag;
  std::vector<std::byte> (*compress)(const std::vector<std::byte>&);
};

const Codec kCodecs[] = {{kKdumpPageZlib, zlib_of},
                         {kKdumpPageLzo, lzo_of},
                         {kKdumpPageSnappy, snappy_of},
                         {kKdumpPageZstd, zstd_of}};

TEST(KdumpPageCodecTest, DecodesEveryEncoding) {
  std::vector<std::byte> page = sample_page();
  for (const Codec& codec : kCodecs) {
    std::vector<std::byte> stored = codec.compress(page);
    std::vector<std::byte> out(kPage);
    Status s = decode_kdump_page(codec.flag, stored, out);
    ASSERT_TRUE(s.ok()) << codec.flag << ": " << s.error().to_string();
    EXPECT_EQ(out, page) << codec.flag;
  }
}

TEST(KdumpPageCodecTest, RawPageMustBeExactlyOnePage) {
  std::vector<std::byte> page = sample_page();
  std::vector<std::byte> out(kPage);
  ASSERT_TRUE(decode_kdump_page(0, page, out).ok());
  EXPECT_EQ(out, page);
  std::vector<std::byte> short_page(page.begin(), page.end() - 1);
  EXPECT_EQ(decode_kdump_page(0, short_page, out).error().code(), ErrorCode::kCorrupt);
}

TEST(KdumpPageCodecTest, GarbageIsCorruptForEveryEncoding) {
  std::vector<std::byte> garbage(100);
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = std::byte((i * 97 + 13) & 0xff);
  for (const Codec& codec : kCodecs) {
    std::vector<std::byte> out(kPage);
    Status s = decode_kdump_page(codec.flag, garbage, out);
    ASSERT_FALSE(s.ok()) << codec.flag;
    EXPECT_EQ(s.error().code(), ErrorCode::kCorrupt) << codec.flag;
  }
}

TEST(KdumpPageCodecTest, DataOfTheWrongLengthIsCorrupt) {
  std::vector<std::byte> half(kPage / 2, std::byte{3});
  for (const Codec& codec : kCodecs) {
    std::vector<std::byte> stored = codec.compress(half);
    std::vector<std::byte> out(kPage);
    Status s = decode_kdump_page(codec.flag, stored, out);
    ASSERT_FALSE(s.ok()) << codec.flag;
    EXPECT_EQ(s.error().code(), ErrorCode::kCorrupt) << codec.flag;
  }
}

TEST(KdumpPageCodecTest, UnknownOrAmbiguousFlags) {
  std::vector<std::byte> page = sample_page();
  std::vector<std::byte> out(kPage);
  EXPECT_EQ(decode_kdump_page(0x40, page, out).error().code(), ErrorCode::kUnsupported);
  EXPECT_EQ(decode_kdump_page(kKdumpPageZlib | kKdumpPageLzo, zlib_of(page), out).error().code(),
            ErrorCode::kCorrupt);
  EXPECT_EQ(kdump_page_encoding(kKdumpPageZstd), kKdumpPageZstd);
  EXPECT_EQ(kdump_page_encoding(0), 0u);
}

}  // namespace
}  // namespace vmscope
