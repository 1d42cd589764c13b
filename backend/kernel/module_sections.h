// Where the kernel placed each section of a loaded module, read from the module's sysfs
// section attributes (struct module's sect_attrs -> module_sect_attrs.attrs[i]: the section's
// name in battr.attr.name and its address), as /sys/module/<name>/sections/ shows them and as
// drgn and crash's `mod -s` read them. Only sections with SHF_ALLOC and a non-zero size are
// listed by the kernel; per-CPU data is not among them.
//
// Layouts come from DWARF (struct module, module_sect_attrs, module_sect_attr, bin_attribute);
// a kernel without sect_attrs (CONFIG_KALLSYMS off) gives kUnsupported.
//
// Also: the loaded modules with their section addresses and build-ids — what the program
// layer's ModuleDebugInfos needs to load each module's debug file (program/module_debug.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "debuginfo/debug_info.h"
#include "kernel/kernel_layouts.h"
#include "program/module_debug.h"
#include "support/result.h"

namespace vmscope::kernel {

struct ModuleSectionsLayout {
  Field sect_attrs;             // in struct module
  Field nsections;              // in struct module_sect_attrs
  std::uint64_t attrs = 0;      // offset of module_sect_attrs.attrs[]
  std::uint64_t attr_size = 0;  // sizeof(struct module_sect_attr)
  Field name;                   // module_sect_attr.battr.attr.name
  Field address;                // module_sect_attr.address

  static Result<ModuleSectionsLayout> resolve(const debuginfo::DebugInfo& debug);
};

// Section name -> run-time address of the module whose struct module is at `module_address`.
Result<std::map<std::string, std::uint64_t>> read_module_sections(
    const VirtualMemory& memory, const ModuleSectionsLayout& layout, std::uint64_t module_address);

// Every loaded module (struct module list) with its build-id and section addresses; modules
// whose sections cannot be read are listed with none (their problems in the result's order).
Result<std::vector<LoadedModuleInfo>> list_loaded_modules_for_debug(
    const VirtualMemory& memory, const debuginfo::DebugInfo& debug);

// Where a kernel's module debug files are: `debug_dir` when given, else the root of the -dbg
// layout the vmlinux sits in (<root>/boot/vmlinux-<kver> or <root>/lib/modules/<kver>/vmlinux),
// else none.
std::string module_debug_directory(const std::string& debug_dir, const std::string& vmlinux_path);

// The Program's module configuration for a Linux kernel: modules listed from struct module.
ModuleDebugConfig linux_module_debug_config(const std::string& debug_dir,
                                            const std::string& vmlinux_path,
                                            std::string kernel_release,
                                            const debuginfo::IndexOpenOptions& index);

}  // namespace vmscope::kernel
