#include "debuginfo/dwarf_locals.h"

#include "arch/x86_64_unwinder.h"

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <cstring>
#include <sstream>

#include "debuginfo/type_layout.h"
#include "debuginfo/type_name.h"
#include "support/hex.h"

namespace vmscope::debuginfo {
namespace {

// Values larger than this are described by address only (a struct on the stack).
constexpr std::uint64_t kMaxValueSize = 4096;
constexpr std::size_t kMaxStack = 64;
constexpr std::size_t kMaxOps = 256;

Error optimized_out(std::string why = "optimized out") {
  return Error(ErrorCode::kNotFound, std::move(why));
}

std::vector<std::byte> le_bytes(std::uint64_t value, std::uint64_t size) {
  std::vector<std::byte> bytes(std::min<std::uint64_t>(size, 8));
  std::memcpy(bytes.data(), &value, bytes.size());
  bytes.resize(size, std::byte{0});
  return bytes;
}

// Where the expression so far says the value is.
struct Location {
  enum class Kind { kNone, kAddress, kBytes } kind = Kind::kNone;
  std::uint64_t address = 0;
  std::vector<std::byte> bytes;
};

class Machine {
 public:
  Machine(const FrameState& state, std::optional<std::uint64_t> frame_base)
      : state_(state), frame_base_(frame_base) {}

  Result<EvaluatedLocation> run(const std::vector<LocationOp>& ops, std::uint64_t size) {
    if (ops.size() > kMaxOps) return Error(ErrorCode::kLimitExceeded, "location too long");
    std::vector<std::byte> pieces;
    bool have_pieces = false;
    for (const LocationOp& op : ops) {
      if (op.atom == DW_OP_piece) {
        VMSCOPE_TRY(std::vector<std::byte> piece, materialise(op.number));
        pieces.insert(pieces.end(), piece.begin(), piece.end());
        have_pieces = true;
        stack_.clear();
        location_ = {};
        continue;
      }
      VMSCOPE_CHECK(step(op));
    }
    EvaluatedLocation out;
    if (have_pieces) {
      pieces.resize(size, std::byte{0});
      out.bytes = std::move(pieces);
      return out;
    }
    if (location_.kind == Location::Kind::kBytes) {
      location_.bytes.resize(size, std::byte{0});
      out.bytes = std::move(location_.bytes);
      return out;
    }
    if (stack_.empty()) return optimized_out();
    out.address = stack_.back();
    return out;
  }

 private:
  Status push(std::uint64_t v) {
    if (stack_.size() >= kMaxStack) return Error(ErrorCode::kLimitExceeded, "DWARF stack overflow");
    stack_.push_back(v);
    return ok_status();
  }
  Result<std::uint64_t> pop() {
    if (stack_.empty()) return Error(ErrorCode::kCorrupt, "DWARF stack underflow");
    std::uint64_t v = stack_.back();
    stack_.pop_back();
    return v;
  }
  Result<std::uint64_t> reg(std::uint64_t number) {
    std::optional<std::uint64_t> v;
    if (number <= 16 && state_.reg) v = state_.reg(static_cast<int>(number));
    if (!v) {
      const std::string name = number <= 16 ? std::string(x86_64_reg_name(static_cast<int>(number)))
                                            : "register " + std::to_string(number);
      return Error(ErrorCode::kNotFound, "unavailable: " + name + " not recovered");
    }
    return *v;
  }

  // The bytes of a piece of `size` bytes from the current location.
  Result<std::vector<std::byte>> materialise(std::uint64_t size) {
    if (location_.kind == Location::Kind::kBytes) {
      auto bytes = location_.bytes;
      bytes.resize(size, std::byte{0});
      return bytes;
    }
    if (stack_.empty()) return optimized_out();  // an empty piece: that part is gone
    if (!state_.memory) return Error(ErrorCode::kUnsupported, "no memory to read");
    if (size > kMaxValueSize) return Error(ErrorCode::kLimitExceeded, "piece too large");
    std::vector<std::byte> bytes(size);
    VMSCOPE_CHECK(state_.memory->read(stack_.back(), bytes));
    return bytes;
  }

  Status step(const LocationOp& op) {
    const std::uint8_t a = op.atom;
    if (a >= DW_OP_lit0 && a <= DW_OP_lit31) return push(a - DW_OP_lit0);
    if (a >= DW_OP_reg0 && a <= DW_OP_reg31) return in_register(a - DW_OP_reg0);
    if (a >= DW_OP_breg0 && a <= DW_OP_breg31) {
      VMSCOPE_TRY(std::uint64_t r, reg(a - DW_OP_breg0));
      return push(r + op.number);
    }
    switch (a) {
      case DW_OP_regx: return in_register(op.number);
      case DW_OP_bregx: {
        VMSCOPE_TRY(std::uint64_t r, reg(op.number));
        return push(r + op.number2);
      }
      case DW_OP_fbreg:
        if (!frame_base_) return Error(ErrorCode::kNotFound, "unavailable: no frame base");
        return push(*frame_base_ + op.number);
      case DW_OP_call_frame_cfa:
        if (!state_.cfa) return Error(ErrorCode::kNotFound, "unavailable: CFA not known");
        return push(*state_.cfa);
      case DW_OP_addr: return push(op.number + state_.load_offset);
      case DW_OP_const1u:
      case DW_OP_const2u:
      case DW_OP_const4u:
      case DW_OP_const8u:
      case DW_OP_constu:
      case DW_OP_const1s:
      case DW_OP_const2s:
      case DW_OP_const4s:
      case DW_OP_const8s:
      case DW_OP_consts: return push(op.number);
      case DW_OP_plus_uconst: {
        VMSCOPE_TRY(std::uint64_t v, pop());
        return push(v + op.number);
      }
      case DW_OP_dup: {
        VMSCOPE_TRY(std::uint64_t v, pop());
        VMSCOPE_CHECK(push(v));
        return push(v);
      }
      case DW_OP_drop: {
        VMSCOPE_TRY(std::uint64_t dropped, pop());
        (void)dropped;
        return ok_status();
      }
      case DW_OP_neg:
      case DW_OP_not: {
        VMSCOPE_TRY(std::uint64_t v, pop());
        return push(a == DW_OP_neg ? ~v + 1 : ~v);
      }
      case DW_OP_plus:
      case DW_OP_minus:
      case DW_OP_and:
      case DW_OP_or:
      case DW_OP_xor:
      case DW_OP_mul:
      case DW_OP_shl:
      case DW_OP_shr:
      case DW_OP_shra: {
        VMSCOPE_TRY(std::uint64_t b, pop());
        VMSCOPE_TRY(std::uint64_t x, pop());
        std::uint64_t r = 0;
        switch (a) {
          case DW_OP_plus: r = x + b; break;
          case DW_OP_minus: r = x - b; break;
          case DW_OP_and: r = x & b; break;
          case DW_OP_or: r = x | b; break;
          case DW_OP_xor: r = x ^ b; break;
          case DW_OP_mul: r = x * b; break;
          case DW_OP_shl: r = b < 64 ? x << b : 0; break;
          case DW_OP_shr: r = b < 64 ? x >> b : 0; break;
          default:
            r = static_cast<std::uint64_t>(static_cast<std::int64_t>(x) >> (b < 63 ? b : 63));
            break;
        }
        return push(r);
      }
      case DW_OP_deref:
      case DW_OP_deref_size: {
        VMSCOPE_TRY(std::uint64_t address, pop());
        const std::uint64_t n = a == DW_OP_deref ? 8 : op.number;
        if (n == 0 || n > 8 || !state_.memory) {
          return Error(ErrorCode::kUnsupported, "DW_OP_deref_size " + std::to_string(n));
        }
        std::uint64_t v = 0;
        VMSCOPE_CHECK(state_.memory->read(
            address, std::span<std::byte>(reinterpret_cast<std::byte*>(&v), n)));
        return push(v);
      }
      case DW_OP_stack_value: {
        VMSCOPE_TRY(std::uint64_t v, pop());
        location_.kind = Location::Kind::kBytes;
        location_.bytes = le_bytes(v, 8);
        return ok_status();
      }
      case DW_OP_implicit_value:
        location_.kind = Location::Kind::kBytes;
        location_.bytes = op.block;
        return ok_status();
      case DW_OP_entry_value:
      case DW_OP_GNU_entry_value: return optimized_out("optimized out (entry value)");
      case DW_OP_nop: return ok_status();
      default:
        return Error(ErrorCode::kUnsupported,
                     "unsupported DWARF operation " + hex_u64(a) + " in a location");
    }
  }

  Status in_register(std::uint64_t number) {
    VMSCOPE_TRY(std::uint64_t v, reg(number));
    location_.kind = Location::Kind::kBytes;
    location_.bytes = le_bytes(v, 8);
    return ok_status();
  }

  const FrameState& state_;
  std::optional<std::uint64_t> frame_base_;
  std::vector<std::uint64_t> stack_;
  Location location_;
};

std::string die_name(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  if (dwarf_attr_integrate(die, DW_AT_name, &attr)) {
    if (const char* s = dwarf_formstring(&attr)) return s;
  }
  return {};
}

std::vector<LocationOp> convert(Dwarf_Attribute* attr, const Dwarf_Op* expr, std::size_t n) {
  std::vector<LocationOp> ops;
  ops.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    LocationOp op{expr[i].atom, expr[i].number, expr[i].number2, {}};
    if (op.atom == DW_OP_implicit_value) {
      Dwarf_Block block;
      if (dwarf_getlocation_implicit_value(attr, &expr[i], &block) == 0) {
        const auto* p = reinterpret_cast<const std::byte*>(block.data);
        op.block.assign(p, p + block.length);
      }
    }
    ops.push_back(std::move(op));
  }
  return ops;
}

// The value of a function's DW_AT_frame_base at `pc`: an address.
std::optional<std::uint64_t> frame_base(Dwarf_Die* subprogram, std::uint64_t pc,
                                        const FrameState& state) {
  Dwarf_Attribute attr;
  if (!dwarf_attr(subprogram, DW_AT_frame_base, &attr)) return std::nullopt;
  Dwarf_Op* expr = nullptr;
  std::size_t n = 0;
  if (dwarf_getlocation_addr(&attr, pc, &expr, &n, 1) < 1 || n == 0) return std::nullopt;
  auto evaluated = evaluate_location(convert(&attr, expr, n), 8, state, std::nullopt);
  if (!evaluated.ok()) return std::nullopt;
  if (evaluated->address) return evaluated->address;
  // DW_OP_reg6 style frame bases name a register holding the address.
  if (evaluated->bytes && evaluated->bytes->size() >= 8) {
    std::uint64_t v;
    std::memcpy(&v, evaluated->bytes->data(), 8);
    return v;
  }
  return std::nullopt;
}

FrameVariable describe(Dwarf_Die* die, bool parameter, const DwarfTypes& types, std::uint64_t pc,
                       const FrameState& state, std::optional<std::uint64_t> base) {
  FrameVariable v;
  v.name = die_name(die);
  v.parameter = parameter;
  auto type = types.type_of_object(dwarf_dieoffset(die));
  if (type.ok()) {
    v.type_name = type_name(*type);
    v.size = sizeof_type(*type).value_or(0);
  } else {
    v.type_name = "<unknown type>";
  }

  Dwarf_Attribute attr;
  if (dwarf_attr_integrate(die, DW_AT_const_value, &attr)) {
    Dwarf_Block block;
    Dwarf_Word u;
    Dwarf_Sword s;
    if (dwarf_formblock(&attr, &block) == 0) {
      const auto* p = reinterpret_cast<const std::byte*>(block.data);
      v.value = std::vector<std::byte>(p, p + block.length);
    } else if (dwarf_formsdata(&attr, &s) == 0) {
      v.value = le_bytes(static_cast<std::uint64_t>(s), v.size ? v.size : 8);
    } else if (dwarf_formudata(&attr, &u) == 0) {
      v.value = le_bytes(u, v.size ? v.size : 8);
    } else {
      v.unavailable = "unsupported constant form";
    }
    return v;
  }
  if (!dwarf_attr(die, DW_AT_location, &attr)) {
    v.unavailable = "optimized out";
    return v;
  }
  Dwarf_Op* expr = nullptr;
  std::size_t n = 0;
  const int found = dwarf_getlocation_addr(&attr, pc, &expr, &n, 1);
  if (found < 1 || n == 0) {
    v.unavailable = "optimized out";
    return v;
  }
  auto evaluated = evaluate_location(convert(&attr, expr, n), v.size, state, base);
  if (!evaluated.ok()) {
    v.unavailable = evaluated.error().message();
    return v;
  }
  if (evaluated->bytes) {
    v.value = std::move(evaluated->bytes);
    return v;
  }
  v.address = evaluated->address;
  if (v.size == 0 || v.size > kMaxValueSize || !state.memory) {
    v.unavailable =
        v.size == 0 ? "size unknown" : "not read (" + std::to_string(v.size) + " bytes)";
    return v;
  }
  std::vector<std::byte> bytes(v.size);
  Status read = state.memory->read(*v.address, bytes);
  if (!read.ok()) {
    v.unavailable = read.error().message();
  } else {
    v.value = std::move(bytes);
  }
  return v;
}

// Appends the parameters or variables among `scope`'s children.
void collect(Dwarf_Die* scope, bool parameters, const DwarfTypes& types, std::uint64_t pc,
             const FrameState& state, std::optional<std::uint64_t> base,
             std::vector<FrameVariable>& out) {
  Dwarf_Die child;
  if (dwarf_child(scope, &child) != 0) return;
  do {
    const int tag = dwarf_tag(&child);
    const bool want = parameters ? tag == DW_TAG_formal_parameter : tag == DW_TAG_variable;
    if (!want) continue;
    Dwarf_Attribute attr;
    if (dwarf_attr(&child, DW_AT_declaration, &attr)) continue;  // an extern declaration
    out.push_back(describe(&child, parameters, types, pc, state, base));
  } while (dwarf_siblingof(&child, &child) == 0);
}

}  // namespace

Result<EvaluatedLocation> evaluate_location(const std::vector<LocationOp>& ops, std::uint64_t size,
                                            const FrameState& state,
                                            std::optional<std::uint64_t> frame_base) {
  Machine machine(state, frame_base);
  return machine.run(ops, size);
}

Result<std::vector<FrameVariable>> frame_variables(const DwarfFile& file, const DwarfTypes& types,
                                                   const InlineFrame& frame, std::uint64_t link_pc,
                                                   const FrameState& state) {
  std::lock_guard lock(file.lock());
  std::vector<FrameVariable> out;
  Dwarf_Die function;
  if (!dwarf_offdie(file.dwarf(), frame.function_die, &function)) {
    return Error(ErrorCode::kCorrupt, "no DIE at " + hex_u64(frame.function_die));
  }
  std::optional<std::uint64_t> base;
  Dwarf_Die subprogram;
  if (frame.subprogram_die && dwarf_offdie(file.dwarf(), frame.subprogram_die, &subprogram)) {
    base = frame_base(&subprogram, link_pc, state);
  }
  collect(&function, true, types, link_pc, state, base, out);
  for (std::uint64_t block_offset : frame.block_dies) {
    Dwarf_Die block;
    if (dwarf_offdie(file.dwarf(), block_offset, &block)) {
      collect(&block, false, types, link_pc, state, base, out);
    }
  }
  collect(&function, false, types, link_pc, state, base, out);
  return out;
}

}  // namespace vmscope::debuginfo
