#include "kernel/modules.h"

#include <algorithm>
#include <cstring>

#include "debuginfo/type_layout.h"
#include "support/hex.h"

namespace vmscope::kernel {
namespace {

constexpr std::size_t kMaxModules = 1u << 16;
constexpr std::uint32_t kMaxNotes = 64;
constexpr std::uint64_t kMaxNoteBytes = 4096;
constexpr std::uint32_t kNtGnuBuildId = 3;

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Enumerators of an enum type, value -> name.
std::vector<std::pair<std::uint64_t, std::string>> enumerators_of(
    const debuginfo::QualifiedType& type) {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  for (const auto& e : type->underlying().enumerators()) out.emplace_back(e.value, e.name);
  return out;
}

Status resolve_memory(const debuginfo::DebugInfo& debug, const FieldResolver& module,
                      ModuleLayout& l) {
  if (module.has("mem")) {
    VMSCOPE_TRY(Field mem, module.required("mem"));
    l.mem = mem.offset;
    VMSCOPE_TRY(FieldResolver memory, FieldResolver::find(debug, "struct module_memory"));
    VMSCOPE_TRY(l.mem_stride, memory.size());
    VMSCOPE_TRY(l.mem_base, memory.required("base"));
    VMSCOPE_TRY(l.mem_size, memory.required("size"));
    VMSCOPE_TRY(debuginfo::QualifiedType types, debug.find_type("enum mod_mem_type"));
    for (const auto& [value, name] : enumerators_of(types)) {
      if (name == "MOD_MEM_NUM_TYPES") continue;
      // MOD_TEXT -> "text", MOD_INIT_TEXT -> "init_text".
      l.mem_types.emplace_back(lowercase(std::string_view(name).substr(4)),
                               static_cast<std::uint32_t>(value));
      if (name == "MOD_INIT_TEXT") l.mod_init_text = static_cast<std::uint32_t>(value);
    }
    if (l.mod_init_text == 0) {
      return Error(ErrorCode::kUnsupported, "enum mod_mem_type has no MOD_INIT_TEXT",
                   {.name = "MOD_INIT_TEXT"});
    }
    const Field last{.offset = mem.offset, .size = static_cast<std::uint32_t>(mem.size)};
    l.module_span.add(last);
    return ok_status();
  }
  if (module.has("core_layout")) {
    VMSCOPE_TRY(l.core_base, module.required("core_layout.base"));
    VMSCOPE_TRY(l.core_size, module.required("core_layout.size"));
    l.core_text_size = module.optional("core_layout.text_size");
    l.core_ro_size = module.optional("core_layout.ro_size");
  } else {
    VMSCOPE_TRY(l.core_base, module.required("module_core"));
    VMSCOPE_TRY(l.core_size, module.required("core_size"));
    l.core_text_size = module.optional("core_text_size");
    l.core_ro_size = module.optional("core_ro_size");
  }
  for (const Field& f : {l.core_base, l.core_size, l.core_text_size, l.core_ro_size}) {
    l.module_span.add(f);
  }
  return ok_status();
}

void resolve_notes(const debuginfo::DebugInfo& debug, const FieldResolver& module,
                   ModuleLayout& l) {
  l.notes_attrs = module.optional("notes_attrs");
  if (!l.notes_attrs.present()) return;
  auto attrs = FieldResolver::find(debug, "struct module_notes_attrs");
  auto bin = FieldResolver::find(debug, "struct bin_attribute");
  if (!attrs.ok() || !bin.ok()) {
    l.notes_attrs = {};
    return;
  }
  l.notes_count = attrs->optional("notes");
  // attrs[] is a flexible array: it has an offset but no size.
  auto array = debuginfo::offset_of(attrs->type(), "attrs");
  l.bin_attribute_size = bin->size().value_or(0);
  l.attr_name = bin->optional("attr.name");
  l.attr_size = bin->optional("size");
  l.attr_private = bin->optional("private");
  if (!array.ok() || !l.notes_count.present() || l.bin_attribute_size == 0 ||
      !l.attr_name.present() || !l.attr_size.present() || !l.attr_private.present()) {
    l.notes_attrs = {};
    return;
  }
  l.notes_array = *array;
  l.module_span.add(l.notes_attrs);
}

void resolve_taint_flags(const debuginfo::DebugInfo& debug, ModuleLayout& l) {
  auto flags = debug.find_variable("taint_flags");
  if (!flags.ok()) return;
  const debuginfo::Type& array = flags->type->underlying();
  if (array.kind() != debuginfo::TypeKind::kArray || !array.length()) return;
  FieldResolver flag(array.target());
  l.taint_flag_size = flag.size().value_or(0);
  l.taint_c_true = flag.optional("c_true");
  l.taint_module = flag.optional("module");
  if (l.taint_flag_size == 0 || !l.taint_c_true.present()) return;
  l.taint_flags = flags->address;
  l.taint_flags_count = static_cast<std::uint32_t>(std::min<std::uint64_t>(*array.length(), 64));
}

}  // namespace

Result<ModuleLayout> ModuleLayout::resolve(const debuginfo::DebugInfo& debug) {
  ModuleLayout l;
  VMSCOPE_TRY(l.list_head, ListHeadLayout::resolve(debug));
  VMSCOPE_TRY(debuginfo::Variable modules, debug.find_variable("modules"));
  l.modules = modules.address;
  VMSCOPE_TRY(FieldResolver module, FieldResolver::find(debug, "struct module"));
  VMSCOPE_TRY(l.list, module.required("list"));
  VMSCOPE_TRY(l.name, module.required("name"));
  VMSCOPE_TRY(l.state, module.required("state"));
  l.taints = module.optional("taints");
  l.refcnt = module.optional("refcnt.counter");
  if (!l.refcnt.present()) l.refcnt = module.optional("refcnt");
  for (const Field& f : {l.list, l.name, l.state, l.taints, l.refcnt}) l.module_span.add(f);
  VMSCOPE_CHECK(resolve_memory(debug, module, l));
  VMSCOPE_TRY(debuginfo::QualifiedType state_type, module.member_type("state"));
  l.states = enumerators_of(state_type);
  resolve_notes(debug, module, l);
  resolve_taint_flags(debug, l);
  return l;
}

std::vector<std::uint8_t> find_gnu_build_id(std::span<const std::byte> notes) {
  auto u32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    std::memcpy(&v, notes.data() + at, 4);
    return v;
  };
  auto align4 = [](std::uint64_t n) { return (n + 3) & ~std::uint64_t{3}; };
  std::size_t at = 0;
  while (at + 12 <= notes.size()) {
    const std::uint64_t namesz = u32(at), descsz = u32(at + 4), type = u32(at + 8);
    const std::uint64_t name_at = at + 12;
    const std::uint64_t desc_at = name_at + align4(namesz);
    const std::uint64_t next = desc_at + align4(descsz);
    if (next > notes.size() || desc_at + descsz > notes.size()) break;
    const char* name = reinterpret_cast<const char*>(notes.data() + name_at);
    if (type == kNtGnuBuildId && namesz == 4 && std::memcmp(name, "GNU", 4) == 0 && descsz > 0) {
      const auto* desc = reinterpret_cast<const std::uint8_t*>(notes.data() + desc_at);
      return std::vector<std::uint8_t>(desc, desc + descsz);
    }
    at = static_cast<std::size_t>(next);
  }
  return {};
}

namespace {

// Each bit of mod->taints is an index into taint_flags[]; modules print c_true.
std::string taint_letters(const VirtualMemory& memory, const ModuleLayout& l,
                          std::uint64_t taints) {
  std::string letters;
  if (!l.taint_flags || taints == 0) return letters;
  ByteSpan span;
  span.add(l.taint_c_true);
  span.add(l.taint_module);
  for (std::uint32_t bit = 0; bit < l.taint_flags_count && bit < 64; ++bit) {
    if (!((taints >> bit) & 1)) continue;
    auto flag = StructWindow::read(memory, *l.taint_flags + bit * l.taint_flag_size, span);
    if (!flag.ok()) continue;
    letters.push_back(static_cast<char>(flag->value(l.taint_c_true)));
  }
  return letters;
}

std::vector<std::uint8_t> module_build_id(const VirtualMemory& memory, const ModuleLayout& l,
                                          std::uint64_t notes_attrs) {
  if (notes_attrs == 0) return {};
  auto count = memory.read_u32(notes_attrs + l.notes_count.offset);
  if (!count.ok()) return {};
  ByteSpan span;
  for (const Field& f : {l.attr_name, l.attr_size, l.attr_private}) span.add(f);
  for (std::uint32_t i = 0; i < std::min(*count, kMaxNotes); ++i) {
    auto attr =
        StructWindow::read(memory, notes_attrs + l.notes_array + i * l.bin_attribute_size, span);
    if (!attr.ok()) continue;
    auto name = memory.read_c_string(attr->value(l.attr_name), 64);
    if (!name.ok() || *name != ".note.gnu.build-id") continue;
    const std::uint64_t size = std::min(attr->value(l.attr_size), kMaxNoteBytes);
    std::vector<std::byte> bytes(size);
    if (!memory.read(attr->value(l.attr_private), bytes).ok()) continue;
    return find_gnu_build_id(bytes);
  }
  return {};
}

}  // namespace

Result<ModuleList> list_modules(const VirtualMemory& memory, const ModuleLayout& l,
                                const ModuleListOptions& options, const CancellationToken& cancel) {
  ModuleList out;
  VMSCOPE_TRY(ListWalk walk, walk_list(memory, l.modules, l.list_head.next, l.list_head.prev,
                                       cancel, {.max_nodes = kMaxModules}));
  if (walk.stopped) out.problems.push_back(walk.stopped->with_context("walking `modules`"));
  for (std::uint64_t node : walk.nodes) {
    VMSCOPE_CHECK(cancel.check());
    const std::uint64_t address = node - l.list.offset;
    auto window = StructWindow::read(memory, address, l.module_span);
    if (!window.ok()) {
      out.problems.push_back(
          window.error().with_context("reading struct module at " + hex_u64(address)));
      continue;
    }
    KernelModule m;
    m.address = address;
    m.name = window->string(l.name);
    const std::uint64_t state = window->value(l.state);
    m.state = "unknown state " + std::to_string(state);
    for (const auto& [value, name] : l.states) {
      if (value == state) m.state = name;
    }
    m.taints = window->value(l.taints);
    m.taint_letters = taint_letters(memory, l, m.taints);
    if (l.refcnt.present()) m.refcnt = static_cast<std::int32_t>(window->value(l.refcnt));
    if (l.mem) {
      for (const auto& [kind, index] : l.mem_types) {
        Field base = l.mem_base, size = l.mem_size;
        base.offset += *l.mem + index * l.mem_stride;
        size.offset += *l.mem + index * l.mem_stride;
        ModuleRegion region{kind, window->value(base), window->value(size)};
        if (kind == "text") m.base = region.base;
        if (index < l.mod_init_text) m.size += region.size;
        if (region.size != 0) m.regions.push_back(std::move(region));
      }
    } else {
      m.base = window->value(l.core_base);
      m.size = window->value(l.core_size);
      if (l.core_text_size.present()) m.text_size = window->value(l.core_text_size);
      if (l.core_ro_size.present()) m.ro_size = window->value(l.core_ro_size);
      m.regions.push_back({"core", m.base, m.size});
    }
    if (l.notes_attrs.present()) {
      m.build_id = module_build_id(memory, l, window->value(l.notes_attrs));
    }
    if (options.finder) {
      auto found = options.finder->find_module(m.name, m.build_id, options.kernel_release);
      if (found.ok()) m.debug_file = *found;
    }
    out.modules.push_back(std::move(m));
  }
  return out;
}

Result<ModuleList> list_modules(const VirtualMemory& memory, const KernelLayouts& layouts,
                                const ModuleListOptions& options, const CancellationToken& cancel) {
  VMSCOPE_TRY(const ModuleLayout* layout, layouts.modules());
  return list_modules(memory, *layout, options, cancel);
}

}  // namespace vmscope::kernel
