#include "program/kernel_symbols.h"

#include <algorithm>
#include <cstdio>

namespace vmscope {
namespace {

int binding_strength(char type) {
  switch (type) {
    case 'w':
    case 'W':
    case 'v':
    case 'V': return 1;
    default: return type >= 'A' && type <= 'Z' ? 2 : 0;
  }
}

}  // namespace

debuginfo::SymbolKind KernelSymbol::kind() const {
  switch (type) {
    case 't':
    case 'T':
    case 'w':
    case 'W': return debuginfo::SymbolKind::kFunction;
    case 'd':
    case 'D':
    case 'b':
    case 'B':
    case 'r':
    case 'R':
    case 'v':
    case 'V': return debuginfo::SymbolKind::kObject;
    default: return debuginfo::SymbolKind::kNone;
  }
}

debuginfo::SymbolBinding KernelSymbol::binding() const {
  switch (binding_strength(type)) {
    case 2: return debuginfo::SymbolBinding::kGlobal;
    case 1: return debuginfo::SymbolBinding::kWeak;
    default: return debuginfo::SymbolBinding::kLocal;
  }
}

std::string KernelSymbolOffset::to_string() const {
  std::string text(symbol.name);
  if (offset != 0) {
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "+0x%llx", static_cast<unsigned long long>(offset));
    text += buffer;
  }
  if (!symbol.module.empty()) text += " [" + std::string(symbol.module) + "]";
  return text;
}

std::unique_ptr<KernelSymbols> KernelSymbols::build(KallsymsTable kernel, ModulesKallsyms modules,
                                                    std::string source) {
  std::unique_ptr<KernelSymbols> out(new KernelSymbols());
  out->source_ = std::move(source);
  out->addressing_ = kernel.addressing;
  out->problems_ = std::move(modules.problems);
  out->kernel_count_ = kernel.symbols.size();
  std::size_t total = kernel.symbols.size();
  for (const auto& m : modules.modules) total += m.symbols.size();
  out->entries_.reserve(total);

  std::optional<std::uint64_t> stext, end;
  for (auto& s : kernel.symbols) {
    if (s.name == "_stext") stext = s.address;
    if (s.name == "_end") end = s.address;
    out->entries_.push_back({std::move(s.name), s.address, 0, s.type, -1});
  }
  if (stext && end && *stext < *end) out->kernel_range_ = debuginfo::AddressRange{*stext, *end + 1};

  // Kernel symbols by address; a symbol's size runs to the next higher address.
  auto& by_address = out->by_address_;
  by_address.resize(out->kernel_count_);
  for (std::uint32_t i = 0; i < by_address.size(); ++i) by_address[i] = i;
  auto& entries = out->entries_;
  std::stable_sort(by_address.begin(), by_address.end(), [&](std::uint32_t a, std::uint32_t b) {
    return entries[a].address < entries[b].address;
  });
  for (std::size_t i = 0; i < by_address.size();) {
    std::size_t j = i;
    while (j < by_address.size() &&
           entries[by_address[j]].address == entries[by_address[i]].address)
      ++j;
    const std::uint64_t next = j < by_address.size() ? entries[by_address[j]].address : 0;
    for (std::size_t k = i; k < j; ++k) {
      Entry& e = entries[by_address[k]];
      e.size = next > e.address ? next - e.address : 0;
    }
    i = j;
  }

  for (auto& m : modules.modules) {
    Module module;
    module.name = std::move(m.name);
    module.ranges = std::move(m.ranges);
    const auto index = static_cast<std::int32_t>(out->modules_.size());
    for (std::size_t i = 0; i < m.symbols.size(); ++i) {
      module.by_address.push_back(static_cast<std::uint32_t>(entries.size()));
      entries.push_back({std::move(m.symbols[i].name), m.symbols[i].address,
                         i < m.sizes.size() ? m.sizes[i] : 0, m.symbols[i].type, index});
    }
    std::stable_sort(
        module.by_address.begin(), module.by_address.end(),
        [&](std::uint32_t a, std::uint32_t b) { return entries[a].address < entries[b].address; });
    out->modules_.push_back(std::move(module));
  }

  auto& by_name = out->by_name_;
  by_name.resize(entries.size());
  for (std::uint32_t i = 0; i < by_name.size(); ++i) by_name[i] = i;
  std::sort(by_name.begin(), by_name.end(), [&](std::uint32_t a, std::uint32_t b) {
    const Entry& x = entries[a];
    const Entry& y = entries[b];
    if (int c = x.name.compare(y.name); c != 0) return c < 0;
    const int sx = binding_strength(x.type), sy = binding_strength(y.type);
    if (sx != sy) return sx > sy;
    return a < b;  // kernel before modules, then table order
  });
  return out;
}

KernelSymbol KernelSymbols::symbol_of(const Entry& e) const {
  KernelSymbol s;
  s.name = e.name;
  s.address = e.address;
  s.size = e.size;
  s.type = e.type;
  if (e.module >= 0) s.module = modules_[static_cast<std::size_t>(e.module)].name;
  return s;
}

std::optional<KernelSymbol> KernelSymbols::find(std::string_view name) const {
  auto it = std::lower_bound(by_name_.begin(), by_name_.end(), name,
                             [&](std::uint32_t i, std::string_view key) {
                               return std::string_view(entries_[i].name) < key;
                             });
  if (it == by_name_.end() || entries_[*it].name != name) return std::nullopt;
  return symbol_of(entries_[*it]);
}

std::vector<KernelSymbol> KernelSymbols::find_all(std::string_view name) const {
  std::vector<KernelSymbol> out;
  auto it = std::lower_bound(by_name_.begin(), by_name_.end(), name,
                             [&](std::uint32_t i, std::string_view key) {
                               return std::string_view(entries_[i].name) < key;
                             });
  for (; it != by_name_.end() && entries_[*it].name == name; ++it) {
    out.push_back(symbol_of(entries_[*it]));
  }
  return out;
}

std::optional<KernelSymbolOffset> KernelSymbols::symbolize_in_module(const Module& module,
                                                                     std::uint64_t address) const {
  const auto& order = module.by_address;
  auto it =
      std::upper_bound(order.begin(), order.end(), address,
                       [&](std::uint64_t a, std::uint32_t i) { return a < entries_[i].address; });
  if (it == order.begin()) return std::nullopt;
  const std::uint64_t best = entries_[*std::prev(it)].address;
  // The first in table order among symbols at that address (the sort is stable).
  auto first = std::lower_bound(order.begin(), it, best, [&](std::uint32_t i, std::uint64_t a) {
    return entries_[i].address < a;
  });
  KernelSymbolOffset found{symbol_of(entries_[*first]), address - best};
  if (found.symbol.size == 0) {
    std::uint64_t next = 0;
    if (it != order.end()) next = entries_[*it].address;
    for (const auto& range : module.ranges) {
      if (range.contains(address) && (next == 0 || range.end < next)) next = range.end;
    }
    if (next > best) found.symbol.size = next - best;
  }
  return found;
}

std::optional<KernelSymbolOffset> KernelSymbols::symbolize(std::uint64_t address) const {
  for (const Module& module : modules_) {
    for (const auto& range : module.ranges) {
      if (range.contains(address)) return symbolize_in_module(module, address);
    }
  }
  if (kernel_range_ && !kernel_range_->contains(address)) return std::nullopt;
  auto it =
      std::upper_bound(by_address_.begin(), by_address_.end(), address,
                       [&](std::uint64_t a, std::uint32_t i) { return a < entries_[i].address; });
  if (it == by_address_.begin()) return std::nullopt;
  const std::uint64_t best = entries_[*std::prev(it)].address;
  auto first =
      std::lower_bound(by_address_.begin(), it, best,
                       [&](std::uint32_t i, std::uint64_t a) { return entries_[i].address < a; });
  return KernelSymbolOffset{symbol_of(entries_[*first]), address - best};
}

}  // namespace vmscope
