// Function arguments and local variables of one frame, from DWARF: the DW_TAG_formal_parameter
// and DW_TAG_variable children of the frame's function (or inline expansion) and of the
// lexical blocks containing the pc (inline_frames.h finds them), each with its type name and,
// where its location can be evaluated, its bytes.
//
// Locations (DW_AT_location, a location list resolved at the pc with dwarf_getlocation_addr)
// are evaluated by a small DWARF stack machine covering what compilers emit for kernel code:
//   DW_OP_reg*/regx             the value is in a register of the frame
//   DW_OP_breg*/bregx, fbreg    an address from a register / the frame base plus an offset
//   DW_OP_call_frame_cfa        the frame's CFA (the unwinder computed it)
//   DW_OP_addr                  a static address (moved by the KASLR offset)
//   DW_OP_lit*/const*, plus, plus_uconst, minus, and, or, deref, stack_value,
//   DW_OP_implicit_value, DW_OP_piece (registers and memory pieces)
// DW_OP_entry_value (the value the caller passed, no longer anywhere) and a variable without a
// location at the pc are "optimized out"; a register the unwinder could not recover is
// "unavailable"; anything else is reported as unsupported, never guessed. DW_AT_const_value
// gives constants.
//
// Values are raw little-endian bytes plus the C type name; the program layer's object model
// renders them.
//
// Threading: libdw is used under the DwarfFile's lock; types through DwarfTypes (thread-safe).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "debuginfo/dwarf_file.h"
#include "debuginfo/dwarf_types.h"
#include "debuginfo/inline_frames.h"
#include "support/result.h"

namespace vmscope::debuginfo {

struct FrameVariable {
  std::string name;
  bool parameter = false;
  std::string type_name;  // C spelling ("struct task_struct *")
  std::uint64_t size = 0;
  // The value's bytes (`size` of them) when the location could be evaluated and read.
  std::optional<std::vector<std::byte>> value;
  // Where it lives in memory, when it does.
  std::optional<std::uint64_t> address;
  // Why there is no value: "optimized out", "unavailable: rbx not recovered", "unsupported
  // DWARF operation 0x…", or the read error.
  std::string unavailable;
};

// What location expressions may use: the frame's registers (DWARF numbers 0–16), its CFA, the
// memory, and the image's load offset for DW_OP_addr.
struct FrameState {
  std::function<std::optional<std::uint64_t>(int dwarf_register)> reg;
  std::optional<std::uint64_t> cfa;
  const VirtualMemory* memory = nullptr;
  std::uint64_t load_offset = 0;
};

// The parameters first (declaration order), then locals from the innermost block outwards.
// `link_pc` is the link-time address the location lists are resolved at (the lookup pc).
Result<std::vector<FrameVariable>> frame_variables(const DwarfFile& file, const DwarfTypes& types,
                                                   const InlineFrame& frame, std::uint64_t link_pc,
                                                   const FrameState& state);

// Evaluates one location expression (exposed for tests). `frame_base` is the value of the
// function's DW_AT_frame_base, when it has one.
struct EvaluatedLocation {
  // Exactly one of: bytes (a register, an implicit or a stack value, or pieces), or an address.
  std::optional<std::vector<std::byte>> bytes;
  std::optional<std::uint64_t> address;
};
struct LocationOp {
  std::uint8_t atom = 0;
  std::uint64_t number = 0;
  std::uint64_t number2 = 0;
  std::vector<std::byte> block;  // DW_OP_implicit_value's bytes
};
Result<EvaluatedLocation> evaluate_location(const std::vector<LocationOp>& ops, std::uint64_t size,
                                            const FrameState& state,
                                            std::optional<std::uint64_t> frame_base);

}  // namespace vmscope::debuginfo
