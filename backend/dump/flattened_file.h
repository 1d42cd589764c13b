// makedumpfile's flattened format (`makedumpfile -F`, and QEMU's kdump-* output) seen as the
// random-access file that `makedumpfile -R` would rebuild from it — without rebuilding it.
//
// A flattened stream is a 4096-byte header (signature "makedumpfile", type 1 big-endian) and
// then records, each a big-endian {int64 offset, int64 size} followed by `size` bytes that
// belong at `offset` of the rearranged file, and finally an end marker {-1, -1}. Records come
// in whatever order the writer produced them (makedumpfile interleaves descriptors and pages).
//
// open_flattened makes ONE sequential pass over the stream reading record headers only (the
// data is skipped, never copied), then sorts the index in memory. Semantics follow
// `makedumpfile -R`, which writes the records in stream order into a sparse file:
//   - where records overlap, the later record wins;
//   - bytes below the end of the last record that no record covers read as zeros (a hole);
//   - reads at or past that end fail with kTruncated.
// A stream cut short (no end marker, or a record whose data runs past the end of the stream)
// still opens, with the data it has: the kdump reader on top then reports the pages it cannot
// find (kTruncated with the offset). has_end_marker() says whether the stream was complete.
//
// Thread-safety: immutable after open; read_at is safe from several threads if the underlying
// stream's read_at is (PosixFile's is).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dump/random_access_file.h"
#include "support/result.h"

namespace vmscope {

// True if `head` (the first bytes of a file, at least 24 of them) starts a flattened stream.
bool looks_flattened(std::span<const std::byte> head);

class FlattenedFile final : public RandomAccessFile {
 public:
  // One piece of the rearranged file: [target, target + size) lives at `source` in the stream.
  struct Segment {
    std::uint64_t target = 0;
    std::uint64_t size = 0;
    std::uint64_t source = 0;
  };

  static Result<std::unique_ptr<FlattenedFile>> open(std::unique_ptr<RandomAccessFile> stream);

  Status read_at(std::uint64_t offset, std::span<std::byte> out) const override;
  // The size of the rearranged file: the end of the furthest record.
  std::uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }

  bool has_end_marker() const { return has_end_marker_; }
  std::size_t record_count() const { return record_count_; }
  // Bytes of the stream read to build the index (data of large records is skipped).
  std::uint64_t index_bytes_read() const { return index_bytes_read_; }
  // Sorted by target, non-overlapping, with the overlaps already resolved (later record wins).
  const std::vector<Segment>& segments() const { return segments_; }

 private:
  FlattenedFile(std::unique_ptr<RandomAccessFile> stream, std::vector<Segment> segments,
                std::size_t record_count, bool has_end_marker);

  std::unique_ptr<RandomAccessFile> stream_;
  std::vector<Segment> segments_;
  std::size_t record_count_;
  bool has_end_marker_;
  std::uint64_t size_ = 0;
  std::uint64_t index_bytes_read_ = 0;
  std::string name_;
};

// The flattened stream as a RandomAccessFile of the rearranged dump (see FlattenedFile).
// kCorrupt if the stream does not start with a flattened header, or a record header is
// impossible (negative offset or size other than the end marker, offset + size overflowing).
Result<std::unique_ptr<RandomAccessFile>> open_flattened(std::unique_ptr<RandomAccessFile> stream);

}  // namespace vmscope
