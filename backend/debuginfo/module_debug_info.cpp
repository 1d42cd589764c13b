#include "debuginfo/module_debug_info.h"
#include "support/hex.h"

#include <elf.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace vmscope::debuginfo {
namespace {

std::string relocated_directory(const ModuleDebugOpenOptions& options) {
  if (!options.relocated_directory.empty()) return options.relocated_directory;
  std::optional<std::string> cache = options.index.cache.directory
                                         ? options.index.cache.directory
                                         : default_index_cache_directory();
  if (cache && options.index.cache.enabled) return *cache + "/modules";
  std::error_code ec;
  return (std::filesystem::temp_directory_path(ec) / "vmscope-modules").string();
}

constexpr std::string_view kNotLoaded = ", which the dump does not list as loaded";

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::unique_ptr<ModuleDebugInfo>> ModuleDebugInfo::open(
    std::string module_name, const std::string& debug_file,
    std::span<const std::uint8_t> expected_build_id,
    std::map<std::string, std::uint64_t> section_addresses, const ModuleDebugOpenOptions& options) {
  std::unique_ptr<ModuleDebugInfo> info(new ModuleDebugInfo());
  info->module_name_ = std::move(module_name);
  info->debug_file_ = debug_file;
  // Refuse another build before doing any work on it.
  VMSCOPE_TRY(info->build_id_, read_build_id(debug_file));
  if (!expected_build_id.empty() && !std::equal(expected_build_id.begin(), expected_build_id.end(),
                                                info->build_id_.begin(), info->build_id_.end())) {
    return Error(ErrorCode::kInvalidArgument,
                 debug_file + " is not the debug file of the loaded module " + info->module_name_ +
                     ": its build-id is " + hex_bytes(info->build_id_) +
                     ", the module in the dump has " + hex_bytes(expected_build_id),
                 {.name = info->module_name_});
  }
  VMSCOPE_TRY(info->relocated_,
              relocate_module_debug_file(debug_file, relocated_directory(options)));
  VMSCOPE_TRY(auto dwarf, DwarfFile::open(info->relocated_.path));
  info->dwarf_ = std::move(dwarf);
  const ElfFile& elf = info->dwarf_->elf();
  if (!elf.is_relocatable()) {
    return Error(ErrorCode::kInvalidArgument,
                 debug_file + " is not a relocatable module file (.ko)", {.name = debug_file});
  }
  for (const ElfSection& section : elf.sections()) {
    info->section_names_.push_back(section.name);
    if (!(section.flags & SHF_ALLOC) || section.size == 0) continue;
    auto at = section_addresses.find(section.name);
    if (at == section_addresses.end()) continue;
    info->loaded_.push_back({module_section_link_address(section.index), at->second, section.size});
  }
  SourceIdentity identity{elf.build_id(), elf.file_size(), elf.mtime_ns()};
  VMSCOPE_TRY(info->index_, load_or_build_dwarf_index(info->relocated_.path, identity,
                                                      options.index, &info->index_report_));
  info->types_ = DwarfTypes::create(info->dwarf_, info->index_);
  auto symbols = SymbolTable::load_module(debug_file, section_addresses);
  if (symbols.ok()) info->symbols_ = std::move(symbols).value();
  info->lines_ = std::make_unique<LineTable>(info->dwarf_);
  return info;
}

std::optional<std::uint64_t> ModuleDebugInfo::to_runtime(std::uint64_t link_address) const {
  const std::uint64_t base = link_address & ~((std::uint64_t{1} << kModuleSectionShift) - 1);
  for (const LoadedSection& s : loaded_) {
    // A section's end is still its own (a function's high_pc, a symbol's end).
    if (s.link == base && link_address - base <= s.size) return s.runtime + (link_address - base);
  }
  return std::nullopt;
}

std::optional<std::uint64_t> ModuleDebugInfo::to_link(std::uint64_t runtime_address) const {
  for (const LoadedSection& s : loaded_) {
    if (runtime_address >= s.runtime && runtime_address - s.runtime < s.size) {
      return s.link + (runtime_address - s.runtime);
    }
  }
  return std::nullopt;
}

Error ModuleDebugInfo::not_loaded(std::string_view what, std::string_view name,
                                  std::uint64_t link) const {
  const std::uint64_t index = link >> kModuleSectionShift;
  std::string section = index < section_names_.size() ? section_names_[index] : "?";
  return Error(ErrorCode::kNotFound,
               std::string(what) + " '" + std::string(name) + "' of module " + module_name_ +
                   " is in section " + section + std::string(kNotLoaded) +
                   " (freed init memory, per-CPU data or an empty section)",
               {.name = std::string(name)});
}

bool ModuleDebugInfo::is_not_loaded(const Error& error) {
  return error.code() == ErrorCode::kNotFound &&
         error.message().find(kNotLoaded) != std::string::npos;
}

Result<QualifiedType> ModuleDebugInfo::find_type(std::string_view name) const {
  name = trim(name);
  static constexpr struct {
    std::string_view keyword;
    TypeTag tag;
  } kKeywords[] = {{"struct ", TypeTag::kStruct},
                   {"union ", TypeTag::kUnion},
                   {"enum ", TypeTag::kEnum},
                   {"class ", TypeTag::kClass}};
  for (const auto& k : kKeywords) {
    if (name.starts_with(k.keyword)) {
      return types_->find_type(k.tag, trim(name.substr(k.keyword.size())));
    }
  }
  auto typedef_type = types_->find_type(TypeTag::kTypedef, name);
  if (typedef_type.ok() || typedef_type.error().code() != ErrorCode::kNotFound) {
    return typedef_type;
  }
  auto base = types_->find_type(TypeTag::kBase, name);
  if (base.ok() || base.error().code() != ErrorCode::kNotFound) return base;
  return Error(ErrorCode::kNotFound,
               "no type named '" + std::string(name) + "' in module " + module_name_,
               {.name = std::string(name)});
}

Result<Variable> ModuleDebugInfo::find_variable(std::string_view name) const {
  auto found = index_->find_variables(name);
  if (found.empty()) {
    return Error(ErrorCode::kNotFound,
                 "no variable named '" + std::string(name) + "' in module " + module_name_,
                 {.name = std::string(name)});
  }
  const IndexedVariable& entry = found.front();
  Variable v;
  v.name = std::string(name);
  VMSCOPE_TRY(v.type, types_->type_of_object(entry.die_offset));
  if (entry.address) {
    auto runtime = to_runtime(*entry.address);
    if (!runtime) return not_loaded("variable", name, *entry.address);
    v.address = *runtime;
    return v;
  }
  // A declaration (an extern the module uses): its symbol, if the module defines it.
  auto symbol = symbols_ ? symbols_->find(name) : std::nullopt;
  if (!symbol) {
    return Error(ErrorCode::kNotFound,
                 "variable '" + std::string(name) + "' is only declared in module " + module_name_,
                 {.name = std::string(name)});
  }
  v.address = symbol->address;
  v.address_from_symbol = true;
  return v;
}

Result<Function> ModuleDebugInfo::find_function(std::string_view name) const {
  auto found = index_->find_functions(name);
  if (found.empty() || found.front().is_declaration) {
    return Error(ErrorCode::kNotFound,
                 "no function named '" + std::string(name) + "' in module " + module_name_,
                 {.name = std::string(name)});
  }
  Function f;
  f.name = std::string(name);
  VMSCOPE_TRY(f.type, types_->type_of_object(found.front().die_offset));
  for (const IndexedFunction& range : found) {
    if (range.die_offset != found.front().die_offset) continue;
    auto begin = to_runtime(range.low_pc);
    auto end = to_runtime(range.high_pc);
    if (!begin || !end) return not_loaded("function", name, range.low_pc);
    f.ranges.push_back(AddressRange{*begin, *end});
  }
  f.address = f.ranges.front().begin;
  return f;
}

Result<Constant> ModuleDebugInfo::find_constant(std::string_view name) const {
  auto found = index_->find_enumerators(name);
  if (found.empty()) {
    return Error(ErrorCode::kNotFound,
                 "no enumerator named '" + std::string(name) + "' in module " + module_name_,
                 {.name = std::string(name)});
  }
  Constant c;
  c.name = std::string(name);
  c.value = found.front().value;
  c.is_signed = found.front().is_signed;
  VMSCOPE_TRY(c.type, types_->type_from_die(found.front().enum_die_offset));
  return c;
}

std::optional<Symbol> ModuleDebugInfo::find_symbol(std::string_view name) const {
  if (!symbols_) return std::nullopt;
  return symbols_->find(name);
}

std::optional<SymbolOffset> ModuleDebugInfo::symbolize(std::uint64_t runtime_address) const {
  if (!symbols_) return std::nullopt;
  return symbols_->symbolize(runtime_address);
}

std::optional<ModuleDebugInfo::FunctionAt> ModuleDebugInfo::function_at(
    std::uint64_t runtime_address) const {
  auto link = to_link(runtime_address);
  if (!link) return std::nullopt;
  auto function = index_->function_containing(*link);
  if (!function) return std::nullopt;
  auto entry = to_runtime(function->low_pc);
  if (!entry) return std::nullopt;
  return FunctionAt{std::string(function->name), *entry};
}

Result<SourceLocation> ModuleDebugInfo::source_location(std::uint64_t runtime_address) const {
  auto link = to_link(runtime_address);
  if (!link) {
    return Error(ErrorCode::kNotFound,
                 hex_u64(runtime_address) + " is not in a loaded section of module " + module_name_,
                 {.address = runtime_address});
  }
  auto found = lines_->find(*link);
  if (!found.ok()) {
    Error error = std::move(found).error();
    error.payload().address = runtime_address;
    return error;
  }
  return found;
}

}  // namespace vmscope::debuginfo
