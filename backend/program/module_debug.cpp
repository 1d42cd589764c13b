#include "program/module_debug.h"

namespace vmscope {

Result<const std::vector<LoadedModuleInfo>*> ModuleDebugInfos::modules() const {
  std::call_once(list_once_, [&] {
    if (!debug_ || !config_.list) {
      list_error_ = Error(ErrorCode::kNotFound,
                          "module debug info needs the kernel's debug info and its module list",
                          {.name = "vmlinux"});
      return;
    }
    auto listed = config_.list(memory_, *debug_);
    if (listed.ok()) {
      modules_ = std::move(listed).value();
    } else {
      list_error_ = std::move(listed).error();
    }
  });
  if (list_error_) return *list_error_;
  return &modules_;
}

Result<std::unique_ptr<debuginfo::ModuleDebugInfo>> ModuleDebugInfos::open_module(
    const LoadedModuleInfo& module) const {
  if (!finder_) {
    return Error(ErrorCode::kNotFound,
                 "no debug file for module " + module.name +
                     ": no debug directory is configured (open the dump with a debug "
                     "directory, or a vmlinux inside one)",
                 {.name = module.name});
  }
  VMSCOPE_TRY(std::string path,
              finder_->find_module(module.name, module.build_id, config_.kernel_release));
  if (module.section_addresses.empty() && module.sections_problem) {
    return module.sections_problem->with_context("module " + module.name +
                                                 ": its section addresses");
  }
  return debuginfo::ModuleDebugInfo::open(module.name, path, module.build_id,
                                          module.section_addresses, config_.open);
}

Result<const debuginfo::ModuleDebugInfo*> ModuleDebugInfos::load(
    std::string_view module_name) const {
  VMSCOPE_TRY(const std::vector<LoadedModuleInfo>* modules, this->modules());
  const std::string wanted = debuginfo::DebugFileFinder::normalize_module_name(module_name);
  const LoadedModuleInfo* module = nullptr;
  for (const LoadedModuleInfo& m : *modules) {
    if (debuginfo::DebugFileFinder::normalize_module_name(m.name) == wanted) module = &m;
  }
  if (!module) {
    return Error(ErrorCode::kNotFound,
                 "no module named '" + std::string(module_name) + "' is loaded in this dump",
                 {.name = std::string(module_name)});
  }
  Slot* slot = nullptr;
  {
    std::lock_guard lock(slots_mutex_);
    auto& entry = slots_[wanted];
    if (!entry) entry = std::make_unique<Slot>();
    slot = entry.get();
  }
  std::call_once(slot->once, [&] {
    auto opened = open_module(*module);
    if (opened.ok()) {
      slot->info = std::move(opened).value();
    } else {
      slot->error = std::move(opened).error();
    }
  });
  if (slot->error) return *slot->error;
  return static_cast<const debuginfo::ModuleDebugInfo*>(slot->info.get());
}

Result<const debuginfo::ModuleDebugInfo*> ModuleDebugInfos::load_for_address(
    std::uint64_t runtime_address) const {
  VMSCOPE_TRY(const std::vector<LoadedModuleInfo>* modules, this->modules());
  for (const LoadedModuleInfo& m : *modules) {
    // Only the module whose memory holds the address is loaded; without regions (a target
    // that did not say), any module with a section at or below it is a candidate.
    bool maybe = false;
    for (const debuginfo::AddressRange& region : m.regions) {
      if (region.contains(runtime_address)) maybe = true;
    }
    if (m.regions.empty()) {
      for (const auto& [name, address] : m.section_addresses) {
        if (address <= runtime_address) maybe = true;
      }
    }
    if (!maybe) continue;
    auto info = load(m.name);
    if (info.ok() && (*info)->contains(runtime_address)) return info;
  }
  return Error(ErrorCode::kNotFound, "no loaded module with debug info holds this address",
               {.address = runtime_address});
}

std::vector<const debuginfo::ModuleDebugInfo*> ModuleDebugInfos::load_all() const {
  std::vector<const debuginfo::ModuleDebugInfo*> out;
  auto modules = this->modules();
  if (!modules.ok()) return out;
  for (const LoadedModuleInfo& m : **modules) {
    auto info = load(m.name);
    if (info.ok()) out.push_back(*info);
  }
  return out;
}

}  // namespace vmscope
