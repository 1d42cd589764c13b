// Wire shape of symbols for `symbols/lookup` and `symbols/search` (protocol-spec/openrpc.json's
// Symbol schema): {name, address, size, kind, binding} with the address a hex string and the
// size in bytes; an address lookup adds {offset, text: "name+0x1c"}, and {module} when the
// symbol is a loaded module's. Symbols from the kernel's own tables in memory (kallsyms, the
// modules' symtabs) say {source: "kallsyms"}, and carry a size only where one is known.
#pragma once

#include <string>

#include "debuginfo/symbol_table.h"
#include "program/kernel_symbols.h"
#include "rpc/json.h"

namespace vmscope::rpc {

Json symbol_json(const debuginfo::Symbol& symbol);
Json symbol_offset_json(const debuginfo::SymbolOffset& found);
// A module's code symbol as the kernel's own kallsyms know it: no size, kind "func".
Json module_symbol_json(const std::string& name, std::uint64_t address, std::uint64_t offset,
                        const std::string& module);
Json kernel_symbol_json(const KernelSymbol& symbol);
Json kernel_symbol_offset_json(const KernelSymbolOffset& found);

}  // namespace vmscope::rpc
