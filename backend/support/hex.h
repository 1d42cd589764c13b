// Hexadecimal text for addresses, values and byte strings: the one formatter every layer uses
// in messages and every wire value uses (rpc/wire_values.h), so an address reads the same
// wherever it appears.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace vmscope {

// "0x" and lowercase digits without leading zeros: 0 -> "0x0", 0xffffffff81000000 ->
// "0xffffffff81000000" (as printf's "0x%llx").
std::string hex_u64(std::uint64_t value);

// Two lowercase digits per byte, no prefix or separator: {0xde, 0xad} -> "dead" (build-ids,
// memory contents).
std::string hex_bytes(std::span<const std::uint8_t> bytes);
std::string hex_bytes(std::span<const std::byte> bytes);

}  // namespace vmscope
