// Random-access bytes: what a dump format parses. A regular file (PosixFile) is one; a
// makedumpfile flattened stream seen through its record index is another, so the kdump reader
// reads both without a rewrite to a temporary file.
//
// read_at fills the whole span or fails: kTruncated (payload offset) when the source ends
// first, kIo when the OS refuses. Implementations are safe to call from several threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "support/result.h"

namespace vmscope {

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  virtual Status read_at(std::uint64_t offset, std::span<std::byte> out) const = 0;
  virtual std::uint64_t size() const = 0;
  // For messages: the path or a description of the source.
  virtual const std::string& name() const = 0;
};

// A read-only regular file, read with pread(2).
class PosixFile final : public RandomAccessFile {
 public:
  static Result<std::unique_ptr<PosixFile>> open(const std::string& path);
  ~PosixFile() override;
  PosixFile(const PosixFile&) = delete;
  PosixFile& operator=(const PosixFile&) = delete;

  Status read_at(std::uint64_t offset, std::span<std::byte> out) const override;
  std::uint64_t size() const override { return size_; }
  const std::string& name() const override { return path_; }

 private:
  PosixFile(int fd, std::uint64_t size, std::string path)
      : fd_(fd), size_(size), path_(std::move(path)) {}
  int fd_;
  std::uint64_t size_;
  std::string path_;
};

}  // namespace vmscope
