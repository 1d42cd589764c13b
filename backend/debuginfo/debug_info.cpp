#include "debuginfo/debug_info.h"

namespace vmscope::debuginfo {

Result<std::unique_ptr<DebugInfo>> DebugInfo::open(const std::string& vmlinux_path,
                                                   const DebugInfoOptions& options) {
  std::unique_ptr<DebugInfo> info(new DebugInfo());
  info->load_offset_ = options.load_offset;
  VMSCOPE_TRY(auto dwarf, DwarfFile::open(vmlinux_path));
  info->dwarf_ = std::move(dwarf);
  const ElfFile& elf = info->dwarf_->elf();
  SourceIdentity identity{elf.build_id(), elf.file_size(), elf.mtime_ns()};
  VMSCOPE_TRY(info->index_, load_or_build_dwarf_index(vmlinux_path, identity, options.index,
                                                      &info->index_report_));
  info->types_ = DwarfTypes::create(info->dwarf_, info->index_);
  VMSCOPE_TRY(info->symbols_, SymbolTable::from_elf(elf, options.load_offset));
  info->lines_ = std::make_unique<LineTable>(info->dwarf_);
  return info;
}

std::uint64_t DebugInfo::to_runtime(std::uint64_t link_address) const {
  return elf().image_range().contains(link_address) ? link_address + load_offset_ : link_address;
}

std::uint64_t DebugInfo::to_link(std::uint64_t runtime_address) const {
  std::uint64_t link = runtime_address - load_offset_;
  return elf().image_range().contains(link) ? link : runtime_address;
}

Result<QualifiedType> DebugInfo::find_type(std::string_view name) const {
  auto trim = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
  };
  name = trim(name);
  static constexpr struct {
    std::string_view keyword;
    TypeTag tag;
  } kKeywords[] = {{"struct ", TypeTag::kStruct},
                   {"union ", TypeTag::kUnion},
                   {"enum ", TypeTag::kEnum},
                   {"class ", TypeTag::kClass}};
  for (const auto& k : kKeywords) {
    if (name.starts_with(k.keyword))
      return types_->find_type(k.tag, trim(name.substr(k.keyword.size())));
  }
  auto typedef_type = types_->find_type(TypeTag::kTypedef, name);
  if (typedef_type.ok() || typedef_type.error().code() != ErrorCode::kNotFound) {
    return typedef_type;
  }
  auto base = types_->find_type(TypeTag::kBase, name);
  if (base.ok() || base.error().code() != ErrorCode::kNotFound) return base;
  return Error(ErrorCode::kNotFound, "no type named '" + std::string(name) + "'",
               ErrorPayload{.name = std::string(name)});
}

Result<Variable> DebugInfo::find_variable(std::string_view name) const {
  auto found = index_->find_variables(name);
  if (found.empty()) {
    return Error(ErrorCode::kNotFound, "no variable named '" + std::string(name) + "'",
                 ErrorPayload{.name = std::string(name)});
  }
  const IndexedVariable& entry = found.front();  // definitions are listed before declarations
  Variable v;
  v.name = std::string(name);
  VMSCOPE_TRY(v.type, types_->type_of_object(entry.die_offset));
  if (entry.address) {
    v.address = to_runtime(*entry.address);
  } else {
    auto symbol = symbols_->find(name);
    if (!symbol) {
      return Error(ErrorCode::kNotFound,
                   "variable '" + std::string(name) + "' is declared but has no address",
                   ErrorPayload{.name = std::string(name)});
    }
    v.address = symbol->address;
    v.address_from_symbol = true;
  }
  return v;
}

Result<Function> DebugInfo::find_function(std::string_view name) const {
  auto found = index_->find_functions(name);
  if (found.empty()) {
    return Error(ErrorCode::kNotFound, "no function named '" + std::string(name) + "'",
                 ErrorPayload{.name = std::string(name)});
  }
  Function f;
  f.name = std::string(name);
  VMSCOPE_TRY(f.type, types_->type_of_object(found.front().die_offset));
  if (found.front().is_declaration) {
    auto symbol = symbols_->find(name);
    if (!symbol) {
      return Error(ErrorCode::kNotFound,
                   "function '" + std::string(name) + "' is declared but has no address",
                   ErrorPayload{.name = std::string(name)});
    }
    f.address = symbol->address;
    f.ranges.push_back(AddressRange{symbol->address, symbol->address + symbol->size});
    return f;
  }
  // The ranges of the first definition (one DIE; a static function of the same name elsewhere
  // is another DIE).
  for (const IndexedFunction& range : found) {
    if (range.die_offset != found.front().die_offset) continue;
    f.ranges.push_back(AddressRange{to_runtime(range.low_pc), to_runtime(range.high_pc)});
  }
  f.address = f.ranges.front().begin;
  return f;
}

Result<Constant> DebugInfo::find_constant(std::string_view name) const {
  auto found = index_->find_enumerators(name);
  if (found.empty()) {
    return Error(ErrorCode::kNotFound, "no enumerator named '" + std::string(name) + "'",
                 ErrorPayload{.name = std::string(name)});
  }
  Constant c;
  c.name = std::string(name);
  c.value = found.front().value;
  c.is_signed = found.front().is_signed;
  VMSCOPE_TRY(c.type, types_->type_from_die(found.front().enum_die_offset));
  return c;
}

Result<SourceLocation> DebugInfo::source_location(std::uint64_t runtime_address) const {
  return lines_->find(to_link(runtime_address));
}

}  // namespace vmscope::debuginfo
