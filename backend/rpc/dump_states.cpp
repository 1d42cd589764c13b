#include "rpc/dump_states.h"

#include <algorithm>

namespace vmscope::rpc {

Result<const SymbolCatalog*> DumpState::catalog(const Program& program) {
  std::lock_guard lock(mutex_);
  if (catalog_) return catalog_.get();
  // The vmlinux's .symtab, plus what only the kernel's own tables in memory have (names
  // stripped from the vmlinux, every module's symbols, everything when there is no vmlinux).
  std::unique_ptr<SymbolCatalog> names;
  std::optional<Error> symtab_error;
  if (const debuginfo::DebugInfo* debug = program.debug_info()) {
    auto loaded = SymbolCatalog::load(debug->elf().path());
    if (loaded.ok()) {
      names = std::move(loaded).value();
    } else {
      symtab_error = std::move(loaded).error();
    }
  }
  auto kernel = program.kernel_symbols();
  if (kernel.ok()) {
    std::vector<std::string_view> extra;
    extra.reserve((*kernel)->size());
    for (std::size_t i = 0; i < (*kernel)->size(); ++i) extra.push_back((*kernel)->symbol(i).name);
    names = SymbolCatalog::merge(std::move(names), extra);
  }
  if (!names) {
    return Error(
        ErrorCode::kNotFound,
        "symbol names need the vmlinux's symbol table or the kernel's kallsyms in memory (" +
            (symtab_error ? symtab_error->message() + "; " : std::string()) +
            kernel.error().message() + ")",
        {.name = "vmlinux"});
  }
  catalog_ = std::move(names);
  return catalog_.get();
}

Result<const kernel::StackTracer*> DumpState::module_symbols(const Program& program) {
  std::lock_guard lock(mutex_);
  if (tracer_) return tracer_.get();
  if (tracer_error_) return *tracer_error_;
  auto tracer = kernel::StackTracer::create(program, {.load_modules = true, .load_cfi = false});
  if (!tracer.ok()) {
    tracer_error_ = tracer.error();
    return tracer.error();
  }
  tracer_ = std::move(tracer).value();
  return tracer_.get();
}

Result<DumpStates::Entry> DumpStates::get(const std::string& dump_id) {
  auto dump = sessions_.get(dump_id);
  std::lock_guard lock(mutex_);
  forget_closed_locked();
  if (!dump.ok()) {
    if (slots_.erase(dump_id) != 0) closed_.push_back(dump_id);
    if (was_closed_locked(dump_id)) {
      return Error(ErrorCode::kNotFound,
                   "dump " + dump_id +
                       " was closed: its value handles are gone; open the dump again and "
                       "evaluate again",
                   {.name = dump_id});
    }
    return dump.error();
  }
  Slot& slot = slots_[dump_id];
  if (!slot.state || slot.target.lock() != dump->target) {
    slot = Slot{dump->target, std::make_shared<DumpState>()};
  }
  return Entry{std::move(dump).value(), slot.state};
}

std::size_t DumpStates::size() const {
  std::lock_guard lock(mutex_);
  return slots_.size();
}

void DumpStates::forget_closed_locked() {
  for (auto it = slots_.begin(); it != slots_.end();) {
    if (it->second.target.expired() || !sessions_.get(it->first).ok()) {
      closed_.push_back(it->first);
      it = slots_.erase(it);
    } else {
      ++it;
    }
  }
  while (closed_.size() > kRememberClosed) closed_.pop_front();
}

bool DumpStates::was_closed_locked(const std::string& dump_id) const {
  return std::find(closed_.begin(), closed_.end(), dump_id) != closed_.end();
}

}  // namespace vmscope::rpc
