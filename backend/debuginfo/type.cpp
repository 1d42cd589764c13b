#include "debuginfo/type.h"

namespace vmscope::debuginfo {

// Lazily loaded members: loaded once, then read-only. A failed load is remembered too, so a
// broken DIE is reported the same way every time instead of being re-parsed.
struct Type::Lazy {
  std::weak_ptr<const MemberSource> source;
  std::uint64_t key = 0;
  std::once_flag once;
  std::vector<Member> members;
  std::optional<Error> error;
};

Type::Type(TypeKind kind) : kind_(kind) {}
Type::~Type() = default;

std::string_view type_kind_name(TypeKind kind) {
  switch (kind) {
    case TypeKind::kVoid: return "void";
    case TypeKind::kInteger: return "integer";
    case TypeKind::kBool: return "bool";
    case TypeKind::kFloat: return "float";
    case TypeKind::kPointer: return "pointer";
    case TypeKind::kArray: return "array";
    case TypeKind::kStruct: return "struct";
    case TypeKind::kUnion: return "union";
    case TypeKind::kClass: return "class";
    case TypeKind::kEnum: return "enum";
    case TypeKind::kTypedef: return "typedef";
    case TypeKind::kFunction: return "function";
  }
  return "unknown";
}

// std::make_shared cannot reach the private constructor; these helpers can.
TypeRef Type::make_void() {
  return TypeRef(new Type(TypeKind::kVoid));
}

TypeRef Type::make_integer(std::string name, std::uint64_t size, bool is_signed) {
  auto* t = new Type(TypeKind::kInteger);
  t->name_ = std::move(name);
  t->size_ = size;
  t->is_signed_ = is_signed;
  return TypeRef(t);
}

TypeRef Type::make_bool(std::string name, std::uint64_t size) {
  auto* t = new Type(TypeKind::kBool);
  t->name_ = std::move(name);
  t->size_ = size;
  return TypeRef(t);
}

TypeRef Type::make_float(std::string name, std::uint64_t size) {
  auto* t = new Type(TypeKind::kFloat);
  t->name_ = std::move(name);
  t->size_ = size;
  t->is_signed_ = true;
  return TypeRef(t);
}

TypeRef Type::make_pointer(QualifiedType target, std::uint64_t size) {
  auto* t = new Type(TypeKind::kPointer);
  t->target_ = std::move(target);
  t->size_ = size;
  return TypeRef(t);
}

TypeRef Type::make_array(QualifiedType element, std::optional<std::uint64_t> length) {
  auto* t = new Type(TypeKind::kArray);
  t->target_ = std::move(element);
  t->length_ = length;
  return TypeRef(t);
}

TypeRef Type::make_compound(TypeKind kind, std::optional<std::string> tag,
                            std::optional<std::uint64_t> size, std::vector<Member> members) {
  auto* t = new Type(kind);
  t->name_ = tag.value_or("");
  t->size_ = size;
  t->members_ = std::move(members);
  return TypeRef(t);
}

TypeRef Type::make_lazy_compound(TypeKind kind, std::optional<std::string> tag, std::uint64_t size,
                                 std::weak_ptr<const MemberSource> source, std::uint64_t key) {
  auto* t = new Type(kind);
  t->name_ = tag.value_or("");
  t->size_ = size;
  t->lazy_ = std::make_unique<Lazy>();
  t->lazy_->source = std::move(source);
  t->lazy_->key = key;
  return TypeRef(t);
}

TypeRef Type::make_enum(std::optional<std::string> tag, TypeRef compatible,
                        std::vector<Enumerator> enumerators) {
  auto* t = new Type(TypeKind::kEnum);
  t->name_ = tag.value_or("");
  if (compatible) {
    t->is_signed_ = compatible->is_signed();
    t->target_ = QualifiedType{std::move(compatible), 0};
  }
  t->enumerators_ = std::move(enumerators);
  return TypeRef(t);
}

TypeRef Type::make_typedef(std::string name, QualifiedType aliased) {
  auto* t = new Type(TypeKind::kTypedef);
  t->name_ = std::move(name);
  t->target_ = std::move(aliased);
  return TypeRef(t);
}

TypeRef Type::make_function(QualifiedType return_type, std::vector<Parameter> parameters,
                            bool is_variadic) {
  auto* t = new Type(TypeKind::kFunction);
  t->target_ = std::move(return_type);
  t->parameters_ = std::move(parameters);
  t->is_variadic_ = is_variadic;
  return TypeRef(t);
}

bool Type::is_complete() const {
  switch (kind_) {
    case TypeKind::kVoid:
    case TypeKind::kFunction: return false;
    case TypeKind::kArray: return length_.has_value() && target_.type->is_complete();
    case TypeKind::kStruct:
    case TypeKind::kUnion:
    case TypeKind::kClass: return size_.has_value();
    case TypeKind::kEnum: return target_.type != nullptr;
    case TypeKind::kTypedef: return target_.type->is_complete();
    default: return true;
  }
}

std::optional<std::uint64_t> Type::size() const {
  switch (kind_) {
    case TypeKind::kVoid:
    case TypeKind::kFunction: return std::nullopt;
    case TypeKind::kArray: {
      if (!length_) return std::nullopt;
      auto element = target_.type->size();
      if (!element) return std::nullopt;
      return *element * *length_;
    }
    case TypeKind::kEnum: return target_.type ? target_.type->size() : std::nullopt;
    case TypeKind::kTypedef: return target_.type->size();
    default: return size_;
  }
}

bool Type::is_signed() const {
  if (kind_ == TypeKind::kTypedef) return target_.type->is_signed();
  return is_signed_;
}

Result<std::span<const Member>> Type::members() const {
  if (!is_compound()) {
    return Error(ErrorCode::kTypeError,
                 std::string("a ") + std::string(type_kind_name(kind_)) + " type has no members",
                 ErrorPayload{.name = name_.empty() ? std::nullopt : std::optional(name_)});
  }
  if (!lazy_) return std::span<const Member>(members_);
  std::call_once(lazy_->once, [this] {
    auto source = lazy_->source.lock();
    if (!source) {
      lazy_->error = Error(ErrorCode::kInternal,
                           "the debug info of type '" + name_ + "' was closed before use");
      return;
    }
    auto loaded = source->load_members(lazy_->key);
    if (loaded.ok()) {
      lazy_->members = std::move(loaded).value();
    } else {
      lazy_->error = std::move(loaded).error();
    }
  });
  if (lazy_->error) return *lazy_->error;
  return std::span<const Member>(lazy_->members);
}

const Type& Type::underlying() const {
  const Type* t = this;
  // A typedef chain cannot loop (each typedef is made after its target), so this terminates.
  while (t->kind_ == TypeKind::kTypedef) t = t->target_.type.get();
  return *t;
}

QualifiedType underlying(const QualifiedType& type) {
  QualifiedType q = type;
  while (q.type->kind() == TypeKind::kTypedef) {
    Qualifiers outer = q.qualifiers;
    q = q.type->target();
    q.qualifiers |= outer;
  }
  return q;
}

}  // namespace vmscope::debuginfo
