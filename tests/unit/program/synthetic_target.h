// Test support for the program layer: a tiny "target" whose virtual addresses are its physical
// addresses (an identity translator over SparsePhysicalMemory), with helpers to plant bytes,
// and a NameLookup over hand-made tables of types, variables, functions and enumerators.
#pragma once

#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "debuginfo/type.h"
#include "program/name_lookup.h"
#include "testing/sparse_physical_memory.h"

namespace vmscope::testing {

class IdentityTranslator : public AddressTranslator {
 public:
  Result<Translation> translate(std::uint64_t vaddr) const override {
    // Addresses above 2^48 are unmapped, so tests can point at garbage.
    if (vaddr >> 48) {
      return Error(ErrorCode::kAddressNotMapped, "no translation", {.address = vaddr, .level = 4});
    }
    return Translation{vaddr, 4096};
  }
};

class SyntheticTarget {
 public:
  SyntheticTarget() : memory_(physical_, translator_) {}
  const VirtualMemory& memory() const { return memory_; }
  const VirtualMemory* memory_ptr() const { return &memory_; }
  SparsePhysicalMemory& physical() { return physical_; }

  void write(std::uint64_t address, const void* data, std::size_t size) {
    physical_.write(address, data, size);
  }
  template <typename T>
  void put(std::uint64_t address, T value) {
    physical_.write(address, &value, sizeof value);
  }
  void put_string(std::uint64_t address, const std::string& text) {
    physical_.write(address, text.c_str(), text.size() + 1);
  }

 private:
  SparsePhysicalMemory physical_;
  IdentityTranslator translator_;
  VirtualMemory memory_;
};

// Self-referential structs without reference cycles (which leak-checkers flag): each struct is
// lazy, and its members are built afresh on load by a builder that may call make() again, so
// `struct list_head *next` points at a new lazy `struct list_head` loaded only when used.
class LazyStructs : public debuginfo::MemberSource,
                    public std::enable_shared_from_this<LazyStructs> {
 public:
  using Builder = std::function<std::vector<debuginfo::Member>(const LazyStructs&)>;

  static std::shared_ptr<LazyStructs> create() {
    return std::shared_ptr<LazyStructs>(new LazyStructs());
  }

  void define(std::uint64_t key, Builder builder) { builders_[key] = std::move(builder); }
  debuginfo::TypeRef make(debuginfo::TypeKind kind, std::string tag, std::uint64_t size,
                          std::uint64_t key) const {
    return debuginfo::Type::make_lazy_compound(kind, std::move(tag), size, weak_from_this(), key);
  }
  Result<std::vector<debuginfo::Member>> load_members(std::uint64_t key) const override {
    auto it = builders_.find(key);
    if (it == builders_.end()) return Error(ErrorCode::kInternal, "no such lazy struct");
    return it->second(*this);
  }

 private:
  LazyStructs() = default;
  std::map<std::uint64_t, Builder> builders_;
};

// Names resolved from tables filled by the test.
class TableLookup : public NameLookup {
 public:
  std::map<std::string, debuginfo::QualifiedType, std::less<>> types;
  std::map<std::string, debuginfo::Variable, std::less<>> variables;
  std::map<std::string, debuginfo::Function, std::less<>> functions;
  std::map<std::string, debuginfo::Constant, std::less<>> constants;

  void add_variable(const std::string& name, debuginfo::QualifiedType type, std::uint64_t address) {
    variables[name] = debuginfo::Variable{name, std::move(type), address, false};
  }

  Result<debuginfo::QualifiedType> find_type(std::string_view name) const override {
    return find(types, name, "type");
  }
  Result<debuginfo::Variable> find_variable(std::string_view name) const override {
    return find(variables, name, "variable");
  }
  Result<debuginfo::Function> find_function(std::string_view name) const override {
    return find(functions, name, "function");
  }
  Result<debuginfo::Constant> find_constant(std::string_view name) const override {
    return find(constants, name, "enumerator");
  }

 private:
  template <typename Map>
  static Result<typename Map::mapped_type> find(const Map& map, std::string_view name,
                                                const char* what) {
    auto it = map.find(name);
    if (it == map.end()) {
      return Error(ErrorCode::kNotFound,
                   std::string("no ") + what + " named '" + std::string(name) + "'",
                   {.name = std::string(name)});
    }
    return it->second;
  }
};

}  // namespace vmscope::testing
