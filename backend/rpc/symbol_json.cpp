#include "rpc/symbol_json.h"

#include "rpc/wire_values.h"

namespace vmscope::rpc {
namespace {

std::string text_of(const std::string& name, std::uint64_t offset) {
  return offset ? name + "+" + hex_u64(offset) : name;
}

}  // namespace

Json symbol_json(const debuginfo::Symbol& symbol) {
  return {{"name", std::string(symbol.name)},
          {"address", hex_u64(symbol.address)},
          {"size", symbol.size},
          {"kind", std::string(debuginfo::symbol_kind_name(symbol.kind))},
          {"binding", std::string(debuginfo::symbol_binding_name(symbol.binding))}};
}

Json symbol_offset_json(const debuginfo::SymbolOffset& found) {
  Json j = symbol_json(found.symbol);
  j["offset"] = found.offset;
  j["text"] = found.to_string();
  return j;
}

Json module_symbol_json(const std::string& name, std::uint64_t address, std::uint64_t offset,
                        const std::string& module) {
  return {{"name", name},
          {"address", hex_u64(address)},
          {"kind", "func"},
          {"offset", offset},
          {"text", text_of(name, offset) + " [" + module + "]"},
          {"module", module}};
}

Json kernel_symbol_json(const KernelSymbol& symbol) {
  Json j = {{"name", std::string(symbol.name)},
            {"address", hex_u64(symbol.address)},
            {"kind", std::string(debuginfo::symbol_kind_name(symbol.kind()))},
            {"binding", std::string(debuginfo::symbol_binding_name(symbol.binding()))},
            {"source", "kallsyms"}};
  if (symbol.size != 0) j["size"] = symbol.size;
  if (!symbol.module.empty()) j["module"] = std::string(symbol.module);
  return j;
}

Json kernel_symbol_offset_json(const KernelSymbolOffset& found) {
  Json j = kernel_symbol_json(found.symbol);
  j["offset"] = found.offset;
  j["text"] = found.to_string();
  return j;
}

}  // namespace vmscope::rpc
