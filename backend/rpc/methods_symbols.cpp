#include "rpc/methods_symbols.h"

#include <regex.h>

#include <chrono>
#include <functional>

#include "debuginfo/module_debug_info.h"
#include "rpc/symbol_json.h"
#include "rpc/wire_values.h"

namespace vmscope::rpc {
namespace {

constexpr std::uint64_t kDefaultLimit = 100;
constexpr std::uint64_t kMaxLimit = 1000;
constexpr std::size_t kMaxPatternBytes = 256;
// A scan that takes longer ends its page early; the cursor says where to go on.
constexpr std::chrono::milliseconds kScanBudget{1000};
constexpr std::size_t kCancelCheckEvery = 4096;

Error bad_param(const std::string& field, const std::string& why) {
  return Error(ErrorCode::kInvalidArgument, field + " " + why, {.name = field});
}

// A compiled POSIX extended regular expression. glibc matches without back-references in
// polynomial time, so rejecting "\1".."\9" bounds the cost of each match.
class PosixRegex {
 public:
  static Result<std::unique_ptr<PosixRegex>> compile(const std::string& pattern) {
    for (std::size_t i = 0; i + 1 < pattern.size(); ++i) {
      if (pattern[i] == '\\' && pattern[i + 1] >= '1' && pattern[i + 1] <= '9') {
        return bad_param("query", "may not use back-references (\\1..\\9)");
      }
    }
    std::unique_ptr<PosixRegex> re(new PosixRegex());
    const int rc = regcomp(&re->regex_, pattern.c_str(), REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      char message[256];
      regerror(rc, &re->regex_, message, sizeof message);
      return bad_param("query",
                       std::string("is not a valid extended regular expression: ") + message);
    }
    re->compiled_ = true;
    return re;
  }
  ~PosixRegex() {
    if (compiled_) regfree(&regex_);
  }
  PosixRegex(const PosixRegex&) = delete;
  PosixRegex& operator=(const PosixRegex&) = delete;

  bool matches(std::string_view text) const {
    const std::string copy(text);  // regexec needs a NUL-terminated string
    return regexec(&regex_, copy.c_str(), 0, nullptr, 0) == 0;
  }

 private:
  PosixRegex() = default;
  regex_t regex_{};
  bool compiled_ = false;
};

Result<std::size_t> parse_cursor(const Json& params, std::size_t size) {
  auto text = optional_string(params, "cursor");
  if (!text) {
    if (params.is_object() && params.contains("cursor") && !params["cursor"].is_null()) {
      return bad_param("cursor", "must be a string from a previous page's nextCursor");
    }
    return 0;
  }
  std::size_t position = 0;
  if (text->empty() || text->size() > 12) return bad_param("cursor", "is not a valid cursor");
  for (char c : *text) {
    if (c < '0' || c > '9') return bad_param("cursor", "is not a valid cursor");
    position = position * 10 + static_cast<std::size_t>(c - '0');
  }
  if (position > size) return bad_param("cursor", "is past the end of the symbol list");
  return position;
}

// An address in a loaded module, answered from its debug file: the .ko's ELF symbol placed at
// the module's sections, the DWARF function holding it when the symbol table has none there,
// and the source line. Nothing when the debug file has neither.
std::optional<Json> module_debug_symbol_json(const debuginfo::ModuleDebugInfo& info,
                                             std::uint64_t address) {
  Json j;
  if (auto found = info.symbolize(address)) {
    j = symbol_offset_json(*found);
  } else if (auto function = info.function_at(address)) {
    j = {{"name", function->name},
         {"address", hex_u64(function->entry)},
         {"kind", "func"},
         {"offset", address - function->entry},
         {"text", function->name + (address == function->entry
                                        ? std::string()
                                        : "+" + hex_u64(address - function->entry))}};
  } else {
    return std::nullopt;
  }
  j["text"] = j["text"].get<std::string>() + " [" + info.module_name() + "]";
  j["module"] = info.module_name();
  if (auto line = info.source_location(address); line.ok()) {
    j["file"] = line->file;
    j["line"] = line->line;
  }
  return j;
}

Result<Json> lookup(DumpStates& states, const Json& params) {
  VMSCOPE_TRY(std::string id, required_string(params, "dumpId"));
  const bool by_name = params.is_object() && params.contains("name");
  const bool by_address = params.is_object() && params.contains("address");
  if (by_name == by_address) {
    return Error(ErrorCode::kInvalidArgument, "give exactly one of name and address",
                 {.name = "name"});
  }
  std::optional<std::string> module_name = optional_string(params, "module");
  if (params.is_object() && params.contains("module") &&
      (!module_name || module_name->empty() || !by_name)) {
    return Error(ErrorCode::kInvalidArgument,
                 "module must be a module's name, and goes with name (an address names its module)",
                 {.name = "module"});
  }
  VMSCOPE_TRY(DumpStates::Entry entry, states.get(id));
  const Program& program = entry.dump.target->program();
  const debuginfo::DebugInfo* debug = program.debug_info();
  // The kernel's own tables in memory answer what the vmlinux's .symtab cannot (a stripped or
  // missing vmlinux, module symbols by name).
  // Built on first use per dump (~0.2 s for a distribution kernel), so asked only when needed.
  auto kernel = [&] { return program.kernel_symbols(); };
  if (!debug && !kernel().ok()) {
    return Error(ErrorCode::kNotFound,
                 "symbols need the vmlinux's symbol table or the kernel's kallsyms in memory (" +
                     kernel().error().message() + ")",
                 {.name = "vmlinux"});
  }
  if (by_name) {
    VMSCOPE_TRY(std::string name, required_string(params, "name"));
    if (module_name) {
      VMSCOPE_TRY(const debuginfo::ModuleDebugInfo* info,
                  program.module_debug().load(*module_name));
      if (auto symbol = info->find_symbol(name)) {
        Json j = symbol_json(*symbol);
        j["module"] = info->module_name();
        return j;
      }
      return Error(ErrorCode::kNotFound,
                   "no symbol named " + name + " in module " + info->module_name(), {.name = name});
    }
    if (debug) {
      if (auto symbol = debug->symbols().find(name)) return symbol_json(*symbol);
    }
    if (auto table = kernel(); table.ok()) {
      if (auto symbol = (*table)->find(name)) return kernel_symbol_json(*symbol);
    }
    return Error(ErrorCode::kNotFound,
                 "no symbol named " + name + " in the kernel image or the loaded modules",
                 {.name = name});
  }
  VMSCOPE_TRY(std::uint64_t address, required_address(params, "address"));
  if (debug) {
    if (auto found = debug->symbolize(address)) return symbol_offset_json(*found);
    // A loaded module's code or data with its debug file: the .ko's symbols and line table.
    if (auto module = program.module_debug().load_for_address(address); module.ok()) {
      if (auto found = module_debug_symbol_json(**module, address)) return *found;
    }
    auto tracer = entry.state->module_symbols(program);
    if (tracer.ok()) {
      if (auto symbol = (*tracer)->module_symbol(address)) {
        std::string module;
        for (const auto& info : (*tracer)->modules()) {
          for (const auto& range : info.text) {
            if (range.contains(address)) module = info.name;
          }
        }
        return module_symbol_json(symbol->first, address - symbol->second, symbol->second, module);
      }
    }
  }
  if (auto table = kernel(); table.ok()) {
    if (auto found = (*table)->symbolize(address)) return kernel_symbol_offset_json(*found);
  }
  return Error(ErrorCode::kNotFound, "no symbol contains " + hex_u64(address),
               {.address = address});
}

Result<Json> search(DumpStates& states, const Json& params, const RequestContext& context) {
  VMSCOPE_TRY(std::string id, required_string(params, "dumpId"));
  VMSCOPE_TRY(std::string query, required_string(params, "query"));
  if (params.is_object() && params.contains("mode") && !params["mode"].is_string()) {
    return bad_param("mode", "must be \"prefix\", \"substring\" or \"regex\"");
  }
  const std::string mode = optional_string(params, "mode").value_or("prefix");
  VMSCOPE_TRY(std::uint64_t limit, optional_count(params, "limit", kDefaultLimit, kMaxLimit));
  if (limit == 0) return bad_param("limit", "must be at least 1");
  if (query.size() > kMaxPatternBytes) {
    return bad_param("query", "is longer than " + std::to_string(kMaxPatternBytes) + " bytes");
  }
  std::function<bool(std::string_view)> matches;
  std::unique_ptr<PosixRegex> regex;
  if (mode == "prefix") {
    matches = [&](std::string_view name) { return name.starts_with(query); };
  } else if (mode == "substring") {
    matches = [&](std::string_view name) { return name.find(query) != std::string_view::npos; };
  } else if (mode == "regex") {
    VMSCOPE_TRY(regex, PosixRegex::compile(query));
    matches = [&](std::string_view name) { return regex->matches(name); };
  } else {
    return bad_param("mode", "must be \"prefix\", \"substring\" or \"regex\"");
  }

  VMSCOPE_TRY(DumpStates::Entry entry, states.get(id));
  const Program& program = entry.dump.target->program();
  const debuginfo::DebugInfo* debug = program.debug_info();
  // The catalog holds the names of both sources; a name's symbol is the one symbols/lookup
  // gives: the vmlinux's .symtab first, else the kernel's own tables (source "kallsyms").
  VMSCOPE_TRY(const SymbolCatalog* catalog, entry.state->catalog(program));
  auto kernel = program.kernel_symbols();
  VMSCOPE_TRY(std::size_t position, parse_cursor(params, catalog->size()));
  // A prefix's names are one run of the sorted list: start there, stop after it.
  if (mode == "prefix") position = std::max(position, catalog->lower_bound(query));

  Json symbols = Json::array();
  const auto deadline = std::chrono::steady_clock::now() + kScanBudget;
  std::size_t i = position;
  for (; i < catalog->size() && symbols.size() < limit; ++i) {
    if (i % kCancelCheckEvery == 0) {
      VMSCOPE_CHECK(context.cancel.check());
      if (i != position && std::chrono::steady_clock::now() > deadline) break;
    }
    const std::string_view name = catalog->name(i);
    if (!matches(name)) {
      if (mode == "prefix") {
        i = catalog->size();
        break;
      }
      continue;
    }
    if (debug) {
      if (auto symbol = debug->symbols().find(name)) {
        symbols.push_back(symbol_json(*symbol));
        continue;
      }
    }
    if (kernel.ok()) {
      if (auto symbol = (*kernel)->find(name)) symbols.push_back(kernel_symbol_json(*symbol));
    }
  }
  Json result = {{"symbols", std::move(symbols)}};
  const bool more = i < catalog->size() && (mode != "prefix" || matches(catalog->name(i)));
  if (more) result["nextCursor"] = std::to_string(i);
  return result;
}

}  // namespace

void register_symbol_methods(Dispatcher& dispatcher, std::shared_ptr<DumpStates> states) {
  dispatcher.add("symbols/lookup",
                 [states](const Json& params, const RequestContext&) -> Result<Json> {
                   return lookup(*states, params);
                 });
  dispatcher.add("symbols/search",
                 [states](const Json& params, const RequestContext& context) -> Result<Json> {
                   return search(*states, params, context);
                 });
}

}  // namespace vmscope::rpc
