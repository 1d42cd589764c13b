#include "program/object.h"

#include <cstring>
#include <span>

#include "debuginfo/primitive_type_names.h"
#include "debuginfo/type_layout.h"
#include "debuginfo/type_name.h"
#include "program/standard_types.h"
#include "support/hex.h"

namespace vmscope {

using debuginfo::QualifiedType;
using debuginfo::Type;
using debuginfo::TypeKind;

namespace {

std::string quoted_name(const QualifiedType& type) {
  return "'" + debuginfo::type_name(type) + "'";
}

std::uint64_t load_le(std::span<const std::byte> bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < bytes.size() && i < 8; ++i) {
    value |= static_cast<std::uint64_t>(bytes[i]) << (8 * i);
  }
  return value;
}

void store_le(std::uint64_t value, std::span<std::byte> bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = i < 8 ? static_cast<std::byte>(value >> (8 * i)) : std::byte{0};
  }
}

std::uint64_t truncate_bits(std::uint64_t value, std::uint64_t bits) {
  return bits >= 64 ? value : value & ((1ull << bits) - 1);
}

std::uint64_t sign_extend(std::uint64_t value, std::uint64_t bits) {
  if (bits == 0 || bits >= 64) return value;
  const std::uint64_t sign = 1ull << (bits - 1);
  value = truncate_bits(value, bits);
  return (value ^ sign) - sign;
}

// Copies `bits` bits starting `src_bit` bits into `src` to the start of `dst` (zeroed, at least
// ceil(bits / 8) bytes). Bit i of a little-endian object is bit i % 8 of byte i / 8.
void copy_bits(std::span<const std::byte> src, std::uint64_t src_bit, std::span<std::byte> dst,
               std::uint64_t bits) {
  if (src_bit % 8 == 0) {
    const std::size_t whole = bits / 8;
    std::memcpy(dst.data(), src.data() + src_bit / 8, whole);
    if (bits % 8) {
      const auto last = static_cast<unsigned>(src[src_bit / 8 + whole]);
      dst[whole] = static_cast<std::byte>(last & ((1u << (bits % 8)) - 1));
    }
    return;
  }
  for (std::uint64_t i = 0; i < bits; ++i) {
    const std::uint64_t from = src_bit + i;
    const auto bit = (static_cast<unsigned>(src[from / 8]) >> (from % 8)) & 1u;
    dst[i / 8] |= static_cast<std::byte>(bit << (i % 8));
  }
}

std::uint64_t bytes_for_bits(std::uint64_t bits) {
  return (bits + 7) / 8;
}

// The integer width of a scalar type in bits (its size), for types whose size is known.
std::optional<std::uint64_t> scalar_bits(const Type& u) {
  auto size = u.size();
  if (!size) return std::nullopt;
  return *size * 8;
}

}  // namespace

bool is_integer_like_type(const Type& u) {
  return u.kind() == TypeKind::kInteger || u.kind() == TypeKind::kBool ||
         (u.kind() == TypeKind::kEnum && u.target().type);
}

bool is_scalar_type(const Type& u) {
  return is_integer_like_type(u) || u.kind() == TypeKind::kPointer || u.kind() == TypeKind::kFloat;
}

bool is_character_type(const QualifiedType& type) {
  const Type& u = type->underlying();
  if (u.kind() != TypeKind::kInteger || u.size() != 1u) return false;
  auto primitive = debuginfo::parse_primitive_type(u.name());
  return primitive == debuginfo::PrimitiveType::kChar ||
         primitive == debuginfo::PrimitiveType::kSignedChar ||
         primitive == debuginfo::PrimitiveType::kUnsignedChar;
}

// --- construction

Object Object::reference(const VirtualMemory* memory, QualifiedType type, std::uint64_t address,
                         std::uint8_t bit_offset, std::uint64_t bit_field_size) {
  Object object(memory, std::move(type), Kind::kReference);
  object.address_ = address + bit_offset / 8;
  object.bit_offset_ = bit_offset % 8;
  object.bit_field_size_ = bit_field_size;
  return object;
}

Result<Object> Object::from_bytes(const VirtualMemory* memory, QualifiedType type,
                                  std::vector<std::byte> bytes) {
  auto size = type->size();
  if (!size) {
    return Error(ErrorCode::kTypeError,
                 "a value of type " + quoted_name(type) + " cannot exist: it has no size");
  }
  if (*size != bytes.size()) {
    return Error(ErrorCode::kInternal, "a value of type " + quoted_name(type) + " needs " +
                                           std::to_string(*size) + " bytes, not " +
                                           std::to_string(bytes.size()));
  }
  Object object(memory, std::move(type), Kind::kValue);
  object.bytes_ = std::move(bytes);
  return object;
}

Result<Object> Object::from_integer(const VirtualMemory* memory, QualifiedType type,
                                    std::uint64_t value, std::uint64_t bit_field_size) {
  const Type& u = type->underlying();
  if (!is_integer_like_type(u) && u.kind() != TypeKind::kPointer) {
    return Error(ErrorCode::kTypeError,
                 "an integer cannot be stored in a value of type " + quoted_name(type));
  }
  auto size = u.size();
  if (!size || *size > 8) {
    return Error(ErrorCode::kUnsupported,
                 "integers of type " + quoted_name(type) + " are not supported");
  }
  std::uint64_t bits =
      bit_field_size ? std::min<std::uint64_t>(bit_field_size, *size * 8) : *size * 8;
  if (u.kind() == TypeKind::kBool && !bit_field_size) bits = *size * 8;
  value = u.is_signed() ? sign_extend(value, bits) : truncate_bits(value, bits);
  Object object(memory, std::move(type), Kind::kValue);
  object.bit_field_size_ = bit_field_size;
  object.bytes_.resize(*size);
  store_le(value, object.bytes_);
  return object;
}

Result<Object> Object::from_double(const VirtualMemory* memory, QualifiedType type, double value) {
  const Type& u = type->underlying();
  if (u.kind() != TypeKind::kFloat || (u.size() != 4u && u.size() != 8u)) {
    return Error(ErrorCode::kUnsupported,
                 "floating-point values of type " + quoted_name(type) + " are not supported");
  }
  Object object(memory, std::move(type), Kind::kValue);
  object.bytes_.resize(*u.size());
  if (*u.size() == 4) {
    const auto f = static_cast<float>(value);
    std::memcpy(object.bytes_.data(), &f, 4);
  } else {
    std::memcpy(object.bytes_.data(), &value, 8);
  }
  return object;
}

Object Object::void_value(const VirtualMemory* memory) {
  return Object(memory, unqualified(standard_types().void_type), Kind::kValue);
}

std::optional<std::uint64_t> Object::bit_size() const {
  if (bit_field_size_) return bit_field_size_;
  auto size = type_->size();
  if (!size) return std::nullopt;
  return *size * 8;
}

// --- reading

Status Object::require_memory() const {
  if (memory_) return ok_status();
  return Error(ErrorCode::kInternal, "this object has no memory to read from");
}

Error Object::read_error(const Error& cause) const {
  Error error = cause.with_context("reading " + quoted_name(type_) + " at " + hex_u64(address_));
  if (!error.payload().address) error.payload().address = address_;
  return error;
}

Result<Object> Object::read() const {
  if (!is_reference()) return *this;
  const Type& u = underlying_type();
  if (u.kind() == TypeKind::kVoid || u.kind() == TypeKind::kFunction || !type_->size()) {
    return Error(ErrorCode::kTypeError,
                 "cannot read an object of type " + quoted_name(type_) +
                     (u.kind() == TypeKind::kFunction ? ": it is a function"
                                                      : ": it has no size (void or incomplete)"));
  }
  const std::uint64_t size = *type_->size();
  if (size > kMaxObjectValueBytes) {
    return Error(ErrorCode::kLimitExceeded,
                 "the object of type " + quoted_name(type_) + " is " + std::to_string(size) +
                     " bytes, too large to read whole; read its members or elements",
                 {.address = address_});
  }
  VMSCOPE_CHECK(require_memory());
  const std::uint64_t bits = bit_field_size_ ? bit_field_size_ : size * 8;
  std::vector<std::byte> raw(bytes_for_bits(bit_offset_ + bits));
  Status status = memory_->read(address_, raw);
  if (!status.ok()) return read_error(status.error());
  if (bit_field_size_) {
    if (size > 8) {
      return Error(ErrorCode::kUnsupported,
                   "bit fields of type " + quoted_name(type_) + " are not supported");
    }
    std::vector<std::byte> value(8);
    copy_bits(raw, bit_offset_, value, bits);
    return from_integer(memory_, type_, load_le(value), bit_field_size_);
  }
  Object value(memory_, type_, Kind::kValue);
  if (bit_offset_ == 0) {
    value.bytes_ = std::move(raw);
  } else {
    value.bytes_.resize(size);
    copy_bits(raw, bit_offset_, value.bytes_, bits);
  }
  return value;
}

Result<std::vector<std::byte>> Object::read_bytes() const {
  VMSCOPE_TRY(Object value, read());
  return value.bytes_;
}

Result<std::uint64_t> Object::read_raw_integer() const {
  const Type& u = underlying_type();
  if (u.kind() == TypeKind::kArray || u.kind() == TypeKind::kFunction) {
    VMSCOPE_TRY(Object decayed, decay());
    return decayed.read_raw_integer();
  }
  if (!is_integer_like_type(u) && u.kind() != TypeKind::kPointer) {
    return Error(ErrorCode::kTypeError,
                 "a value of type " + quoted_name(type_) + " is not an integer or pointer");
  }
  auto bits = scalar_bits(u);
  if (!bits || *bits > 64) {
    return Error(ErrorCode::kUnsupported,
                 "integers of type " + quoted_name(type_) + " are not supported");
  }
  VMSCOPE_TRY(Object value, read());
  const std::uint64_t width = bit_field_size_ ? std::min(bit_field_size_, *bits) : *bits;
  return truncate_bits(load_le(value.bytes_), width);
}

Result<std::uint64_t> Object::read_unsigned() const {
  return read_raw_integer();
}

Result<std::int64_t> Object::read_signed() const {
  VMSCOPE_TRY(std::uint64_t raw, read_raw_integer());
  const Type& u = underlying_type();
  if (!u.is_signed() || u.kind() == TypeKind::kPointer) return static_cast<std::int64_t>(raw);
  const std::uint64_t width = bit_field_size_ ? bit_field_size_ : *scalar_bits(u);
  return static_cast<std::int64_t>(sign_extend(raw, width));
}

Result<double> Object::read_double() const {
  const Type& u = underlying_type();
  if (u.kind() != TypeKind::kFloat) {
    if (u.is_signed()) {
      VMSCOPE_TRY(std::int64_t value, read_signed());
      return static_cast<double>(value);
    }
    VMSCOPE_TRY(std::uint64_t value, read_unsigned());
    return static_cast<double>(value);
  }
  if (u.size() != 4u && u.size() != 8u) {
    return Error(ErrorCode::kUnsupported,
                 "floating-point values of type " + quoted_name(type_) + " are not supported");
  }
  VMSCOPE_TRY(Object value, read());
  if (value.bytes_.size() == 4) {
    float f;
    std::memcpy(&f, value.bytes_.data(), 4);
    return static_cast<double>(f);
  }
  double d;
  std::memcpy(&d, value.bytes_.data(), 8);
  return d;
}

Result<std::string> Object::read_c_string(std::size_t max_length) const {
  const Type& u = underlying_type();
  if ((u.kind() != TypeKind::kArray && u.kind() != TypeKind::kPointer) ||
      !is_character_type(u.target())) {
    return Error(ErrorCode::kTypeError, "a value of type " + quoted_name(type_) +
                                            " is not a string (char array or " + "char pointer)");
  }
  if (u.kind() == TypeKind::kArray) {
    std::size_t limit = max_length;
    if (u.length()) limit = static_cast<std::size_t>(std::min<std::uint64_t>(*u.length(), limit));
    if (!is_reference()) {
      std::string text;
      for (std::size_t i = 0; i < limit && i < bytes_.size(); ++i) {
        if (bytes_[i] == std::byte{0}) break;
        text.push_back(static_cast<char>(bytes_[i]));
      }
      return text;
    }
    VMSCOPE_CHECK(require_memory());
    auto text = memory_->read_c_string(address_, limit);
    if (!text.ok()) return read_error(text.error());
    return std::move(text).value();
  }
  VMSCOPE_TRY(std::uint64_t pointer, read_unsigned());
  if (pointer == 0) {
    return Error(ErrorCode::kInvalidArgument, "the string pointer is NULL", {.address = 0});
  }
  VMSCOPE_CHECK(require_memory());
  return memory_->read_c_string(pointer, max_length);
}

// --- navigation

Result<Object> Object::member(std::string_view name) const {
  VMSCOPE_TRY(debuginfo::MemberLocation location, debuginfo::find_member(type_, name));
  auto part = field(location.type, location.bit_offset, location.bit_field_size);
  if (!part.ok()) {
    Error error = std::move(part).error();
    if (!error.payload().name) error.payload().name = std::string(name);
    return error;
  }
  return part;
}

Result<Object> Object::field(const QualifiedType& type, std::uint64_t bit_offset,
                             std::uint64_t bit_field_size) const {
  QualifiedType member_type = type;
  member_type.qualifiers |= debuginfo::underlying(type_).qualifiers;
  if (is_reference()) {
    const std::uint64_t bit = bit_offset_ + bit_offset;
    return reference(memory_, member_type, address_ + bit / 8, static_cast<std::uint8_t>(bit % 8),
                     bit_field_size);
  }
  if (bit_field_size) {
    if (bit_offset + bit_field_size > bytes_.size() * 8) {
      return Error(ErrorCode::kInternal, "bit field outside its value");
    }
    std::vector<std::byte> value(8);
    copy_bits(bytes_, bit_offset, value, bit_field_size);
    return from_integer(memory_, member_type, load_le(value), bit_field_size);
  }
  auto size = member_type->size();
  if (!size) {
    return Error(ErrorCode::kTypeError, "a member of type " + quoted_name(member_type) +
                                            " has no size; it exists only in memory");
  }
  if (bit_offset + *size * 8 > bytes_.size() * 8) {
    return Error(ErrorCode::kInternal, "member outside its value");
  }
  std::vector<std::byte> value(*size);
  copy_bits(bytes_, bit_offset, value, *size * 8);
  return from_bytes(memory_, member_type, std::move(value));
}

Result<Object> Object::arrow(std::string_view name) const {
  const Type& u = underlying_type();
  if (u.kind() != TypeKind::kPointer && u.kind() != TypeKind::kArray) {
    return Error(
        ErrorCode::kTypeError,
        "'->' needs a pointer, but the value is of type " + quoted_name(type_) + "; use '.'",
        {.name = std::string(name)});
  }
  VMSCOPE_TRY(Object target, dereference());
  return target.member(name);
}

Result<Object> Object::subscript(std::int64_t index) const {
  const Type& u = underlying_type();
  if (u.kind() != TypeKind::kArray && u.kind() != TypeKind::kPointer) {
    return Error(ErrorCode::kTypeError,
                 quoted_name(type_) + " is not an array or pointer; it cannot be subscripted");
  }
  QualifiedType element = u.target();
  auto element_size = element->size();
  if (!element_size) {
    return Error(ErrorCode::kTypeError,
                 "cannot subscript: the element type " + quoted_name(element) + " has no size");
  }
  const std::uint64_t offset = static_cast<std::uint64_t>(index) * *element_size;
  if (u.kind() == TypeKind::kPointer) {
    VMSCOPE_TRY(std::uint64_t pointer, read_unsigned());
    return reference(memory_, element, pointer + offset);
  }
  element.qualifiers |= debuginfo::underlying(type_).qualifiers;
  if (is_reference()) return reference(memory_, element, address_ + offset, bit_offset_);
  if (index < 0 || !u.length() || static_cast<std::uint64_t>(index) >= *u.length()) {
    return Error(ErrorCode::kInvalidArgument, "index " + std::to_string(index) +
                                                  " is outside the array value of type " +
                                                  quoted_name(type_));
  }
  std::vector<std::byte> value(bytes_.begin() + static_cast<std::ptrdiff_t>(offset),
                               bytes_.begin() + static_cast<std::ptrdiff_t>(offset) +
                                   static_cast<std::ptrdiff_t>(*element_size));
  return from_bytes(memory_, element, std::move(value));
}

Result<Object> Object::dereference() const {
  const Type& u = underlying_type();
  if (u.kind() == TypeKind::kArray) return subscript(0);
  if (u.kind() == TypeKind::kFunction) return *this;
  if (u.kind() != TypeKind::kPointer) {
    return Error(ErrorCode::kTypeError,
                 "cannot dereference a value of type " + quoted_name(type_) + ": not a pointer");
  }
  if (u.target()->underlying().kind() == TypeKind::kVoid) {
    return Error(ErrorCode::kTypeError,
                 "cannot dereference " + quoted_name(type_) + ": cast it to a typed pointer");
  }
  VMSCOPE_TRY(std::uint64_t pointer, read_unsigned());
  return reference(memory_, u.target(), pointer);
}

Result<Object> Object::address_of() const {
  if (!is_reference()) {
    return Error(ErrorCode::kTypeError, "cannot take the address of a value of type " +
                                            quoted_name(type_) + ": it is computed, not in memory");
  }
  if (bit_field_size_ || bit_offset_) {
    return Error(ErrorCode::kTypeError, "cannot take the address of a bit field");
  }
  return from_integer(memory_, pointer_to(type_), address_);
}

Result<Object> Object::decay() const {
  const Type& u = underlying_type();
  if (u.kind() != TypeKind::kArray && u.kind() != TypeKind::kFunction) return *this;
  if (!is_reference()) {
    return Error(ErrorCode::kTypeError, "the " + std::string(debuginfo::type_kind_name(u.kind())) +
                                            " value of type " + quoted_name(type_) +
                                            " is not in memory; it has no address");
  }
  QualifiedType target = u.kind() == TypeKind::kArray ? u.target() : type_;
  if (u.kind() == TypeKind::kArray) target.qualifiers |= debuginfo::underlying(type_).qualifiers;
  return from_integer(memory_, pointer_to(target), address_);
}

Result<Object> Object::cast(const QualifiedType& to) const {
  const Type& target = to->underlying();
  if (target.kind() == TypeKind::kVoid) return void_value(memory_);
  if (!is_scalar_type(target)) {
    return Error(ErrorCode::kTypeError,
                 "cannot cast to " + quoted_name(to) +
                     ": only integer, pointer and floating-point types can be cast to (cast to a "
                     "pointer and dereference instead)",
                 {.name = debuginfo::type_name(to)});
  }
  VMSCOPE_TRY(Object source, decay());
  const Type& from = source.underlying_type();
  if (!is_scalar_type(from)) {
    return Error(ErrorCode::kTypeError,
                 "cannot cast a value of type " + quoted_name(source.type_) + " to " +
                     quoted_name(to) + ": it is not a number or pointer",
                 {.name = debuginfo::type_name(to)});
  }
  if (target.kind() == TypeKind::kFloat || from.kind() == TypeKind::kFloat) {
    VMSCOPE_TRY(double value, source.read_double());
    if (target.kind() == TypeKind::kFloat) return from_double(memory_, to, value);
    if (target.kind() == TypeKind::kBool) return from_integer(memory_, to, value != 0.0);
    if (target.kind() == TypeKind::kPointer) {
      return Error(ErrorCode::kTypeError, "cannot cast a floating-point value to a pointer");
    }
    return from_integer(memory_, to,
                        target.is_signed()
                            ? static_cast<std::uint64_t>(static_cast<std::int64_t>(value))
                            : static_cast<std::uint64_t>(value));
  }
  VMSCOPE_TRY(std::int64_t value, source.read_signed());
  if (target.kind() == TypeKind::kBool) return from_integer(memory_, to, value != 0);
  return from_integer(memory_, to, static_cast<std::uint64_t>(value));
}

Result<Object> Object::reinterpret(const QualifiedType& to) const {
  if (is_reference()) return reference(memory_, to, address_, bit_offset_);
  auto size = to->size();
  if (!size || *size > bytes_.size()) {
    return Error(ErrorCode::kTypeError, "cannot reinterpret a value of type " + quoted_name(type_) +
                                            " as " + quoted_name(to));
  }
  return from_bytes(
      memory_, to,
      std::vector<std::byte>(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(*size)));
}

Result<Object> Object::container_of(const QualifiedType& type, std::string_view designator) const {
  VMSCOPE_TRY(Object pointer, decay());
  if (pointer.underlying_type().kind() != TypeKind::kPointer) {
    return Error(ErrorCode::kTypeError,
                 "container_of needs a pointer, not a value of type " + quoted_name(pointer.type_));
  }
  VMSCOPE_TRY(std::uint64_t offset, debuginfo::offset_of(type, designator));
  VMSCOPE_TRY(std::uint64_t address, pointer.read_unsigned());
  return from_integer(memory_, pointer_to(type), address - offset);
}

}  // namespace vmscope
