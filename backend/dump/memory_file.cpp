#include "dump/memory_file.h"

#include <cstring>
#include <utility>

namespace vmscope {

MemoryFile::MemoryFile(std::vector<std::byte> bytes, std::string name)
    : owned_(std::move(bytes)), bytes_(owned_), name_(std::move(name)) {}

MemoryFile::MemoryFile(std::span<const std::byte> bytes, std::string name)
    : bytes_(bytes), name_(std::move(name)) {}

MemoryFile MemoryFile::view(std::span<const std::byte> bytes, std::string name) {
  return MemoryFile(bytes, std::move(name));
}

Status MemoryFile::read_at(std::uint64_t offset, std::span<std::byte> out) const {
  if (offset > bytes_.size() || bytes_.size() - offset < out.size()) {
    return Error(ErrorCode::kTruncated, name_ + " ends before the bytes asked for",
                 {.offset = bytes_.size()});
  }
  if (!out.empty()) std::memcpy(out.data(), bytes_.data() + offset, out.size());
  return ok_status();
}

}  // namespace vmscope
