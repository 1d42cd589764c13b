#include "debuginfo/dwarf_cfi.h"

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <cstdlib>

namespace vmscope::debuginfo {
namespace {

bool is_breg(const Dwarf_Op& op, int& reg, std::int64_t& offset) {
  if (op.atom >= DW_OP_breg0 && op.atom <= DW_OP_breg31) {
    reg = op.atom - DW_OP_breg0;
    offset = static_cast<std::int64_t>(op.number);
    return true;
  }
  if (op.atom == DW_OP_bregx) {
    reg = static_cast<int>(op.number);
    offset = static_cast<std::int64_t>(op.number2);
    return true;
  }
  return false;
}

bool is_reg(const Dwarf_Op& op, int& reg) {
  if (op.atom >= DW_OP_reg0 && op.atom <= DW_OP_reg31) {
    reg = op.atom - DW_OP_reg0;
    return true;
  }
  if (op.atom == DW_OP_regx) {
    reg = static_cast<int>(op.number);
    return true;
  }
  return false;
}

// libdw synthesises the simple rules as short expressions (see dwarf_frame_register's
// comment); anything else is a hand-written expression.
CfiRule rule_from_ops(const Dwarf_Op* ops, std::size_t nops, const Dwarf_Op* ops_mem) {
  CfiRule rule;
  if (nops == 0) {
    rule.kind = ops == ops_mem ? CfiRule::Kind::kUndefined : CfiRule::Kind::kSameValue;
    return rule;
  }
  bool value = ops[nops - 1].atom == DW_OP_stack_value;
  const std::size_t n = value ? nops - 1 : nops;
  int reg = -1;
  std::int64_t offset = 0;
  if (n >= 1 && ops[0].atom == DW_OP_call_frame_cfa) {
    if (n == 1) {
      offset = 0;
    } else if (n == 2 && ops[1].atom == DW_OP_plus_uconst) {
      offset = static_cast<std::int64_t>(ops[1].number);
    } else if (n == 3 && ops[1].atom == DW_OP_consts && ops[2].atom == DW_OP_plus) {
      offset = static_cast<std::int64_t>(ops[1].number);
    } else {
      rule.kind = CfiRule::Kind::kUnsupported;
      return rule;
    }
    rule.kind = value ? CfiRule::Kind::kValOffset : CfiRule::Kind::kOffset;
    rule.offset = offset;
    return rule;
  }
  if (n == 1 && is_reg(ops[0], reg)) {
    rule.kind = CfiRule::Kind::kRegister;
    rule.reg = reg;
    return rule;
  }
  if (n == 1 && value && is_breg(ops[0], reg, offset) && offset == 0) {
    rule.kind = CfiRule::Kind::kRegister;
    rule.reg = reg;
    return rule;
  }
  rule.kind = CfiRule::Kind::kUnsupported;
  return rule;
}

}  // namespace

Result<std::unique_ptr<DwarfCfi>> DwarfCfi::open(const std::string& path,
                                                 std::uint64_t load_offset) {
  VMSCOPE_TRY(auto file, DwarfFile::open(path));
  if (file->elf().is_relocatable()) {
    return Error(ErrorCode::kUnsupported,
                 path + ": call frame information of relocatable files is not supported");
  }
  std::unique_ptr<DwarfCfi> cfi(new DwarfCfi());
  cfi->load_offset_ = load_offset;
  cfi->image_ = file->elf().image_range();
  cfi->cfi_ = dwarf_getcfi(file->dwarf());
  if (!cfi->cfi_) {
    cfi->cfi_ = dwarf_getcfi_elf(file->elf().elf());
    cfi->owns_cfi_ = cfi->cfi_ != nullptr;
  }
  if (!cfi->cfi_) {
    return Error(ErrorCode::kNotFound, path + " has no call frame information",
                 ErrorPayload{.name = path});
  }
  cfi->file_ = std::move(file);
  return cfi;
}

DwarfCfi::~DwarfCfi() {
  if (owns_cfi_ && cfi_) dwarf_cfi_end(cfi_);
}

std::optional<CfiRow> DwarfCfi::find(std::uint64_t pc) const {
  const std::uint64_t link = pc - load_offset_;
  if (!image_.contains(link)) return std::nullopt;
  std::lock_guard lock(mutex_);
  Dwarf_Frame* frame = nullptr;
  if (dwarf_cfi_addrframe(cfi_, link, &frame) != 0 || !frame) return std::nullopt;
  struct FreeFrame {
    Dwarf_Frame* f;
    ~FreeFrame() { std::free(f); }
  } owner{frame};

  CfiRow row;
  bool signal = false;
  int ra = dwarf_frame_info(frame, nullptr, nullptr, &signal);
  row.signal_frame = signal;
  row.return_address_register = ra;

  Dwarf_Op* cfa_ops = nullptr;
  std::size_t cfa_nops = 0;
  if (dwarf_frame_cfa(frame, &cfa_ops, &cfa_nops) == 0 && cfa_nops == 1) {
    int reg = -1;
    std::int64_t offset = 0;
    if (is_breg(cfa_ops[0], reg, offset) && reg >= 0 && reg <= 16) {
      row.cfa_supported = true;
      row.cfa_register = reg;
      row.cfa_offset = offset;
    }
  }
  for (int r = 0; r <= 16; ++r) {
    Dwarf_Op ops_mem[3];
    Dwarf_Op* ops = nullptr;
    std::size_t nops = 0;
    if (dwarf_frame_register(frame, r, ops_mem, &ops, &nops) != 0) {
      row.rules[r].kind = CfiRule::Kind::kUnsupported;
      continue;
    }
    row.rules[r] = rule_from_ops(ops, nops, ops_mem);
  }
  return row;
}

}  // namespace vmscope::debuginfo
