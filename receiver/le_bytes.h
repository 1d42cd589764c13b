// Little-endian integers in byte buffers, for the dump wire protocol and the kdump writer.
// Loads and stores go through memcpy (no alignment assumed); the host is little-endian
// (x86_64, aarch64), which the static_assert checks, so no byte swapping is needed.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace vmscope::le {

static_assert(std::endian::native == std::endian::little, "the wire and kdump are little-endian");

template <typename T>
T load(const std::byte* p) {
  T value{};
  std::memcpy(&value, p, sizeof value);
  return value;
}

template <typename T>
void store(std::byte* p, T value) {
  std::memcpy(p, &value, sizeof value);
}

// Appends to a growing buffer.
template <typename T>
void append(std::vector<std::byte>& out, T value) {
  std::size_t at = out.size();
  out.resize(at + sizeof value);
  std::memcpy(out.data() + at, &value, sizeof value);
}

inline void append_bytes(std::vector<std::byte>& out, std::span<const std::byte> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

// `text` cut or NUL-padded to exactly `size` bytes.
inline void append_fixed_text(std::vector<std::byte>& out, std::string_view text,
                              std::size_t size) {
  std::size_t at = out.size();
  out.resize(at + size, std::byte{0});
  std::memcpy(out.data() + at, text.data(), text.size() < size ? text.size() : size);
}

// The text of a NUL-padded field: up to the first NUL.
inline std::string_view fixed_text(std::span<const std::byte> field) {
  const char* p = reinterpret_cast<const char*>(field.data());
  std::size_t n = 0;
  while (n < field.size() && p[n] != '\0') ++n;
  return std::string_view(p, n);
}

}  // namespace vmscope::le
