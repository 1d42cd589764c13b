// Forward error correction of the dump wire protocol (protocol-spec/dump-wire-protocol.md §7):
// a systematic Reed-Solomon erasure code over GF(2^8) (polynomial 0x11D) whose m × k'
// generator is the column-scaled Cauchy matrix
//     G[j,i] = y_i · inv(j XOR y_i),   y_i = 16 + i,   so that row 0 is all ones (plain XOR).
// The field arithmetic and the coding loops are ISA-L's (gf_mul, gf_inv, gf_invert_matrix,
// ec_init_tables, ec_encode_data); this file only builds matrices from the spec's formula.
//
// A data packet's FEC symbol is  u8 type || u8 0 || le16 body_length || body || zero padding
// up to the group's symbol_length (the longest symbol of the group). Any k' of the k' + m
// symbols of a group recover the others (every square submatrix of a Cauchy matrix is
// invertible, and scaling columns keeps it so).
//
// Stateless functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "receiver/dump_wire_header.h"
#include "support/result.h"

namespace vmscope::dumpwire {

inline constexpr std::size_t kSymbolPrefix = 4;

// The m × k generator, row-major (row j = parity j).
std::vector<std::uint8_t> fec_generator(unsigned k, unsigned m);

// The symbol of a data packet, padded with zeros to `symbol_length` (at least 4 + body size).
std::vector<std::byte> fec_symbol(MessageType type, std::span<const std::byte> body,
                                  std::size_t symbol_length);

// The packet inside a symbol. kCorrupt if the type is not META/PAGES, byte 1 is not zero, the
// body length runs past the symbol, or the padding is not zero.
struct SymbolContent {
  MessageType type = MessageType::kPages;
  std::span<const std::byte> body;
};
Result<SymbolContent> parse_fec_symbol(std::span<const std::byte> symbol);

// The m parity symbols of a group of k' = symbols.size() data symbols, all of one length.
std::vector<std::vector<std::byte>> fec_encode(std::span<const std::vector<std::byte>> symbols,
                                               unsigned m);

// Fills the missing entries of `data` (k' entries; present ones all `symbol_length` bytes)
// from the present entries of `parity` (m entries, `symbol_length` bytes each). Errors:
// kNotFound when fewer parities are present than data symbols are missing (the group is
// lost); kInvalidArgument for inconsistent sizes; kInternal if a submatrix were singular.
Status fec_recover(std::vector<std::optional<std::vector<std::byte>>>& data,
                   const std::vector<std::optional<std::vector<std::byte>>>& parity,
                   std::size_t symbol_length);

}  // namespace vmscope::dumpwire
