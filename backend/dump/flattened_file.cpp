#include "dump/flattened_file.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>
#include <map>

namespace vmscope {
namespace {

constexpr std::uint64_t kHeaderSize = 4096;  // MAX_SIZE_MDF_HEADER: records start here
constexpr std::uint64_t kRecordHeaderSize = 16;
constexpr std::int64_t kFlatType = 1;
constexpr std::int64_t kEndMarker = -1;
constexpr char kSignature[] = "makedumpfile";  // NUL-terminated within the 16-byte field
constexpr std::size_t kScanBuffer = std::size_t{1} << 20;
// A record at least this big is skipped over rather than read through the scan buffer.
constexpr std::uint64_t kLargeRecord = 8 * 1024;

std::uint64_t load_be64(const std::byte* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | std::to_integer<std::uint64_t>(p[i]);
  return v;
}

// Reads the record headers of the stream front to back. Small records (QEMU writes one per
// page) are read through one large buffer, so a stream of them costs a few big reads rather
// than one read per record; after a large record only the next header's neighbourhood is
// read, so the data of large records (makedumpfile -F writes up to 64 KiB) is skipped, not
// read. Either way the pass is sequential.
class RecordScanner {
 public:
  explicit RecordScanner(const RandomAccessFile& stream)
      : stream_(stream),
        buffer_(static_cast<std::size_t>(std::min<std::uint64_t>(kScanBuffer, stream.size()))) {}

  // Copies the 16 bytes at `pos` into `out`; false if the stream ends first. `after_large`:
  // the previous record was large, so the next ones probably are too.
  Result<bool> header_at(std::uint64_t pos, std::array<std::byte, kRecordHeaderSize>& out,
                         bool after_large) {
    if (pos > stream_.size() || stream_.size() - pos < kRecordHeaderSize) return false;
    if (pos < buffer_start_ || pos + kRecordHeaderSize > buffer_start_ + buffer_length_) {
      std::uint64_t want = after_large ? kSmallRead : buffer_.size();
      std::uint64_t length = std::min<std::uint64_t>(want, stream_.size() - pos);
      VMSCOPE_CHECK(stream_.read_at(pos, std::span(buffer_.data(), length)));
      buffer_start_ = pos;
      buffer_length_ = length;
      bytes_read_ += length;
    }
    std::memcpy(out.data(), buffer_.data() + (pos - buffer_start_), kRecordHeaderSize);
    return true;
  }
  std::uint64_t bytes_read() const { return bytes_read_; }

 private:
  static constexpr std::uint64_t kSmallRead = 4096;
  const RandomAccessFile& stream_;
  std::vector<std::byte> buffer_;
  std::uint64_t buffer_start_ = 0;
  std::uint64_t buffer_length_ = 0;
  std::uint64_t bytes_read_ = 0;
};

std::uint64_t segment_end(const FlattenedFile::Segment& s) {
  return s.target + s.size;
}

// Paints records in stream order onto a map of disjoint pieces, so a later record hides what
// an earlier one wrote at the same place (what `makedumpfile -R` does with its pwrites). Only
// used when the records do overlap; the common case is a plain sort.
std::vector<FlattenedFile::Segment> resolve_overlaps(
    const std::vector<FlattenedFile::Segment>& in_stream_order) {
  using Segment = FlattenedFile::Segment;
  std::map<std::uint64_t, Segment> pieces;
  for (const Segment& record : in_stream_order) {
    std::uint64_t start = record.target;
    std::uint64_t end = segment_end(record);
    auto it = pieces.lower_bound(start);
    if (it != pieces.begin()) {
      auto before = std::prev(it);
      Segment& prev = before->second;
      if (segment_end(prev) > start) {
        if (segment_end(prev) > end) {  // the new record sits inside prev: keep prev's tail
          Segment tail{end, segment_end(prev) - end, prev.source + (end - prev.target)};
          pieces.emplace(end, tail);
        }
        prev.size = start - prev.target;
      }
    }
    it = pieces.lower_bound(start);
    while (it != pieces.end() && it->first < end) {
      Segment covered = it->second;
      it = pieces.erase(it);
      if (segment_end(covered) > end) {
        Segment tail{end, segment_end(covered) - end, covered.source + (end - covered.target)};
        pieces.emplace(end, tail);
        break;
      }
    }
    pieces.emplace(start, record);
  }
  std::vector<Segment> out;
  out.reserve(pieces.size());
  for (const auto& [start, piece] : pieces) {
    if (piece.size > 0) out.push_back(piece);
  }
  return out;
}

}  // namespace

bool looks_flattened(std::span<const std::byte> head) {
  if (head.size() < 24) return false;
  if (std::memcmp(head.data(), kSignature, sizeof kSignature) != 0) return false;
  return static_cast<std::int64_t>(load_be64(head.data() + 16)) == kFlatType;
}

FlattenedFile::FlattenedFile(std::unique_ptr<RandomAccessFile> stream,
                             std::vector<Segment> segments, std::size_t record_count,
                             bool has_end_marker)
    : stream_(std::move(stream)),
      segments_(std::move(segments)),
      record_count_(record_count),
      has_end_marker_(has_end_marker),
      name_(stream_->name() + " [flattened]") {
  if (!segments_.empty()) size_ = segment_end(segments_.back());
}

Result<std::unique_ptr<FlattenedFile>> FlattenedFile::open(
    std::unique_ptr<RandomAccessFile> stream) {
  const std::string& name = stream->name();
  std::array<std::byte, 24> head{};
  if (stream->size() < kHeaderSize) {
    return Error(ErrorCode::kTruncated, name + ": shorter than a flattened-format header",
                 {.offset = stream->size(), .name = name});
  }
  VMSCOPE_CHECK(stream->read_at(0, head));
  if (!looks_flattened(head)) {
    return Error(ErrorCode::kCorrupt, name + ": not a makedumpfile flattened stream",
                 {.offset = 0, .name = name});
  }

  std::vector<Segment> records;
  bool has_end_marker = false;
  RecordScanner scanner(*stream);
  std::uint64_t pos = kHeaderSize;
  std::array<std::byte, kRecordHeaderSize> header{};
  bool after_large = false;
  // Bounded: every iteration moves `pos` forward by at least one record header.
  while (true) {
    VMSCOPE_TRY(bool have_header, scanner.header_at(pos, header, after_large));
    if (!have_header) break;  // cut short: no end marker
    auto offset = static_cast<std::int64_t>(load_be64(header.data()));
    auto length = static_cast<std::int64_t>(load_be64(header.data() + 8));
    if (offset == kEndMarker && length == kEndMarker) {
      has_end_marker = true;
      break;
    }
    // Targets are off_t: a record must end within the int64 range.
    if (offset < 0 || length < 0 || offset > INT64_MAX - length) {
      return Error(
          ErrorCode::kCorrupt,
          name + ": impossible flattened record header at stream offset " + std::to_string(pos),
          {.offset = pos, .name = name});
    }
    std::uint64_t data = pos + kRecordHeaderSize;
    std::uint64_t available = stream->size() - data;
    auto size = static_cast<std::uint64_t>(length);
    if (size > available) {  // the stream ends inside this record: keep what is there
      if (available > 0) records.push_back({static_cast<std::uint64_t>(offset), available, data});
      break;
    }
    if (size > 0) records.push_back({static_cast<std::uint64_t>(offset), size, data});
    pos = data + size;
    after_large = size >= kLargeRecord;
  }

  std::size_t record_count = records.size();
  std::vector<Segment> sorted = records;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Segment& a, const Segment& b) { return a.target < b.target; });
  bool overlapping = false;
  for (std::size_t i = 1; i < sorted.size() && !overlapping; ++i) {
    overlapping = segment_end(sorted[i - 1]) > sorted[i].target;
  }
  if (overlapping) sorted = resolve_overlaps(records);
  auto file = std::unique_ptr<FlattenedFile>(
      new FlattenedFile(std::move(stream), std::move(sorted), record_count, has_end_marker));
  file->index_bytes_read_ = scanner.bytes_read();
  return file;
}

Status FlattenedFile::read_at(std::uint64_t offset, std::span<std::byte> out) const {
  if (offset > size_ || size_ - offset < out.size()) {
    return Error(ErrorCode::kTruncated,
                 name_ + " ends before offset " + std::to_string(offset + out.size()),
                 {.offset = std::max(offset, size_), .name = name_});
  }
  // The first segment that ends after `offset`.
  auto it =
      std::upper_bound(segments_.begin(), segments_.end(), offset,
                       [](std::uint64_t value, const Segment& s) { return value < s.target; });
  if (it != segments_.begin() && segment_end(*std::prev(it)) > offset) --it;
  std::size_t done = 0;
  while (done < out.size()) {
    std::uint64_t at = offset + done;
    std::size_t left = out.size() - done;
    if (it == segments_.end() || at < it->target) {  // a hole: zeros up to the next segment
      std::uint64_t hole = it == segments_.end() ? left : it->target - at;
      std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(hole, left));
      std::memset(out.data() + done, 0, n);
      done += n;
      continue;
    }
    std::uint64_t within = at - it->target;
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(it->size - within, left));
    VMSCOPE_CHECK(stream_->read_at(it->source + within, out.subspan(done, n)));
    done += n;
    ++it;
  }
  return ok_status();
}

Result<std::unique_ptr<RandomAccessFile>> open_flattened(std::unique_ptr<RandomAccessFile> stream) {
  VMSCOPE_TRY(auto file, FlattenedFile::open(std::move(stream)));
  return std::unique_ptr<RandomAccessFile>(std::move(file));
}

}  // namespace vmscope
