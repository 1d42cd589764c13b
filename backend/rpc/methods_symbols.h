// symbols/lookup and symbols/search: the kernel's ELF symbols by name, by address and by
// pattern. Wire shapes are specified in protocol-spec/openrpc.json (Symbol schema); the JSON
// itself is shaped by rpc/symbol_json.h.
//
// lookup {name} answers from the vmlinux's .symtab (the strongest binding when static symbols
// share a name); lookup {address} finds the containing symbol by drgn's rule
// (debuginfo/symbol_table.h) and, for addresses in a loaded module's code, the module's own
// symbol from its kallsyms in memory. What the .symtab lacks (a stripped vmlinux, no vmlinux at
// all, a module's symbol by name) is answered from the kernel's own tables in memory
// (program/kernel_symbols.h: kallsyms and the modules' symtabs), marked {source: "kallsyms"}.
// search pages through the sorted names: a prefix is a binary search; a substring or a POSIX
// extended regular expression is a scan whose cost is capped (pattern length, no back-references, a
// time budget per call after which the page ends early with a cursor to go on from).
#pragma once

#include <memory>

#include "rpc/dispatcher.h"
#include "rpc/dump_states.h"

namespace vmscope::rpc {

void register_symbol_methods(Dispatcher& dispatcher, std::shared_ptr<DumpStates> states);

}  // namespace vmscope::rpc
