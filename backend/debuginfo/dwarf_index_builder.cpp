#include "debuginfo/dwarf_index_builder.h"

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>
#include <unordered_map>

#include "debuginfo/dwarf_file.h"
#include "debuginfo/primitive_type_names.h"

namespace vmscope::debuginfo {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Unit {
  Dwarf_Off offset;      // of the unit header
  Dwarf_Off die_offset;  // of the unit DIE
  std::uint64_t size;    // bytes, for balancing chunks
};

// ---- per-name groups, deduplicated. Names are string_views into the worker's libdw mapping.

// Folds repeats of one type definition (same size and declaration line) across CUs.
struct TypeDefinition {
  std::uint64_t die = 0;
  std::uint64_t size = 0;
  std::uint64_t line = 0;
  bool operator==(const TypeDefinition& o) const { return size == o.size && line == o.line; }
};
struct TypeGroup {
  std::vector<TypeDefinition> definitions;
  std::optional<std::uint64_t> declaration;
};
struct TypeKey {
  TypeTag tag;
  std::string_view name;
  bool operator==(const TypeKey&) const = default;
};
struct TypeKeyHash {
  std::size_t operator()(const TypeKey& k) const {
    return std::hash<std::string_view>()(k.name) * 31 + static_cast<std::size_t>(k.tag);
  }
};

struct VariableDefinition {
  std::uint64_t die = 0;
  std::uint64_t address = 0;
  bool operator==(const VariableDefinition& o) const { return address == o.address; }
};
struct VariableGroup {
  std::vector<VariableDefinition> definitions;
  std::optional<std::uint64_t> declaration;
};

struct FunctionRange {
  std::uint64_t die = 0;
  std::uint64_t low = 0, high = 0;
  bool operator==(const FunctionRange& o) const { return low == o.low && high == o.high; }
};
struct FunctionGroup {
  std::vector<FunctionRange> definitions;
  std::optional<std::uint64_t> declaration;
};

struct EnumeratorValue {
  std::uint64_t enum_die = 0;
  std::uint64_t value = 0;
  bool is_signed = false;
  bool operator==(const EnumeratorValue& o) const {
    return value == o.value && is_signed == o.is_signed;
  }
};

template <typename T>
void add_unique(std::vector<T>& list, const T& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

// Everything one worker (or the merge) has seen. Maps keep first-seen order in `*_order` so the
// output does not depend on hash iteration order.
struct Collected {
  std::unordered_map<TypeKey, TypeGroup, TypeKeyHash> types;
  std::vector<TypeKey> type_order;
  std::unordered_map<std::string_view, VariableGroup> variables;
  std::vector<std::string_view> variable_order;
  std::unordered_map<std::string_view, FunctionGroup> functions;
  std::vector<std::string_view> function_order;
  std::unordered_map<std::string_view, std::vector<EnumeratorValue>> enumerators;
  std::vector<std::string_view> enumerator_order;

  TypeGroup& type(TypeKey key) {
    auto [it, inserted] = types.try_emplace(key);
    if (inserted) type_order.push_back(key);
    return it->second;
  }
  VariableGroup& variable(std::string_view name) {
    auto [it, inserted] = variables.try_emplace(name);
    if (inserted) variable_order.push_back(name);
    return it->second;
  }
  FunctionGroup& function(std::string_view name) {
    auto [it, inserted] = functions.try_emplace(name);
    if (inserted) function_order.push_back(name);
    return it->second;
  }
  std::vector<EnumeratorValue>& enumerator(std::string_view name) {
    auto [it, inserted] = enumerators.try_emplace(name);
    if (inserted) enumerator_order.push_back(name);
    return it->second;
  }

  // Appends `other` (a later chunk of CUs) after what is here.
  void merge(const Collected& other) {
    for (const TypeKey& key : other.type_order) {
      const TypeGroup& from = other.types.at(key);
      TypeGroup& to = type(key);
      for (const auto& d : from.definitions) add_unique(to.definitions, d);
      if (!to.declaration) to.declaration = from.declaration;
    }
    for (std::string_view name : other.variable_order) {
      const VariableGroup& from = other.variables.at(name);
      VariableGroup& to = variable(name);
      for (const auto& d : from.definitions) add_unique(to.definitions, d);
      if (!to.declaration) to.declaration = from.declaration;
    }
    for (std::string_view name : other.function_order) {
      const FunctionGroup& from = other.functions.at(name);
      FunctionGroup& to = function(name);
      for (const auto& d : from.definitions) add_unique(to.definitions, d);
      if (!to.declaration) to.declaration = from.declaration;
    }
    for (std::string_view name : other.enumerator_order) {
      auto& to = enumerator(name);
      for (const auto& e : other.enumerators.at(name)) add_unique(to, e);
    }
  }
};

std::optional<TypeTag> indexed_type_tag(int dwarf_tag) {
  switch (dwarf_tag) {
    case DW_TAG_structure_type: return TypeTag::kStruct;
    case DW_TAG_union_type: return TypeTag::kUnion;
    case DW_TAG_class_type: return TypeTag::kClass;
    case DW_TAG_enumeration_type: return TypeTag::kEnum;
    case DW_TAG_typedef: return TypeTag::kTypedef;
    case DW_TAG_base_type: return TypeTag::kBase;
    default: return std::nullopt;
  }
}

bool has_true_flag(Dwarf_Die* die, unsigned int name) {
  Dwarf_Attribute attr;
  bool value = false;
  return dwarf_attr(die, name, &attr) && dwarf_formflag(&attr, &value) == 0 && value;
}

std::optional<std::uint64_t> udata_attribute(Dwarf_Die* die, unsigned int name) {
  Dwarf_Attribute attr;
  Dwarf_Word value = 0;
  if (!dwarf_attr(die, name, &attr) || dwarf_formudata(&attr, &value) != 0) return std::nullopt;
  return value;
}

// The name through DW_AT_specification / DW_AT_abstract_origin (definitions of declared
// variables, out-of-line copies of inline functions).
const char* integrated_name(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  if (!dwarf_attr_integrate(die, DW_AT_name, &attr)) return nullptr;
  return dwarf_formstring(&attr);
}

// A DW_OP_addr (or DW_OP_addrx) location: the variable's link-time address.
std::optional<std::uint64_t> static_address(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  if (!dwarf_attr(die, DW_AT_location, &attr)) return std::nullopt;
  Dwarf_Op* ops = nullptr;
  size_t count = 0;
  if (dwarf_getlocation(&attr, &ops, &count) != 0 || count != 1) return std::nullopt;
  if (ops[0].atom == DW_OP_addr) return ops[0].number;
  if (ops[0].atom == DW_OP_addrx || ops[0].atom == DW_OP_GNU_addr_index) {
    Dwarf_Attribute address_attr;
    Dwarf_Addr address = 0;
    if (dwarf_getlocation_attr(&attr, &ops[0], &address_attr) == 0 &&
        dwarf_formaddr(&address_attr, &address) == 0) {
      return address;
    }
  }
  return std::nullopt;
}

void index_enumerators(Dwarf_Die* enum_die, std::uint64_t enum_offset, Collected& out,
                       std::uint64_t& visited) {
  Dwarf_Die child;
  if (dwarf_child(enum_die, &child) != 0) return;
  do {
    ++visited;
    if (dwarf_tag(&child) != DW_TAG_enumerator) continue;
    const char* name = dwarf_diename(&child);
    Dwarf_Attribute attr;
    if (!name || !dwarf_attr(&child, DW_AT_const_value, &attr)) continue;
    EnumeratorValue value{enum_offset, 0, false};
    unsigned int form = dwarf_whatform(&attr);
    if (form == DW_FORM_sdata || form == DW_FORM_implicit_const) {
      Dwarf_Sword s = 0;
      if (dwarf_formsdata(&attr, &s) != 0) continue;
      value.value = static_cast<std::uint64_t>(s);
      value.is_signed = true;
    } else {
      Dwarf_Word u = 0;
      if (dwarf_formudata(&attr, &u) != 0) continue;
      value.value = u;
    }
    add_unique(out.enumerator(name), value);
  } while (dwarf_siblingof(&child, &child) == 0);
}

void index_die(Dwarf_Die* die, Collected& out, std::uint64_t& visited) {
  ++visited;
  const int tag = dwarf_tag(die);
  if (auto type_tag = indexed_type_tag(tag)) {
    const char* raw_name = dwarf_diename(die);
    const std::uint64_t offset = dwarf_dieoffset(die);
    if (tag == DW_TAG_enumeration_type) index_enumerators(die, offset, out, visited);
    if (!raw_name) return;
    std::string_view name = raw_name;
    if (*type_tag == TypeTag::kBase) name = canonical_type_spelling(name);
    TypeGroup& group = out.type(TypeKey{*type_tag, name});
    if (has_true_flag(die, DW_AT_declaration)) {
      if (!group.declaration) group.declaration = offset;
      return;
    }
    int line = 0;
    dwarf_decl_line(die, &line);
    add_unique(group.definitions,
               TypeDefinition{offset, udata_attribute(die, DW_AT_byte_size).value_or(UINT64_MAX),
                              static_cast<std::uint64_t>(line)});
    return;
  }
  if (tag == DW_TAG_variable) {
    const char* name = integrated_name(die);
    if (!name) return;
    const std::uint64_t offset = dwarf_dieoffset(die);
    if (auto address = static_address(die)) {
      add_unique(out.variable(name).definitions, VariableDefinition{offset, *address});
    } else if (has_true_flag(die, DW_AT_declaration)) {
      VariableGroup& group = out.variable(name);
      if (!group.declaration) group.declaration = offset;
    }
    return;
  }
  if (tag == DW_TAG_subprogram) {
    const char* name = integrated_name(die);
    if (!name) return;
    const std::uint64_t offset = dwarf_dieoffset(die);
    if (has_true_flag(die, DW_AT_declaration)) {
      FunctionGroup& group = out.function(name);
      if (!group.declaration) group.declaration = offset;
      return;
    }
    Dwarf_Addr base = 0, start = 0, end = 0;
    std::ptrdiff_t next = 0;
    FunctionGroup* group = nullptr;
    while ((next = dwarf_ranges(die, next, &base, &start, &end)) > 0) {
      if (start >= end) continue;
      if (!group) group = &out.function(name);
      add_unique(group->definitions, FunctionRange{offset, start, end});
    }
  }
}

struct WorkerResult {
  std::unique_ptr<DwarfFile> file;  // keeps the names' storage mapped
  Collected collected;
  std::uint64_t visited = 0;
  std::optional<Error> error;
};

void run_worker(const std::string& path, std::span<const Unit> units, WorkerResult& result) {
  auto file = DwarfFile::open(path);
  if (!file.ok()) {
    result.error = file.error();
    return;
  }
  result.file = std::move(file).value();
  Dwarf* dwarf = result.file->dwarf();
  for (const Unit& unit : units) {
    Dwarf_Die unit_die;
    if (!dwarf_offdie(dwarf, unit.die_offset, &unit_die)) continue;
    // Type units and partial units (dwz) are not walked: Debian's kernels have neither.
    if (dwarf_tag(&unit_die) != DW_TAG_compile_unit) continue;
    Dwarf_Die child;
    if (dwarf_child(&unit_die, &child) != 0) continue;
    do {
      index_die(&child, result.collected, result.visited);
    } while (dwarf_siblingof(&child, &child) == 0);
  }
}

// Splits `units` into `parts` contiguous chunks of about equal bytes.
std::vector<std::span<const Unit>> split_units(const std::vector<Unit>& units, unsigned parts) {
  std::uint64_t total = 0;
  for (const Unit& u : units) total += u.size;
  std::vector<std::span<const Unit>> chunks;
  std::size_t begin = 0;
  std::uint64_t acc = 0;
  for (unsigned p = 0; p < parts; ++p) {
    std::uint64_t target = total * (p + 1) / parts;
    std::size_t end = begin;
    while (end < units.size() && (acc < target || p + 1 == parts)) acc += units[end++].size;
    chunks.emplace_back(units.data() + begin, end - begin);
    begin = end;
  }
  return chunks;
}

}  // namespace

Result<std::shared_ptr<const DwarfIndex>> build_dwarf_index(const std::string& path,
                                                            const IndexBuildOptions& options,
                                                            IndexBuildStats* stats) {
  const auto start = Clock::now();
  VMSCOPE_TRY(auto main_file, DwarfFile::open(path));
  const ElfFile& elf = main_file->elf();

  std::vector<Unit> units;
  Dwarf_Off offset = 0, next = 0;
  size_t header_size = 0;
  while (dwarf_next_unit(main_file->dwarf(), offset, &next, &header_size, nullptr, nullptr, nullptr,
                         nullptr, nullptr, nullptr) == 0) {
    units.push_back(Unit{offset, offset + header_size, next - offset});
    offset = next;
  }

  unsigned threads = options.threads;
  if (threads == 0) threads = std::clamp(std::thread::hardware_concurrency(), 1u, 2u);
  threads = std::clamp<unsigned>(threads, 1, std::max<std::size_t>(1, units.size()));

  const auto walk_start = Clock::now();
  auto chunks = split_units(units, threads);
  std::vector<WorkerResult> results(chunks.size());
  if (chunks.size() == 1) {
    run_worker(path, chunks[0], results[0]);
  } else {
    std::vector<std::thread> workers;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      workers.emplace_back(run_worker, std::cref(path), chunks[i], std::ref(results[i]));
    }
    for (auto& w : workers) w.join();
  }
  const double walk_seconds = seconds_since(walk_start);

  std::uint64_t visited = 0;
  for (auto& r : results) {
    if (r.error) return r.error->with_context("indexing " + path);
    visited += r.visited;
  }
  Collected& all = results[0].collected;
  for (std::size_t i = 1; i < results.size(); ++i) all.merge(results[i].collected);

  IndexContents contents;
  contents.source = SourceIdentity{elf.build_id(), elf.file_size(), elf.mtime_ns()};
  for (const TypeKey& key : all.type_order) {
    const TypeGroup& g = all.types.at(key);
    for (const auto& d : g.definitions) {
      contents.types.push_back(IndexedType{key.name, key.tag, false, d.die});
    }
    if (g.definitions.empty() && g.declaration) {
      contents.types.push_back(IndexedType{key.name, key.tag, true, *g.declaration});
    }
  }
  for (std::string_view name : all.variable_order) {
    const VariableGroup& g = all.variables.at(name);
    for (const auto& d : g.definitions) {
      contents.variables.push_back(IndexedVariable{name, d.die, d.address});
    }
    if (g.definitions.empty() && g.declaration) {
      contents.variables.push_back(IndexedVariable{name, *g.declaration, std::nullopt});
    }
  }
  for (std::string_view name : all.function_order) {
    const FunctionGroup& g = all.functions.at(name);
    for (const auto& d : g.definitions) {
      contents.functions.push_back(IndexedFunction{name, d.die, false, d.low, d.high});
    }
    if (g.definitions.empty() && g.declaration) {
      contents.functions.push_back(IndexedFunction{name, *g.declaration, true, 0, 0});
    }
  }
  for (std::string_view name : all.enumerator_order) {
    for (const auto& e : all.enumerators.at(name)) {
      contents.enumerators.push_back(IndexedEnumerator{name, e.enum_die, e.value, e.is_signed});
    }
  }
  VMSCOPE_TRY(auto index, DwarfIndex::from_contents(std::move(contents)));

  if (stats) {
    stats->threads = static_cast<unsigned>(chunks.size());
    stats->units = units.size();
    stats->dies_visited = visited;
    stats->walk_seconds = walk_seconds;
    stats->total_seconds = seconds_since(start);
  }
  return index;
}

}  // namespace vmscope::debuginfo
