#include "program/program.h"

#include <string>

#include "dump/vmcoreinfo.h"

namespace vmscope {
namespace {

Result<std::unique_ptr<KernelSymbols>> read_kernel_symbols(const Program& program) {
  // The tables' addresses: VMCOREINFO's SYMBOL(kallsyms_*) where the kernel wrote them, else
  // the vmlinux's symbol table.
  Result<KallsymsLocations> where =
      Error(ErrorCode::kNotFound, "kallsyms: the dump has no VMCOREINFO", {.name = "VMCOREINFO"});
  if (const auto& text = program.dump().notes().vmcoreinfo) {
    const Vmcoreinfo info = Vmcoreinfo::parse(*text);
    where = locate_kallsyms(
        [&](std::string_view name) -> std::optional<std::uint64_t> {
          auto address = info.symbol(name);
          return address.ok() ? std::optional<std::uint64_t>(*address) : std::nullopt;
        },
        "VMCOREINFO");
  }
  const debuginfo::DebugInfo* debug = program.debug_info();
  if (!where.ok() && debug) {
    auto from_symtab = locate_kallsyms(
        [&](std::string_view name) -> std::optional<std::uint64_t> {
          auto symbol = debug->symbols().find(name);
          return symbol ? std::optional<std::uint64_t>(symbol->address) : std::nullopt;
        },
        "vmlinux symbols");
    if (from_symtab.ok() || where.error().code() == ErrorCode::kNotFound) where = from_symtab;
  }
  if (!where.ok()) return std::move(where).error();
  VMSCOPE_TRY(KallsymsTable table, read_kallsyms(program.memory(), *where));
  ModulesKallsyms modules;
  if (debug) {
    auto read = read_module_kallsyms(program.memory(), *debug);
    if (read.ok()) {
      modules = std::move(read).value();
    } else {
      modules.problems.push_back("module symbols: " + read.error().message());
    }
  } else {
    modules.problems.push_back("module symbols: need the vmlinux's debug info (struct module)");
  }
  return KernelSymbols::build(std::move(table), std::move(modules), where->source);
}

}  // namespace

Result<const debuginfo::DebugInfo*> Program::require_debug_info(std::string_view what) const {
  if (debug_info_) return debug_info_.get();
  return Error(ErrorCode::kNotFound,
               std::string(what) +
                   " needs the kernel's debug info: open the dump with a vmlinux "
                   "(or a debug directory holding it)",
               {.name = "vmlinux"});
}

Result<const KernelSymbols*> Program::kernel_symbols() const {
  std::call_once(kernel_symbols_once_, [&] {
    auto built = read_kernel_symbols(*this);
    if (built.ok()) {
      kernel_symbols_ = std::move(built).value();
    } else {
      kernel_symbols_error_ = std::move(built).error();
    }
  });
  if (kernel_symbols_) return static_cast<const KernelSymbols*>(kernel_symbols_.get());
  return *kernel_symbols_error_;
}

}  // namespace vmscope
