#include "kernel/module_sections.h"

#include <algorithm>
#include <filesystem>

#include "debuginfo/type_layout.h"
#include "kernel/modules.h"

namespace vmscope::kernel {
namespace {

// A module has a few dozen allocated sections; the kernel's count is untrusted.
constexpr std::uint32_t kMaxSections = 1024;
constexpr std::size_t kMaxSectionName = 256;

}  // namespace

Result<ModuleSectionsLayout> ModuleSectionsLayout::resolve(const debuginfo::DebugInfo& debug) {
  ModuleSectionsLayout l;
  VMSCOPE_TRY(FieldResolver module, FieldResolver::find(debug, "struct module"));
  l.sect_attrs = module.optional("sect_attrs");
  if (!l.sect_attrs.present()) {
    return Error(ErrorCode::kUnsupported,
                 "this kernel keeps no module section addresses (struct module has no "
                 "sect_attrs: CONFIG_KALLSYMS or CONFIG_SYSFS is off)",
                 {.name = "module.sect_attrs"});
  }
  VMSCOPE_TRY(FieldResolver attrs, FieldResolver::find(debug, "struct module_sect_attrs"));
  VMSCOPE_TRY(l.nsections, attrs.required("nsections"));
  // attrs[] is a flexible array: it has an offset but no size.
  VMSCOPE_TRY(l.attrs, debuginfo::offset_of(attrs.type(), "attrs"));
  VMSCOPE_TRY(FieldResolver attr, FieldResolver::find(debug, "struct module_sect_attr"));
  VMSCOPE_TRY(l.attr_size, attr.size());
  VMSCOPE_TRY(l.name, attr.required("battr.attr.name"));
  VMSCOPE_TRY(l.address, attr.required("address"));
  return l;
}

Result<std::map<std::string, std::uint64_t>> read_module_sections(const VirtualMemory& memory,
                                                                  const ModuleSectionsLayout& l,
                                                                  std::uint64_t module_address) {
  VMSCOPE_TRY(std::uint64_t attrs, memory.read_u64(module_address + l.sect_attrs.offset));
  if (attrs == 0) {
    return Error(ErrorCode::kNotFound, "the module has no section attributes (sect_attrs is NULL)",
                 {.address = module_address, .name = "sect_attrs"});
  }
  VMSCOPE_TRY(std::uint32_t count, memory.read_u32(attrs + l.nsections.offset));
  if (count > kMaxSections) {
    return Error(ErrorCode::kCorrupt,
                 "module_sect_attrs.nsections is " + std::to_string(count) + " (at most " +
                     std::to_string(kMaxSections) + " expected)",
                 {.address = attrs});
  }
  ByteSpan span;
  span.add(l.name);
  span.add(l.address);
  std::map<std::string, std::uint64_t> sections;
  for (std::uint32_t i = 0; i < count; ++i) {
    VMSCOPE_TRY(StructWindow attr,
                StructWindow::read(memory, attrs + l.attrs + i * l.attr_size, span));
    VMSCOPE_TRY(std::string name, memory.read_c_string(attr.value(l.name), kMaxSectionName));
    sections.emplace(std::move(name), attr.value(l.address));
  }
  return sections;
}

Result<std::vector<LoadedModuleInfo>> list_loaded_modules_for_debug(
    const VirtualMemory& memory, const debuginfo::DebugInfo& debug) {
  VMSCOPE_TRY(ModuleLayout module_layout, ModuleLayout::resolve(debug));
  VMSCOPE_TRY(ModuleList list, list_modules(memory, module_layout, {}, CancellationToken()));
  auto sections_layout = ModuleSectionsLayout::resolve(debug);
  std::vector<LoadedModuleInfo> out;
  for (KernelModule& m : list.modules) {
    LoadedModuleInfo info;
    info.name = m.name;
    info.build_id = std::move(m.build_id);
    for (const ModuleRegion& region : m.regions) {
      info.regions.push_back({region.base, region.base + region.size});
    }
    if (!sections_layout.ok()) {
      info.sections_problem = sections_layout.error();
    } else {
      auto sections = read_module_sections(memory, *sections_layout, m.address);
      if (sections.ok()) {
        info.section_addresses = std::move(sections).value();
      } else {
        info.sections_problem = sections.error();
      }
    }
    out.push_back(std::move(info));
  }
  return out;
}

std::string module_debug_directory(const std::string& debug_dir, const std::string& vmlinux_path) {
  namespace fs = std::filesystem;
  if (!debug_dir.empty()) return debug_dir;
  if (vmlinux_path.empty()) return "";
  const fs::path dir = fs::path(vmlinux_path).parent_path();
  fs::path root;
  if (dir.filename() == "boot") {
    root = dir.parent_path();
  } else if (dir.parent_path().filename() == "modules" &&
             dir.parent_path().parent_path().filename() == "lib") {
    root = dir.parent_path().parent_path().parent_path();
  }
  std::error_code error;
  if (root.empty() || !fs::is_directory(root / "lib" / "modules", error)) return "";
  return root.string();
}

ModuleDebugConfig linux_module_debug_config(const std::string& debug_dir,
                                            const std::string& vmlinux_path,
                                            std::string kernel_release,
                                            const debuginfo::IndexOpenOptions& index) {
  ModuleDebugConfig config;
  config.list = list_loaded_modules_for_debug;
  config.debug_dir = module_debug_directory(debug_dir, vmlinux_path);
  config.kernel_release = std::move(kernel_release);
  config.open.index = index;
  return config;
}

}  // namespace vmscope::kernel
