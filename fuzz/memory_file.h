// A RandomAccessFile over the fuzzer's input bytes, so readers run without touching the disk.
#pragma once

#include <cstring>
#include <span>
#include <string>

#include "dump/random_access_file.h"

namespace vmscope::fuzz {

class MemoryFile final : public RandomAccessFile {
 public:
  MemoryFile(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  Status read_at(std::uint64_t offset, std::span<std::byte> out) const override {
    if (offset > size_ || size_ - offset < out.size()) {
      return Error(ErrorCode::kTruncated, "fuzz input ends first", {.offset = size_});
    }
    if (!out.empty()) std::memcpy(out.data(), data_ + offset, out.size());
    return ok_status();
  }
  std::uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::string name_ = "fuzz-input";
};

}  // namespace vmscope::fuzz
