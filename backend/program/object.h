// An Object: a typed value of the program, as drgn's Object (libdrgn object.h) models one.
//
// An object has a type (debuginfo::QualifiedType) and is either
//  - a reference: the value lives in the target's memory at an address, possibly starting a few
//    bits into that byte and spanning `bit_field_size` bits (a bit-field member); or
//  - a value: its bytes are held here (a computed result, a literal, a value already read).
//
// Reads are lazy. Making a member, an element or a dereferenced object of a reference reads
// nothing but the pointers on the way (`p->x` reads p, not x); read(), read_unsigned() and
// friends read, and a failed read keeps the dump's precise error (kPageExcluded,
// kAddressNotMapped …) with the faulting virtual address in the payload.
//
// Layout rules are x86_64's: little-endian, 8-byte pointers. Typedefs, qualifiers and enums are
// looked through wherever C looks through them. Arithmetic, comparisons and C's promotions are
// in object_operators.h; this file holds the object itself and the operations that navigate
// (member, subscript, *, &, casts, container_of).
//
// An Object is a small value type, cheap to copy; it points at the VirtualMemory it reads from,
// which must outlive it (a Program owns both). Safe to use from several threads once built.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arch/virtual_memory.h"
#include "debuginfo/type.h"
#include "support/result.h"

namespace vmscope {

// Values larger than this are not copied out of the dump by read(); browse them member by
// member or element by element instead.
inline constexpr std::uint64_t kMaxObjectValueBytes = 16ull << 20;

class Object {
 public:
  // A reference object: `type` stored at `address`, starting `bit_offset` (0–7) bits into that
  // byte; `bit_field_size` is the width of a bit field (0: the whole type).
  static Object reference(const VirtualMemory* memory, debuginfo::QualifiedType type,
                          std::uint64_t address, std::uint8_t bit_offset = 0,
                          std::uint64_t bit_field_size = 0);
  // A value object holding `bytes`, the little-endian image of `type` (exactly its size).
  static Result<Object> from_bytes(const VirtualMemory* memory, debuginfo::QualifiedType type,
                                   std::vector<std::byte> bytes);
  // A value object of an integer, bool, enum or pointer type holding `value`, truncated to the
  // type's width (or to `bit_field_size` bits) and sign-extended back if the type is signed.
  static Result<Object> from_integer(const VirtualMemory* memory, debuginfo::QualifiedType type,
                                     std::uint64_t value, std::uint64_t bit_field_size = 0);
  // A value object of a float or double type.
  static Result<Object> from_double(const VirtualMemory* memory, debuginfo::QualifiedType type,
                                    double value);
  // A value of type void (the result of a cast to void): it has no bytes and cannot be read.
  static Object void_value(const VirtualMemory* memory);

  const debuginfo::QualifiedType& type() const { return type_; }
  // The type with typedefs peeled off.
  const debuginfo::Type& underlying_type() const { return type_->underlying(); }
  bool is_reference() const { return kind_ == Kind::kReference; }
  // The address of a reference object; nullopt for a value.
  std::optional<std::uint64_t> address() const {
    return is_reference() ? std::optional(address_) : std::nullopt;
  }
  std::uint8_t bit_offset() const { return bit_offset_; }
  std::uint64_t bit_field_size() const { return bit_field_size_; }
  // The width in bits of the stored value: the bit-field width, else 8 * sizeof.
  std::optional<std::uint64_t> bit_size() const;
  const VirtualMemory* memory() const { return memory_; }
  // A value object's bytes (empty for references).
  const std::vector<std::byte>& value_bytes() const { return bytes_; }

  // --- reading
  // The object as a value object (reads memory for a reference). kTypeError for void,
  // functions and incomplete types; kLimitExceeded above kMaxObjectValueBytes.
  Result<Object> read() const;
  // The bytes of the object (a bit field: its value's bytes).
  Result<std::vector<std::byte>> read_bytes() const;
  // Integers, bools, enums, pointers (arrays and functions decay to their address): the value's
  // bits zero-extended from its width. kTypeError for other types.
  Result<std::uint64_t> read_unsigned() const;
  // The same, sign-extended when the type is signed.
  Result<std::int64_t> read_signed() const;
  // Floats and doubles; integers are converted.
  Result<double> read_double() const;
  // The text of a char array (up to its first NUL, at most `max_length` bytes) or of the
  // string a char pointer points to. kTypeError for other types.
  Result<std::string> read_c_string(std::size_t max_length) const;

  // --- navigation (lazy for references)
  // A member of a struct/union, found through anonymous members.
  Result<Object> member(std::string_view name) const;
  // The part of this object `bit_offset` bits in, of type `type` (a member as
  // debuginfo::Member describes one, anonymous members included); the container's qualifiers
  // carry over.
  Result<Object> field(const debuginfo::QualifiedType& type, std::uint64_t bit_offset,
                       std::uint64_t bit_field_size) const;
  // `p->name`: dereference a pointer (or an array) to a struct, then member().
  Result<Object> arrow(std::string_view name) const;
  // a[i] for arrays (reference or value) and p[i] for pointers (scaled by the pointee size).
  Result<Object> subscript(std::int64_t index) const;
  // *p. An array dereferences to its first element, a function to itself.
  Result<Object> dereference() const;
  // &x of a reference object that is not a bit field.
  Result<Object> address_of() const;
  // Arrays and functions in memory as pointers to their first element / entry (C's decay);
  // any other object unchanged.
  Result<Object> decay() const;
  // (type)x for scalar target types (integers, bool, enums, pointers, floats) and void.
  Result<Object> cast(const debuginfo::QualifiedType& to) const;
  // The same storage seen as another type (drgn's reinterpret): a reference keeps its address.
  Result<Object> reinterpret(const debuginfo::QualifiedType& to) const;
  // container_of(this, type, designator): this points at `designator` inside a `type`; the
  // result is a `type *` value.
  Result<Object> container_of(const debuginfo::QualifiedType& type,
                              std::string_view designator) const;

 private:
  enum class Kind : std::uint8_t { kReference, kValue };
  Object(const VirtualMemory* memory, debuginfo::QualifiedType type, Kind kind)
      : memory_(memory), type_(std::move(type)), kind_(kind) {}

  Result<std::uint64_t> read_raw_integer() const;  // scalar bits, zero-extended
  Status require_memory() const;
  Error read_error(const Error& cause) const;

  const VirtualMemory* memory_ = nullptr;
  debuginfo::QualifiedType type_;
  Kind kind_;
  std::uint8_t bit_offset_ = 0;
  std::uint64_t address_ = 0;
  std::uint64_t bit_field_size_ = 0;
  std::vector<std::byte> bytes_;
};

// Whether a type (typedefs peeled) is one C reads as a number: integer, bool, enum, pointer or
// float.
bool is_scalar_type(const debuginfo::Type& underlying);
bool is_integer_like_type(const debuginfo::Type& underlying);  // integer, bool, enum
// char, signed char or unsigned char (through typedefs): arrays of them print as strings.
bool is_character_type(const debuginfo::QualifiedType& type);

}  // namespace vmscope
