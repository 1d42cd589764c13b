#include "receiver/dump_fec.h"

#include <isa-l/erasure_code.h>

#include <algorithm>

#include "receiver/dump_messages.h"
#include "receiver/le_bytes.h"

namespace vmscope::dumpwire {
namespace {

unsigned char* u8(std::byte* p) {
  return reinterpret_cast<unsigned char*>(p);
}

// Runs ISA-L's coder: outputs[r] = sum over c of matrix[r][c] · inputs[c], byte by byte.
void apply_matrix(std::vector<std::uint8_t> matrix, std::size_t rows,
                  std::vector<unsigned char*> inputs, std::vector<unsigned char*> outputs,
                  std::size_t length) {
  int k = static_cast<int>(inputs.size());
  std::vector<unsigned char> tables(32 * inputs.size() * rows);
  ec_init_tables(k, static_cast<int>(rows), matrix.data(), tables.data());
  ec_encode_data(static_cast<int>(length), k, static_cast<int>(rows), tables.data(), inputs.data(),
                 outputs.data());
}

}  // namespace

std::vector<std::uint8_t> fec_generator(unsigned k, unsigned m) {
  std::vector<std::uint8_t> g(std::size_t{m} * k);
  for (unsigned j = 0; j < m; ++j) {
    for (unsigned i = 0; i < k; ++i) {
      auto y = static_cast<unsigned char>(16 + i);
      g[std::size_t{j} * k + i] = gf_mul(y, gf_inv(static_cast<unsigned char>(j ^ y)));
    }
  }
  return g;
}

std::vector<std::byte> fec_symbol(MessageType type, std::span<const std::byte> body,
                                  std::size_t symbol_length) {
  std::vector<std::byte> symbol;
  symbol.reserve(std::max(symbol_length, kSymbolPrefix + body.size()));
  symbol.push_back(static_cast<std::byte>(type));
  symbol.push_back(std::byte{0});
  le::append<std::uint16_t>(symbol, static_cast<std::uint16_t>(body.size()));
  le::append_bytes(symbol, body);
  if (symbol.size() < symbol_length) symbol.resize(symbol_length, std::byte{0});
  return symbol;
}

Result<SymbolContent> parse_fec_symbol(std::span<const std::byte> symbol) {
  if (symbol.size() < kSymbolPrefix) return Error(ErrorCode::kCorrupt, "FEC symbol too short");
  auto type = std::to_integer<std::uint8_t>(symbol[0]);
  if (type != static_cast<std::uint8_t>(MessageType::kMeta) &&
      type != static_cast<std::uint8_t>(MessageType::kPages)) {
    return Error(ErrorCode::kCorrupt, "FEC symbol of message type " + std::to_string(type));
  }
  std::size_t length = le::load<std::uint16_t>(symbol.data() + 2);
  if (symbol[1] != std::byte{0} || length > symbol.size() - kSymbolPrefix) {
    return Error(ErrorCode::kCorrupt, "FEC symbol header inconsistent");
  }
  auto padding = symbol.subspan(kSymbolPrefix + length);
  if (!std::all_of(padding.begin(), padding.end(), [](std::byte b) { return b == std::byte{0}; })) {
    return Error(ErrorCode::kCorrupt, "FEC symbol padding is not zero");
  }
  return SymbolContent{static_cast<MessageType>(type), symbol.subspan(kSymbolPrefix, length)};
}

std::vector<std::vector<std::byte>> fec_encode(std::span<const std::vector<std::byte>> symbols,
                                               unsigned m) {
  std::size_t length = symbols.empty() ? 0 : symbols.front().size();
  std::vector<std::vector<std::byte>> parity(m, std::vector<std::byte>(length));
  if (symbols.empty() || m == 0) return parity;
  std::vector<unsigned char*> inputs, outputs;
  for (const auto& s : symbols) {
    inputs.push_back(const_cast<unsigned char*>(reinterpret_cast<const unsigned char*>(s.data())));
  }
  for (auto& p : parity) outputs.push_back(u8(p.data()));
  apply_matrix(fec_generator(static_cast<unsigned>(symbols.size()), m), m, inputs, outputs, length);
  return parity;
}

Status fec_recover(std::vector<std::optional<std::vector<std::byte>>>& data,
                   const std::vector<std::optional<std::vector<std::byte>>>& parity,
                   std::size_t symbol_length) {
  unsigned k = static_cast<unsigned>(data.size());
  unsigned m = static_cast<unsigned>(parity.size());
  if (k == 0 || k > kMaxFecK || m > kMaxFecM) {
    return Error(ErrorCode::kInvalidArgument,
                 "FEC group of " + std::to_string(k) + "+" + std::to_string(m) + " symbols");
  }
  std::vector<unsigned> known, missing, rows;
  for (unsigned i = 0; i < k; ++i) {
    if (!data[i]) {
      missing.push_back(i);
    } else if (data[i]->size() != symbol_length) {
      return Error(ErrorCode::kInvalidArgument, "FEC data symbol of the wrong length");
    } else {
      known.push_back(i);
    }
  }
  if (missing.empty()) return ok_status();
  for (unsigned j = 0; j < m && rows.size() < missing.size(); ++j) {
    if (!parity[j]) continue;
    if (parity[j]->size() != symbol_length) {
      return Error(ErrorCode::kInvalidArgument, "FEC parity symbol of the wrong length");
    }
    rows.push_back(j);
  }
  std::size_t e = missing.size();
  if (rows.size() < e) {
    return Error(ErrorCode::kNotFound, std::to_string(e) + " data symbols missing, " +
                                           std::to_string(rows.size()) + " parities present");
  }

  // parity_P = G[P,K]·s_K + G[P,E]·s_E, so s_E = inv(G[P,E])·parity_P + inv(G[P,E])·G[P,K]·s_K
  // (characteristic 2: minus is plus). One decode matrix over the inputs [s_K…, parity_P…].
  std::vector<std::uint8_t> g = fec_generator(k, m);
  std::vector<std::uint8_t> square(e * e), inverse(e * e);
  for (std::size_t r = 0; r < e; ++r) {
    for (std::size_t c = 0; c < e; ++c) square[r * e + c] = g[rows[r] * k + missing[c]];
  }
  if (gf_invert_matrix(square.data(), inverse.data(), static_cast<int>(e)) != 0) {
    return Error(ErrorCode::kInternal, "singular FEC submatrix (the generator is not MDS?)");
  }
  std::vector<std::uint8_t> decode(e * k);
  for (std::size_t r = 0; r < e; ++r) {
    for (std::size_t c = 0; c < known.size(); ++c) {
      std::uint8_t sum = 0;
      for (std::size_t t = 0; t < e; ++t)
        sum ^= gf_mul(inverse[r * e + t], g[rows[t] * k + known[c]]);
      decode[r * k + c] = sum;
    }
    for (std::size_t t = 0; t < e; ++t) decode[r * k + known.size() + t] = inverse[r * e + t];
  }
  std::vector<unsigned char*> inputs, outputs;
  for (unsigned i : known) inputs.push_back(u8(data[i]->data()));
  for (unsigned j : rows) {
    inputs.push_back(
        const_cast<unsigned char*>(reinterpret_cast<const unsigned char*>(parity[j]->data())));
  }
  for (unsigned i : missing) {
    data[i].emplace(symbol_length);
    outputs.push_back(u8(data[i]->data()));
  }
  apply_matrix(std::move(decode), e, std::move(inputs), std::move(outputs), symbol_length);
  return ok_status();
}

}  // namespace vmscope::dumpwire
