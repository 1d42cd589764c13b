// Loaded kernel modules, as crash's `mod` and drgn's for_each_module() list them.
//
// The `modules` list holds every struct module (newest first). Where a module's memory is
// depends on the kernel, detected from DWARF:
//   mem[MOD_MEM_NUM_TYPES]  (6.4+) one struct module_memory per kind (text, data, rodata,
//                           ro_after_init, init_*); base is mem[MOD_TEXT].base and the size is
//                           the sum of the kinds before MOD_INIT_TEXT, as crash reports them;
//   core_layout             (4.5–6.3) struct module_layout {base, size, text_size, ro_size};
//   module_core/core_size   (older) the same facts as plain members.
// State is the name of the `enum module_state` enumerator (DWARF); taint letters come from the
// kernel's own `taint_flags[]` table in memory (c_true of each bit set in mod->taints, for the
// flags that apply to modules), so new taint bits need no change here.
//
// The debug file: a module's GNU build-id is read from its ELF notes as the kernel exposes them
// in sysfs (mod->notes_attrs: one bin_attribute per SHT_NOTE section, `private` pointing at the
// note bytes), then DebugFileFinder looks the file up by build-id, falling back to the name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "debuginfo/debug_file_finder.h"
#include "debuginfo/debug_info.h"
#include "kernel/kernel_layouts.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::kernel {

struct ModuleLayout {
  ListHeadLayout list_head;
  std::uint64_t modules = 0;                // address of the `modules` list head
  Field list, name, state, taints, refcnt;  // refcnt optional (CONFIG_MODULE_UNLOAD)
  // Either mem[] ...
  std::optional<std::uint64_t> mem;  // offset of module.mem
  std::uint64_t mem_stride = 0;
  Field mem_base, mem_size;                                      // within struct module_memory
  std::vector<std::pair<std::string, std::uint32_t>> mem_types;  // enum mod_mem_type
  std::uint32_t mod_init_text = 0;  // MOD_INIT_TEXT: kinds from here on are init memory
  // ... or core_layout / module_core.
  Field core_base, core_size, core_text_size, core_ro_size;
  ByteSpan module_span;
  // enum module_state: value -> name.
  std::vector<std::pair<std::uint64_t, std::string>> states;
  // notes_attrs (optional): module_notes_attrs.{notes, attrs}, bin_attribute layout.
  Field notes_attrs, notes_count;
  std::uint64_t notes_array = 0;  // offset of module_notes_attrs.attrs[]
  std::uint64_t bin_attribute_size = 0;
  Field attr_name, attr_size, attr_private;
  // taint_flags[] (optional): address, count, element layout.
  std::optional<std::uint64_t> taint_flags;
  std::uint32_t taint_flags_count = 0;
  std::uint64_t taint_flag_size = 0;
  Field taint_c_true, taint_module;

  static Result<ModuleLayout> resolve(const debuginfo::DebugInfo& debug);
};

struct ModuleRegion {
  std::string kind;  // "text", "data", "rodata", "ro_after_init", "init_text", … or "core"
  std::uint64_t base = 0;
  std::uint64_t size = 0;
};

struct KernelModule {
  std::uint64_t address = 0;  // the struct module
  std::string name;
  std::uint64_t base = 0;  // as crash's `mod` BASE: core base / mem[MOD_TEXT].base
  std::uint64_t size = 0;  // as crash's `mod` SIZE
  std::optional<std::uint64_t> text_size, ro_size;  // core_layout kernels
  std::vector<ModuleRegion> regions;
  std::string state;  // "MODULE_STATE_LIVE", …
  std::uint64_t taints = 0;
  std::string taint_letters;  // e.g. "OE"
  std::optional<std::int32_t> refcnt;
  std::vector<std::uint8_t> build_id;
  std::string debug_file;  // empty when none was found
};

struct ModuleList {
  std::vector<KernelModule> modules;  // in `modules` list order (newest first)
  std::vector<Error> problems;
  bool partial() const { return !problems.empty(); }
};

struct ModuleListOptions {
  // Where to look for debug files; null: do not look.
  const debuginfo::DebugFileFinder* finder = nullptr;
  std::string kernel_release;  // narrows the lookup to lib/modules/<release>
};

Result<ModuleList> list_modules(const VirtualMemory& memory, const ModuleLayout& layout,
                                const ModuleListOptions& options, const CancellationToken& cancel);
Result<ModuleList> list_modules(const VirtualMemory& memory, const KernelLayouts& layouts,
                                const ModuleListOptions& options, const CancellationToken& cancel);

// The GNU build-id in a run of ELF notes (namesz, descsz, type, name, desc; 4-byte aligned).
std::vector<std::uint8_t> find_gnu_build_id(std::span<const std::byte> notes);

}  // namespace vmscope::kernel
