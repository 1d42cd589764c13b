// The debug info of one loaded kernel module: its .ko debug file's DWARF (types, globals,
// functions, enumerators, line table) and ELF symbols, answering in the run-time addresses the
// module occupies in one dump.
//
// A .ko is relocatable: its DWARF addresses are section offsets. The file is relocated once
// into a synthetic layout (relocated_module_file.h: section i at i << 32; the copy and its DWARF
// index are cached by build-id like the vmlinux's), and this class maps synthetic link addresses
// to run-time ones with the section addresses the kernel recorded for the module (struct
// module's sect_attrs: ".text" -> 0xffffffffc0556000, ...). A section the kernel did not list
// (.init.* freed after load, per-CPU data, empty sections) has no run-time address: a variable
// or function in it is reported as such, never given a made-up address.
//
// A debug file whose build-id differs from the one the dump's module carries is refused
// (kInvalidArgument): its layouts and addresses would be silently wrong.
//
// Threading: immutable after open(); every method is safe to call from several threads (the
// DWARF is used under its DwarfFile's lock, as DebugInfo does).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "debuginfo/debug_info.h"
#include "debuginfo/dwarf_file.h"
#include "debuginfo/dwarf_index.h"
#include "debuginfo/dwarf_types.h"
#include "debuginfo/index_cache.h"
#include "debuginfo/line_table.h"
#include "debuginfo/relocated_module_file.h"
#include "debuginfo/symbol_table.h"
#include "debuginfo/type.h"
#include "support/result.h"

namespace vmscope::debuginfo {

struct ModuleDebugOpenOptions {
  IndexOpenOptions index;
  // Where the relocated copy goes; empty: "<index cache directory>/modules", else a directory
  // under the system's temporary directory.
  std::string relocated_directory;
};

class ModuleDebugInfo {
 public:
  // `expected_build_id` empty: not checked (the dump did not say). `section_addresses`: the
  // module's run-time section addresses by section name.
  static Result<std::unique_ptr<ModuleDebugInfo>> open(
      std::string module_name, const std::string& debug_file,
      std::span<const std::uint8_t> expected_build_id,
      std::map<std::string, std::uint64_t> section_addresses,
      const ModuleDebugOpenOptions& options);

  // Whether `error` says a name exists in a module but sits in a section the dump does not
  // list as loaded (as opposed to a name the module does not have).
  static bool is_not_loaded(const Error& error);

  const std::string& module_name() const { return module_name_; }
  const std::string& debug_file() const { return debug_file_; }
  const std::string& relocated_file() const { return relocated_.path; }
  const RelocatedModuleFile& relocation() const { return relocated_; }
  const std::vector<std::uint8_t>& build_id() const { return build_id_; }
  const DwarfIndex& index() const { return *index_; }
  const IndexLoadReport& index_report() const { return index_report_; }

  // Synthetic link address -> run-time; nullopt when its section is not loaded.
  std::optional<std::uint64_t> to_runtime(std::uint64_t link_address) const;
  // Run-time -> synthetic link address; nullopt outside every loaded section of the module.
  std::optional<std::uint64_t> to_link(std::uint64_t runtime_address) const;
  bool contains(std::uint64_t runtime_address) const {
    return to_link(runtime_address).has_value();
  }

  // As DebugInfo's lookups, in this module's DWARF; addresses are run-time.
  Result<QualifiedType> find_type(std::string_view name) const;
  Result<Variable> find_variable(std::string_view name) const;
  Result<Function> find_function(std::string_view name) const;
  Result<Constant> find_constant(std::string_view name) const;

  // A symbol of the module's .symtab by name, at its run-time address.
  std::optional<Symbol> find_symbol(std::string_view name) const;
  // The ELF symbol at or before a run-time address (the .ko's .symtab placed at the sections).
  std::optional<SymbolOffset> symbolize(std::uint64_t runtime_address) const;
  // The DWARF function (DW_TAG_subprogram range) holding a run-time address, with its entry.
  struct FunctionAt {
    std::string name;
    std::uint64_t entry = 0;  // run-time
  };
  std::optional<FunctionAt> function_at(std::uint64_t runtime_address) const;
  Result<SourceLocation> source_location(std::uint64_t runtime_address) const;

 private:
  ModuleDebugInfo() = default;
  struct LoadedSection {
    std::uint64_t link = 0;     // synthetic
    std::uint64_t runtime = 0;  // from the dump
    std::uint64_t size = 0;
  };
  Error not_loaded(std::string_view what, std::string_view name, std::uint64_t link) const;

  std::string module_name_;
  std::string debug_file_;
  RelocatedModuleFile relocated_;
  std::vector<std::uint8_t> build_id_;
  std::vector<std::string> section_names_;  // by section index (synthetic address >> 32)
  std::vector<LoadedSection> loaded_;       // sections the dump gave an address
  std::shared_ptr<const DwarfFile> dwarf_;
  std::shared_ptr<const DwarfIndex> index_;
  std::shared_ptr<DwarfTypes> types_;
  std::unique_ptr<SymbolTable> symbols_;  // null when the file has no .symtab
  std::unique_ptr<LineTable> lines_;
  IndexLoadReport index_report_;
};

}  // namespace vmscope::debuginfo
