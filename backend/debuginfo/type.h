// The type model: C types as drgn's libdrgn models them (type.h there), built from DWARF by
// dwarf_types.h or by hand (tests, the program layer's casts and literals).
//
// A Type is immutable and shared (TypeRef = shared_ptr<const Type>). Qualifiers are not part of
// a Type but of its use (QualifiedType), as in DWARF and drgn: `const struct list_head` and
// `struct list_head` share one Type. Struct/union/class members may be lazy: a type built from
// DWARF knows its tag, size and completeness at once, and reads its members from the DIE only
// when members() is first called (a task_struct handle costs nothing until it is expanded).
//
// Ownership: a TypeRef made by the make_* functions owns its Type, and a type made by hand owns
// what it links to. Types built from DWARF form cycles (struct list_head *next), so there the
// links are non-owning and an arena owns every type (dwarf_types.h says how long they live).
//
// An object model sits on this: a value is a QualifiedType plus an address or bytes; reading a
// member uses Member::bit_offset / bit_field_size, reading an integer uses size() and
// is_signed(); type_layout.h resolves member paths and offsets.
//
// Threading: a Type may be used from any thread; lazy members are loaded once (std::call_once)
// by the MemberSource, which must itself be thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "support/result.h"

namespace vmscope::debuginfo {

enum class TypeKind : std::uint8_t {
  kVoid,
  kInteger,
  kBool,
  kFloat,
  kPointer,
  kArray,
  kStruct,
  kUnion,
  kClass,
  kEnum,
  kTypedef,
  kFunction,
};

std::string_view type_kind_name(TypeKind kind);

// Bit set of C qualifiers, in drgn's order (which is also the order type names print them).
enum Qualifier : std::uint8_t {
  kConst = 1,
  kVolatile = 2,
  kRestrict = 4,
  kAtomic = 8,
};
using Qualifiers = std::uint8_t;

class Type;
using TypeRef = std::shared_ptr<const Type>;

struct QualifiedType {
  TypeRef type;
  Qualifiers qualifiers = 0;

  const Type* operator->() const { return type.get(); }
  const Type& operator*() const { return *type; }
};

struct Member {
  std::optional<std::string> name;  // nullopt: an anonymous struct/union member
  QualifiedType type;
  std::uint64_t bit_offset = 0;      // from the start of the containing object
  std::uint64_t bit_field_size = 0;  // 0: not a bit field
};

struct Enumerator {
  std::string name;
  std::uint64_t value = 0;  // two's complement; signed if the enum's compatible type is signed

  std::int64_t signed_value() const { return static_cast<std::int64_t>(value); }
};

struct Parameter {
  std::optional<std::string> name;
  QualifiedType type;
};

// Supplies the members of lazily built compound types. `key` is whatever the source gave the
// type when it was made (a DIE offset for DWARF).
class MemberSource {
 public:
  virtual ~MemberSource() = default;
  virtual Result<std::vector<Member>> load_members(std::uint64_t key) const = 0;
};

class Type {
 public:
  // --- construction (all return a new immutable Type)
  static TypeRef make_void();
  static TypeRef make_integer(std::string name, std::uint64_t size, bool is_signed);
  static TypeRef make_bool(std::string name, std::uint64_t size);
  static TypeRef make_float(std::string name, std::uint64_t size);
  static TypeRef make_pointer(QualifiedType target, std::uint64_t size);
  // length nullopt: an array of unknown length (a flexible array member, `extern int a[]`).
  static TypeRef make_array(QualifiedType element, std::optional<std::uint64_t> length);
  // kind: kStruct, kUnion or kClass. size nullopt: an incomplete (declared only) type.
  static TypeRef make_compound(TypeKind kind, std::optional<std::string> tag,
                               std::optional<std::uint64_t> size, std::vector<Member> members);
  // Members come from `source` on first use. The source is held weakly: if it is gone by then,
  // members() fails instead of touching freed debug info.
  static TypeRef make_lazy_compound(TypeKind kind, std::optional<std::string> tag,
                                    std::uint64_t size, std::weak_ptr<const MemberSource> source,
                                    std::uint64_t key);
  // compatible nullptr: an incomplete enum (declared only).
  static TypeRef make_enum(std::optional<std::string> tag, TypeRef compatible,
                           std::vector<Enumerator> enumerators);
  static TypeRef make_typedef(std::string name, QualifiedType aliased);
  static TypeRef make_function(QualifiedType return_type, std::vector<Parameter> parameters,
                               bool is_variadic);

  ~Type();
  Type(const Type&) = delete;
  Type& operator=(const Type&) = delete;

  // --- queries
  TypeKind kind() const { return kind_; }
  // The name of a base type or typedef, the tag of a struct/union/class/enum; empty when
  // anonymous (and for pointers, arrays, functions, void).
  const std::string& name() const { return name_; }
  bool is_anonymous() const { return name_.empty(); }
  // False for void, functions, declared-only compounds/enums, arrays of unknown length, and
  // typedefs of those.
  bool is_complete() const;
  // sizeof in bytes when the type has one (see is_complete()).
  std::optional<std::uint64_t> size() const;
  // Integers, and enums through their compatible type. Bool and others: false.
  bool is_signed() const;
  // Pointer: the pointee. Array: the element. Typedef: the aliased type. Function: the return
  // type. Enum: the compatible integer type (null type for an incomplete enum). Else: null.
  const QualifiedType& target() const { return target_; }
  // Arrays: the number of elements, nullopt if unknown.
  std::optional<std::uint64_t> length() const { return length_; }
  // Struct/union/class members in declaration order; loads lazy members on first call.
  // Error kTypeError for other kinds.
  Result<std::span<const Member>> members() const;
  std::span<const Enumerator> enumerators() const { return enumerators_; }
  std::span<const Parameter> parameters() const { return parameters_; }
  bool is_variadic() const { return is_variadic_; }
  bool is_compound() const {
    return kind_ == TypeKind::kStruct || kind_ == TypeKind::kUnion || kind_ == TypeKind::kClass;
  }
  bool has_lazy_members() const { return lazy_ != nullptr; }

  // The type with typedefs peeled off (the qualifiers met on the way are dropped; the free
  // function underlying(QualifiedType) keeps them).
  const Type& underlying() const;

 private:
  struct Lazy;
  explicit Type(TypeKind kind);

  TypeKind kind_;
  std::string name_;
  std::optional<std::uint64_t> size_;  // integers, floats, pointers, compounds
  bool is_signed_ = false;
  bool is_variadic_ = false;
  QualifiedType target_;
  std::optional<std::uint64_t> length_;
  std::vector<Member> members_;  // eager members
  std::vector<Enumerator> enumerators_;
  std::vector<Parameter> parameters_;
  std::unique_ptr<Lazy> lazy_;  // lazy members
};

// Peels typedefs off, accumulating the qualifiers met on the way (`typedef const int cint;
// volatile cint x;` is a `const volatile int`).
QualifiedType underlying(const QualifiedType& type);

}  // namespace vmscope::debuginfo
