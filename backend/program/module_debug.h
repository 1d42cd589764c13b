// The debug info of a program's loaded modules (drgn's "loaded modules" with their debug
// files), found and loaded lazily: nothing is read until a name is not in the main image or a
// client names a module.
//
// What is loaded comes from the target (kernel/ reads struct module): each module's name,
// build-id and run-time section addresses (`ModuleLister`, called once). The debug file is
// found with debuginfo's DebugFileFinder in the configured debug directory (build-id first,
// then the name with '-' and '_' alike) and opened as debuginfo::ModuleDebugInfo, which refuses
// a file of another build. A module's load failure is kept and returned again (with the module
// name and the paths tried), and does not stop lookups in the other modules.
//
// Threading: safe from several threads; each module is loaded once (concurrent callers wait).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arch/virtual_memory.h"
#include "debuginfo/debug_file_finder.h"
#include "debuginfo/debug_info.h"
#include "debuginfo/module_debug_info.h"
#include "support/result.h"

namespace vmscope {

// One loaded module as the target describes it.
struct LoadedModuleInfo {
  std::string name;
  std::vector<std::uint8_t> build_id;                      // empty if unknown
  std::map<std::string, std::uint64_t> section_addresses;  // ".text" -> run-time address
  std::vector<debuginfo::AddressRange> regions;            // run-time memory it occupies
  std::optional<Error> sections_problem;                   // why there are none, if so
};

using ModuleLister = std::function<Result<std::vector<LoadedModuleInfo>>(
    const VirtualMemory& memory, const debuginfo::DebugInfo& debug)>;

struct ModuleDebugConfig {
  ModuleLister list;           // empty: the program has no modules
  std::string debug_dir;       // where the modules' debug files are; empty: none configured
  std::string kernel_release;  // narrows the search to lib/modules/<release>
  debuginfo::ModuleDebugOpenOptions open;
};

class ModuleDebugInfos {
 public:
  // `debug` may be null (no vmlinux): every module lookup then fails with kNotFound.
  // Inline, so that constructing a Program costs nothing until modules are asked for.
  ModuleDebugInfos(const VirtualMemory& memory, const debuginfo::DebugInfo* debug,
                   ModuleDebugConfig config)
      : memory_(memory), debug_(debug), config_(std::move(config)) {
    if (!config_.debug_dir.empty()) finder_.emplace(config_.debug_dir);
  }

  // The loaded modules (listed once; the failure is kept).
  Result<const std::vector<LoadedModuleInfo>*> modules() const;
  // A loaded module's debug info by name ('-' and '_' alike), loaded on first use. kNotFound
  // for a name that is not loaded, or a debug file that cannot be found (the message names the
  // paths tried); kInvalidArgument for a file of another build.
  Result<const debuginfo::ModuleDebugInfo*> load(std::string_view module_name) const;
  // The debug info of the module whose sections hold `runtime_address` (kNotFound if none).
  Result<const debuginfo::ModuleDebugInfo*> load_for_address(std::uint64_t runtime_address) const;
  // Every loaded module's debug info that could be loaded, in list order (loading them all).
  std::vector<const debuginfo::ModuleDebugInfo*> load_all() const;

 private:
  struct Slot {
    std::once_flag once;
    std::unique_ptr<debuginfo::ModuleDebugInfo> info;
    std::optional<Error> error;
  };
  Result<std::unique_ptr<debuginfo::ModuleDebugInfo>> open_module(
      const LoadedModuleInfo& module) const;

  const VirtualMemory& memory_;
  const debuginfo::DebugInfo* debug_;
  ModuleDebugConfig config_;
  std::optional<debuginfo::DebugFileFinder> finder_;
  mutable std::once_flag list_once_;
  mutable std::vector<LoadedModuleInfo> modules_;
  mutable std::optional<Error> list_error_;
  mutable std::mutex slots_mutex_;
  mutable std::map<std::string, std::unique_ptr<Slot>> slots_;  // by normalized name
};

}  // namespace vmscope
