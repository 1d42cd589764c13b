#include "kdump_recompressor.h"

#include <fcntl.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "dump/flattened_file.h"
#include "dump/kdump_compressed.h"
#include "dump/kdump_header.h"

namespace vmscope::tools {
namespace {

// The output file, written with pwrite so the descriptor table can be filled in last.
class OutputFile {
 public:
  static Result<OutputFile> create(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      return Error(ErrorCode::kIo, "cannot create " + path + ": " + std::strerror(errno),
                   {.name = path});
    }
    return OutputFile(fd, path);
  }
  OutputFile(OutputFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)), path_(other.path_) {}
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  OutputFile& operator=(OutputFile&&) = delete;
  ~OutputFile() {
    if (fd_ >= 0) ::close(fd_);
  }

  Status write_at(std::uint64_t offset, std::span<const std::byte> bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done,
                           static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        return Error(ErrorCode::kIo, "write to " + path_ + " failed: " + std::strerror(errno),
                     {.offset = offset + done, .name = path_});
      }
      done += static_cast<std::size_t>(n);
    }
    return ok_status();
  }

 private:
  OutputFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

std::uint32_t flag_of(PageCodec codec) {
  switch (codec) {
    case PageCodec::kZlib: return kKdumpPageZlib;
    case PageCodec::kLzo: return kKdumpPageLzo;
    case PageCodec::kSnappy: return kKdumpPageSnappy;
    case PageCodec::kZstd: return kKdumpPageZstd;
    case PageCodec::kRaw: return 0;
  }
  return 0;
}

// Encodes `page` into `out` (resized to the encoded length); false if the codec failed.
bool encode(PageCodec codec, std::span<const std::byte> page, std::vector<std::byte>& out,
            std::vector<unsigned char>& lzo_work) {
  out.resize(page.size() * 2 + 1024);
  switch (codec) {
    case PageCodec::kRaw: out.assign(page.begin(), page.end()); return true;
    case PageCodec::kZlib: {
      uLongf n = out.size();
      // makedumpfile -c uses the fastest level too.
      if (compress2(reinterpret_cast<Bytef*>(out.data()), &n,
                    reinterpret_cast<const Bytef*>(page.data()), page.size(),
                    Z_BEST_SPEED) != Z_OK) {
        return false;
      }
      out.resize(n);
      return true;
    }
    case PageCodec::kLzo: {
      lzo_work.resize(LZO1X_1_MEM_COMPRESS);
      lzo_uint n = out.size();
      if (lzo1x_1_compress(reinterpret_cast<const unsigned char*>(page.data()), page.size(),
                           reinterpret_cast<unsigned char*>(out.data()), &n,
                           lzo_work.data()) != LZO_E_OK) {
        return false;
      }
      out.resize(n);
      return true;
    }
    case PageCodec::kSnappy: {
      std::size_t n = out.size();
      if (snappy_compress(reinterpret_cast<const char*>(page.data()), page.size(),
                          reinterpret_cast<char*>(out.data()), &n) != SNAPPY_OK) {
        return false;
      }
      out.resize(n);
      return true;
    }
    case PageCodec::kZstd: {
      std::size_t n = ZSTD_compress(out.data(), out.size(), page.data(), page.size(), 1);
      if (ZSTD_isError(n)) return false;
      out.resize(n);
      return true;
    }
  }
  return false;
}

template <typename T>
void store_le(std::byte* at, T value) {
  std::memcpy(at, &value, sizeof value);
}

bool all_zero(std::span<const std::byte> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::byte b) { return b == std::byte{0}; });
}

Result<std::unique_ptr<RandomAccessFile>> open_source(const std::string& path) {
  VMSCOPE_TRY(auto file, PosixFile::open(path));
  std::array<std::byte, 24> head{};
  VMSCOPE_CHECK(file->read_at(0, head));
  if (looks_flattened(head)) return open_flattened(std::move(file));
  return std::unique_ptr<RandomAccessFile>(std::move(file));
}

}  // namespace

std::optional<PageCodec> parse_page_codec(std::string_view name) {
  if (name == "raw") return PageCodec::kRaw;
  if (name == "zlib") return PageCodec::kZlib;
  if (name == "lzo") return PageCodec::kLzo;
  if (name == "snappy") return PageCodec::kSnappy;
  if (name == "zstd") return PageCodec::kZstd;
  return std::nullopt;
}

Result<RecompressStats> recompress_kdump(const std::string& input, const std::string& output,
                                         PageCodec codec) {
  VMSCOPE_TRY(std::unique_ptr<RandomAccessFile> source, open_source(input));
  // A second view of the same bytes for the verbatim copies (the dump owns the first).
  VMSCOPE_TRY(std::unique_ptr<RandomAccessFile> raw, open_source(input));
  VMSCOPE_TRY(auto dump,
              KdumpCompressedDump::open(std::move(source), KdumpOptions{.cache_pages = 16}));
  const KdumpHeader& header = dump->header();
  const std::uint32_t page_size = header.block_size;
  VMSCOPE_TRY(OutputFile out, OutputFile::create(output));

  // Headers, notes and bitmaps, verbatim; the status names the new codec.
  std::vector<std::byte> prefix(header.descriptors_offset());
  VMSCOPE_CHECK(raw->read_at(0, prefix));
  std::uint32_t status =
      header.status & ~(kKdumpPageZlib | kKdumpPageLzo | kKdumpPageSnappy | kKdumpPageZstd);
  store_le<std::uint32_t>(prefix.data() + kdump_layout::kStatus, status | flag_of(codec));

  const std::uint64_t first_pfn = header.split ? header.start_pfn : 0;
  const std::uint64_t end_pfn =
      header.split ? std::min(header.end_pfn, header.max_mapnr) : header.max_mapnr;
  std::vector<std::byte> descriptors(dump->dumped_pages() * kKdumpPageDescSize);
  const std::uint64_t zero_page_at = header.descriptors_offset() + descriptors.size();
  std::uint64_t data_at = zero_page_at + page_size;
  VMSCOPE_CHECK(out.write_at(zero_page_at, std::vector<std::byte>(page_size)));

  RecompressStats stats;
  std::vector<std::byte> page(page_size), encoded;
  std::vector<unsigned char> lzo_work;
  for (std::uint64_t pfn = first_pfn; pfn < end_pfn; ++pfn) {
    if (dump->page_state(pfn) != KdumpCompressedDump::PageState::kDumped) continue;
    if (stats.pages == dump->dumped_pages()) {
      return Error(ErrorCode::kInternal, "more dumped pages than descriptors");
    }
    VMSCOPE_TRY(KdumpPageDescriptor in, dump->descriptor(pfn));
    VMSCOPE_CHECK(dump->memory().read(pfn * page_size, page));
    std::uint64_t offset = zero_page_at;
    std::uint32_t size = page_size;
    std::uint32_t flags = 0;
    if (all_zero(page)) {
      ++stats.zero_pages;
    } else {
      if (!encode(codec, page, encoded, lzo_work)) {
        return Error(ErrorCode::kInternal, "encoding failed at pfn " + std::to_string(pfn));
      }
      if (encoded.size() < page_size) {
        flags = flag_of(codec);
      } else {  // as makedumpfile does: keep pages that do not shrink raw
        encoded.assign(page.begin(), page.end());
        ++stats.raw_pages;
      }
      offset = data_at;
      size = static_cast<std::uint32_t>(encoded.size());
      VMSCOPE_CHECK(out.write_at(data_at, encoded));
      data_at += encoded.size();
    }
    std::byte* desc = descriptors.data() + stats.pages * kKdumpPageDescSize;
    store_le<std::uint64_t>(desc, offset);
    store_le<std::uint32_t>(desc + 8, size);
    store_le<std::uint32_t>(desc + 12, flags);
    store_le<std::uint64_t>(desc + 16, in.page_flags);
    ++stats.pages;
  }
  if (stats.pages != dump->dumped_pages()) {
    return Error(ErrorCode::kInternal, "fewer dumped pages than descriptors");
  }

  if (header.eraseinfo) {
    std::vector<std::byte> eraseinfo(header.eraseinfo->size);
    VMSCOPE_CHECK(raw->read_at(header.eraseinfo->offset, eraseinfo));
    store_le<std::uint64_t>(prefix.data() + header.block_size + kdump_layout::kOffsetEraseinfo,
                            data_at);
    VMSCOPE_CHECK(out.write_at(data_at, eraseinfo));
    data_at += eraseinfo.size();
  }
  VMSCOPE_CHECK(out.write_at(0, prefix));
  VMSCOPE_CHECK(out.write_at(header.descriptors_offset(), descriptors));
  stats.output_bytes = data_at;
  return stats;
}

}  // namespace vmscope::tools
