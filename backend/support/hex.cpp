#include "support/hex.h"

namespace vmscope {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

}  // namespace

std::string hex_u64(std::uint64_t value) {
  char text[2 + 16];
  std::size_t end = sizeof text;
  do {
    text[--end] = kDigits[value & 0xf];
    value >>= 4;
  } while (value != 0);
  text[--end] = 'x';
  text[--end] = '0';
  return std::string(text + end, sizeof text - end);
}

std::string hex_bytes(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

std::string hex_bytes(std::span<const std::byte> bytes) {
  return hex_bytes(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

}  // namespace vmscope
