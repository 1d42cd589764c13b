#include "arch/virtual_memory.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace vmscope {

Status VirtualMemory::read(std::uint64_t vaddr, std::span<std::byte> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    const std::uint64_t address = vaddr + done;
    VMSCOPE_TRY(Translation t, translator_.translate(address));
    const std::size_t chunk = static_cast<std::size_t>(
        std::min<std::uint64_t>(out.size() - done, t.bytes_to_page_end(address)));
    Status read = physical_.read(t.physical, out.subspan(done, chunk));
    if (!read.ok()) {
      Error error = read.error();
      error.payload().address = address;
      if (!error.payload().physical) error.payload().physical = t.physical;
      return error;
    }
    done += chunk;
  }
  return ok_status();
}

Result<std::uint64_t> VirtualMemory::read_u64(std::uint64_t vaddr) const {
  std::array<std::byte, 8> raw{};
  VMSCOPE_CHECK(read(vaddr, raw));
  std::uint64_t value;
  std::memcpy(&value, raw.data(), sizeof value);
  return value;
}

Result<std::uint32_t> VirtualMemory::read_u32(std::uint64_t vaddr) const {
  std::array<std::byte, 4> raw{};
  VMSCOPE_CHECK(read(vaddr, raw));
  std::uint32_t value;
  std::memcpy(&value, raw.data(), sizeof value);
  return value;
}

Result<std::string> VirtualMemory::read_c_string(std::uint64_t vaddr,
                                                 std::size_t max_length) const {
  std::string text;
  std::array<std::byte, 64> chunk{};
  while (text.size() < max_length) {
    // Never read past the page end in one go: the next page may be unmapped although the
    // string ends before it.
    VMSCOPE_TRY(Translation t, translator_.translate(vaddr + text.size()));
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(
        {chunk.size(), max_length - text.size(), t.bytes_to_page_end(vaddr + text.size())}));
    VMSCOPE_CHECK(read(vaddr + text.size(), std::span(chunk).first(n)));
    for (std::size_t i = 0; i < n; ++i) {
      if (chunk[i] == std::byte{0}) return text;
      text.push_back(static_cast<char>(chunk[i]));
    }
  }
  return text;
}

}  // namespace vmscope
