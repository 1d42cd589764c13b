// Dump bytes that are already in memory, as a RandomAccessFile: a fuzzer's input, a synthetic
// dump built by a test, a small dump held in a buffer. Either owns its bytes or views bytes
// the caller keeps alive for the MemoryFile's lifetime.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "dump/random_access_file.h"

namespace vmscope {

class MemoryFile final : public RandomAccessFile {
 public:
  // Owns `bytes`.
  explicit MemoryFile(std::vector<std::byte> bytes, std::string name = "memory");
  // Views `bytes`, which must outlive this object.
  static MemoryFile view(std::span<const std::byte> bytes, std::string name = "memory");

  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  MemoryFile(MemoryFile&&) = default;
  MemoryFile& operator=(MemoryFile&&) = default;

  // kTruncated (payload offset = size) when [offset, offset + out.size()) is not all inside.
  Status read_at(std::uint64_t offset, std::span<std::byte> out) const override;
  std::uint64_t size() const override { return bytes_.size(); }
  const std::string& name() const override { return name_; }

 private:
  MemoryFile(std::span<const std::byte> bytes, std::string name);

  std::vector<std::byte> owned_;
  std::span<const std::byte> bytes_;
  std::string name_;
};

}  // namespace vmscope
