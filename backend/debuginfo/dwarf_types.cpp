#include "debuginfo/dwarf_types.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "debuginfo/primitive_type_names.h"

namespace vmscope::debuginfo {
namespace {

// Deeper nesting than this (pointer to array of typedef of ...) means corrupt or cyclic DWARF.
constexpr int kMaxDepth = 1000;

Error bad_dwarf(std::uint64_t die_offset, const std::string& what) {
  char where[40];
  std::snprintf(where, sizeof(where),
                "DWARF DIE at 0x%llx: ", static_cast<unsigned long long>(die_offset));
  return Error(ErrorCode::kCorrupt, where + what, ErrorPayload{.offset = die_offset});
}

std::uint64_t offset_of(Dwarf_Die* die) {
  return dwarf_dieoffset(die);
}

const char* attribute_name(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  if (!dwarf_attr_integrate(die, DW_AT_name, &attr)) return nullptr;
  return dwarf_formstring(&attr);
}

bool flag(Dwarf_Die* die, unsigned int name) {
  Dwarf_Attribute attr;
  bool value = false;
  return dwarf_attr_integrate(die, name, &attr) && dwarf_formflag(&attr, &value) == 0 && value;
}

std::optional<std::uint64_t> udata(Dwarf_Die* die, unsigned int name) {
  Dwarf_Attribute attr;
  Dwarf_Word value = 0;
  if (!dwarf_attr_integrate(die, name, &attr) || dwarf_formudata(&attr, &value) != 0) {
    return std::nullopt;
  }
  return value;
}

bool is_block_form(unsigned int form) {
  return form == DW_FORM_block1 || form == DW_FORM_block2 || form == DW_FORM_block4 ||
         form == DW_FORM_block || form == DW_FORM_exprloc;
}

std::optional<TypeTag> index_tag(int dwarf_tag) {
  switch (dwarf_tag) {
    case DW_TAG_structure_type: return TypeTag::kStruct;
    case DW_TAG_union_type: return TypeTag::kUnion;
    case DW_TAG_class_type: return TypeTag::kClass;
    case DW_TAG_enumeration_type: return TypeTag::kEnum;
    default: return std::nullopt;
  }
}

}  // namespace

// The recursive DIE-to-type conversion. Every method runs with the DwarfFile lock held.
struct DwarfTypes::Builder {
  const DwarfTypes& self;

  Result<QualifiedType> from_die(Dwarf_Die die, bool can_be_incomplete_array, int depth) {
    if (depth > kMaxDepth) {
      return Error(ErrorCode::kLimitExceeded, "DWARF types nest too deeply",
                   ErrorPayload{.offset = offset_of(&die)});
    }
    // A type-unit reference: follow it to the definition.
    Dwarf_Attribute attr;
    if (dwarf_attr(&die, DW_AT_signature, &attr)) {
      Dwarf_Die target;
      if (!dwarf_formref_die(&attr, &target))
        return bad_dwarf(offset_of(&die), "bad DW_AT_signature");
      die = target;
    }
    // A declared struct/union/enum: use the first definition of that name.
    if (auto tag = index_tag(dwarf_tag(&die));
        tag && self.index_ && flag(&die, DW_AT_declaration)) {
      if (const char* name = attribute_name(&die)) {
        for (const IndexedType& entry : self.index_->find_types(*tag, name)) {
          Dwarf_Die definition;
          if (!entry.is_declaration &&
              dwarf_offdie(self.file_->dwarf(), entry.die_offset, &definition)) {
            die = definition;
            break;
          }
        }
      }
    }
    const std::uint64_t offset = offset_of(&die);
    const std::uint64_t key = offset * 2 + (can_be_incomplete_array ? 1 : 0);
    if (auto it = self.cache_.find(key); it != self.cache_.end()) return it->second;

    Result<QualifiedType> built = build(die, can_be_incomplete_array, depth);
    if (built.ok()) self.cache_.emplace(key, *built);
    return built;
  }

  Result<QualifiedType> type_attribute(Dwarf_Die* die, bool can_be_void,
                                       bool can_be_incomplete_array, int depth) {
    Dwarf_Attribute attr;
    if (!dwarf_attr_integrate(die, DW_AT_type, &attr)) {
      if (can_be_void) return QualifiedType{self.void_, 0};
      return bad_dwarf(offset_of(die), "missing DW_AT_type");
    }
    Dwarf_Die type_die;
    if (!dwarf_formref_die(&attr, &type_die)) return bad_dwarf(offset_of(die), "bad DW_AT_type");
    return from_die(type_die, can_be_incomplete_array, depth + 1);
  }

  Result<QualifiedType> build(Dwarf_Die& die, bool can_be_incomplete_array, int depth) {
    const int tag = dwarf_tag(&die);
    switch (tag) {
      case DW_TAG_const_type: return qualified(die, kConst, can_be_incomplete_array, depth);
      case DW_TAG_volatile_type: return qualified(die, kVolatile, can_be_incomplete_array, depth);
      case DW_TAG_restrict_type: return qualified(die, kRestrict, can_be_incomplete_array, depth);
      case DW_TAG_atomic_type: return qualified(die, kAtomic, can_be_incomplete_array, depth);
      case DW_TAG_base_type: return base_type(die);
      case DW_TAG_structure_type: return compound(die, TypeKind::kStruct);
      case DW_TAG_union_type: return compound(die, TypeKind::kUnion);
      case DW_TAG_class_type: return compound(die, TypeKind::kClass);
      case DW_TAG_enumeration_type: return enumeration(die, depth);
      case DW_TAG_typedef: {
        const char* name = dwarf_diename(&die);
        if (!name) return bad_dwarf(offset_of(&die), "DW_TAG_typedef without a name");
        VMSCOPE_TRY(auto aliased, type_attribute(&die, true, can_be_incomplete_array, depth));
        return QualifiedType{self.adopt(Type::make_typedef(name, std::move(aliased))), 0};
      }
      case DW_TAG_pointer_type: return pointer(die, depth);
      case DW_TAG_array_type: return array(die, can_be_incomplete_array, depth);
      case DW_TAG_subroutine_type:
      case DW_TAG_subprogram: return function(die, depth);
      case DW_TAG_unspecified_type: return QualifiedType{self.void_, 0};
      default: {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "0x%x", tag);
        return bad_dwarf(offset_of(&die), std::string("not a type (tag ") + buf + ")");
      }
    }
  }

  Result<QualifiedType> qualified(Dwarf_Die& die, Qualifiers q, bool can_be_incomplete_array,
                                  int depth) {
    VMSCOPE_TRY(auto inner, type_attribute(&die, true, can_be_incomplete_array, depth));
    inner.qualifiers |= q;
    return inner;
  }

  Result<QualifiedType> base_type(Dwarf_Die& die) {
    const char* raw_name = dwarf_diename(&die);
    auto encoding = udata(&die, DW_AT_encoding);
    auto size = udata(&die, DW_AT_byte_size);
    if (!raw_name || !encoding || !size) {
      return bad_dwarf(offset_of(&die), "DW_TAG_base_type lacks a name, encoding or size");
    }
    std::string name = raw_name;
    auto primitive = parse_primitive_type(name);
    switch (*encoding) {
      case DW_ATE_boolean:
        if (primitive == PrimitiveType::kBool) name = primitive_type_spelling(*primitive);
        return QualifiedType{self.adopt(Type::make_bool(name, *size)), 0};
      case DW_ATE_float:
        if (primitive &&
            (*primitive == PrimitiveType::kFloat || *primitive == PrimitiveType::kDouble ||
             *primitive == PrimitiveType::kLongDouble)) {
          name = primitive_type_spelling(*primitive);
        }
        return QualifiedType{self.adopt(Type::make_float(name, *size)), 0};
      case DW_ATE_signed:
      case DW_ATE_signed_char:
      case DW_ATE_unsigned:
      case DW_ATE_unsigned_char:
      case DW_ATE_UTF: {
        const bool is_signed = *encoding == DW_ATE_signed || *encoding == DW_ATE_signed_char;
        // As drgn: use the preferred spelling only if it agrees on signedness ("char" always).
        if (primitive && *primitive != PrimitiveType::kBool &&
            *primitive != PrimitiveType::kFloat && *primitive != PrimitiveType::kDouble &&
            *primitive != PrimitiveType::kLongDouble &&
            (*primitive == PrimitiveType::kChar ||
             primitive_type_is_signed(*primitive) == is_signed)) {
          name = primitive_type_spelling(*primitive);
        }
        return QualifiedType{self.adopt(Type::make_integer(name, *size, is_signed)), 0};
      }
      default:
        return Error(ErrorCode::kUnsupported,
                     "base type '" + name + "' has an unsupported DWARF encoding",
                     ErrorPayload{.offset = offset_of(&die), .name = name});
    }
  }

  Result<QualifiedType> compound(Dwarf_Die& die, TypeKind kind) {
    const char* name = attribute_name(&die);
    std::optional<std::string> tag = name ? std::optional<std::string>(name) : std::nullopt;
    if (flag(&die, DW_AT_declaration)) {
      return QualifiedType{self.adopt(Type::make_compound(kind, tag, std::nullopt, {})), 0};
    }
    auto size = udata(&die, DW_AT_byte_size);
    if (!size) return bad_dwarf(offset_of(&die), "structure without DW_AT_byte_size");
    return QualifiedType{self.adopt(Type::make_lazy_compound(
                             kind, tag, *size, self.weak_from_this(), offset_of(&die))),
                         0};
  }

  Result<QualifiedType> enumeration(Dwarf_Die& die, int depth) {
    const char* name = attribute_name(&die);
    std::optional<std::string> tag = name ? std::optional<std::string>(name) : std::nullopt;
    if (flag(&die, DW_AT_declaration)) {
      return QualifiedType{self.adopt(Type::make_enum(tag, nullptr, {})), 0};
    }
    std::vector<Enumerator> enumerators;
    bool saw_negative = false;
    Dwarf_Die child;
    if (dwarf_child(&die, &child) == 0) {
      do {
        if (dwarf_tag(&child) != DW_TAG_enumerator) continue;
        const char* enumerator_name = dwarf_diename(&child);
        Dwarf_Attribute attr;
        if (!enumerator_name || !dwarf_attr(&child, DW_AT_const_value, &attr)) {
          return bad_dwarf(offset_of(&child), "enumerator without a name or value");
        }
        Enumerator e{enumerator_name, 0};
        unsigned int form = dwarf_whatform(&attr);
        if (form == DW_FORM_sdata || form == DW_FORM_implicit_const) {
          Dwarf_Sword s = 0;
          if (dwarf_formsdata(&attr, &s) != 0) return bad_dwarf(offset_of(&child), "bad value");
          e.value = static_cast<std::uint64_t>(s);
          saw_negative |= s < 0;
        } else {
          Dwarf_Word u = 0;
          if (dwarf_formudata(&attr, &u) != 0) return bad_dwarf(offset_of(&child), "bad value");
          e.value = u;
        }
        enumerators.push_back(std::move(e));
      } while (dwarf_siblingof(&child, &child) == 0);
    }
    TypeRef compatible;
    Dwarf_Attribute type_attr;
    if (dwarf_attr_integrate(&die, DW_AT_type, &type_attr)) {
      VMSCOPE_TRY(auto underlying_type, type_attribute(&die, false, false, depth));
      const Type& u = underlying_type->underlying();
      if (u.kind() != TypeKind::kInteger) {
        return bad_dwarf(offset_of(&die), "enum's DW_AT_type is not an integer type");
      }
      // Keep the integer itself, not a typedef of it (drgn does the same).
      const Type* p = underlying_type.type.get();
      TypeRef holder = underlying_type.type;
      while (p->kind() == TypeKind::kTypedef) {
        holder = p->target().type;
        p = holder.get();
      }
      compatible = holder;
    } else {
      // Compilers before GCC 5 gave no DW_AT_type; make one from the size, as drgn does.
      auto size = udata(&die, DW_AT_byte_size);
      if (!size) return bad_dwarf(offset_of(&die), "enum without DW_AT_type or DW_AT_byte_size");
      compatible = self.adopt(Type::make_integer("<unknown>", *size, saw_negative));
    }
    return QualifiedType{
        self.adopt(Type::make_enum(tag, std::move(compatible), std::move(enumerators))), 0};
  }

  Result<QualifiedType> pointer(Dwarf_Die& die, int depth) {
    VMSCOPE_TRY(auto target, type_attribute(&die, true, true, depth));
    std::uint64_t size = 0;
    if (auto explicit_size = udata(&die, DW_AT_byte_size)) {
      size = *explicit_size;
    } else {
      Dwarf_Die cu;
      std::uint8_t address_size = 8, offset_size = 4;
      if (!dwarf_diecu(&die, &cu, &address_size, &offset_size)) {
        return bad_dwarf(offset_of(&die), "pointer outside a unit");
      }
      size = address_size;
    }
    return QualifiedType{self.adopt(Type::make_pointer(std::move(target), size)), 0};
  }

  Result<QualifiedType> array(Dwarf_Die& die, bool can_be_incomplete_array, int depth) {
    std::vector<std::optional<std::uint64_t>> dimensions;
    Dwarf_Die child;
    if (dwarf_child(&die, &child) == 0) {
      do {
        if (dwarf_tag(&child) != DW_TAG_subrange_type) continue;
        Dwarf_Attribute attr;
        Dwarf_Word word = 0;
        if (dwarf_attr_integrate(&child, DW_AT_upper_bound, &attr)) {
          if (dwarf_formudata(&attr, &word) != 0) {
            dimensions.push_back(std::nullopt);  // a variable bound (VLA): length unknown
          } else if (word == static_cast<Dwarf_Word>(-1)) {
            dimensions.push_back(0);  // GCC's `int a[] = {}`
          } else {
            dimensions.push_back(word + 1);
          }
        } else if (dwarf_attr_integrate(&child, DW_AT_count, &attr)) {
          if (dwarf_formudata(&attr, &word) != 0) {
            dimensions.push_back(std::nullopt);
          } else {
            dimensions.push_back(word);
          }
        } else {
          dimensions.push_back(std::nullopt);
        }
      } while (dwarf_siblingof(&child, &child) == 0);
    }
    if (dimensions.empty()) dimensions.push_back(std::nullopt);
    VMSCOPE_TRY(auto element, type_attribute(&die, false, false, depth));
    // int a[2][3] is an array of 2 arrays of 3: build from the innermost dimension out. Only
    // the outermost may stay of unknown length.
    for (std::size_t i = dimensions.size(); i-- > 0;) {
      std::optional<std::uint64_t> length = dimensions[i];
      if (!length && (i != 0 || !can_be_incomplete_array)) length = 0;
      element = QualifiedType{self.adopt(Type::make_array(std::move(element), length)), 0};
    }
    return element;
  }

  Result<QualifiedType> function(Dwarf_Die& die, int depth) {
    std::vector<Parameter> parameters;
    bool is_variadic = false;
    Dwarf_Die child;
    if (dwarf_child(&die, &child) == 0) {
      do {
        const int tag = dwarf_tag(&child);
        if (tag == DW_TAG_formal_parameter) {
          Parameter p;
          if (const char* name = attribute_name(&child)) p.name = name;
          VMSCOPE_TRY(p.type, type_attribute(&child, false, true, depth));
          parameters.push_back(std::move(p));
        } else if (tag == DW_TAG_unspecified_parameters) {
          is_variadic = true;
        }
      } while (dwarf_siblingof(&child, &child) == 0);
    }
    VMSCOPE_TRY(auto return_type, type_attribute(&die, true, true, depth));
    return QualifiedType{
        self.adopt(Type::make_function(std::move(return_type), std::move(parameters), is_variadic)),
        0};
  }

  // Bit offset of a member from the start of its struct (libdrgn's parse_member_offset).
  Result<std::uint64_t> member_bit_offset(Dwarf_Die& member, const QualifiedType& type,
                                          std::uint64_t bit_field_size) {
    if (auto data_bit_offset = udata(&member, DW_AT_data_bit_offset)) return *data_bit_offset;
    std::uint64_t offset = 0;
    Dwarf_Attribute attr;
    if (dwarf_attr_integrate(&member, DW_AT_data_member_location, &attr)) {
      if (is_block_form(dwarf_whatform(&attr))) {
        // DWARF 2 style: a location expression; DW_OP_plus_uconst N is the only one compilers
        // emit for C members.
        Dwarf_Op* ops = nullptr;
        size_t count = 0;
        if (dwarf_getlocation(&attr, &ops, &count) != 0 || count != 1 ||
            (ops[0].atom != DW_OP_plus_uconst && ops[0].atom != DW_OP_constu)) {
          return bad_dwarf(offset_of(&member), "unsupported DW_AT_data_member_location");
        }
        offset = ops[0].number * 8;
      } else {
        Dwarf_Word word = 0;
        if (dwarf_formudata(&attr, &word) != 0) {
          return bad_dwarf(offset_of(&member), "bad DW_AT_data_member_location");
        }
        offset = word * 8;
      }
    }
    if (auto bit_offset = udata(&member, DW_AT_bit_offset)) {
      // DW_AT_bit_offset counts from the most significant bit of the storage unit.
      if (!self.little_endian_) return offset + *bit_offset;
      std::uint64_t storage_bytes = 0;
      if (auto byte_size = udata(&member, DW_AT_byte_size)) {
        storage_bytes = *byte_size;
      } else if (auto type_size = type->size()) {
        storage_bytes = *type_size;
      } else {
        return bad_dwarf(offset_of(&member), "bit field of a type without a size");
      }
      if (storage_bytes * 8 < *bit_offset + bit_field_size) {
        return bad_dwarf(offset_of(&member), "bit field outside its storage unit");
      }
      offset += storage_bytes * 8 - *bit_offset - bit_field_size;
    }
    return offset;
  }

  Result<std::vector<Member>> members(Dwarf_Die& compound_die) {
    const bool is_union = dwarf_tag(&compound_die) == DW_TAG_union_type;
    std::vector<Dwarf_Die> member_dies;
    Dwarf_Die child;
    if (dwarf_child(&compound_die, &child) == 0) {
      do {
        if (dwarf_tag(&child) == DW_TAG_member) member_dies.push_back(child);
      } while (dwarf_siblingof(&child, &child) == 0);
    }
    std::vector<Member> result;
    result.reserve(member_dies.size());
    for (std::size_t i = 0; i < member_dies.size(); ++i) {
      Dwarf_Die& die = member_dies[i];
      // A flexible array member: the last member of a struct that has another member.
      const bool can_be_flexible = !is_union && i > 0 && i + 1 == member_dies.size();
      Member m;
      if (const char* name = attribute_name(&die)) m.name = name;
      VMSCOPE_TRY(m.type, type_attribute(&die, false, can_be_flexible, 0));
      m.bit_field_size = udata(&die, DW_AT_bit_size).value_or(0);
      VMSCOPE_TRY(m.bit_offset, member_bit_offset(die, m.type, m.bit_field_size));
      result.push_back(std::move(m));
    }
    return result;
  }
};

DwarfTypes::DwarfTypes(std::shared_ptr<const DwarfFile> file,
                       std::shared_ptr<const DwarfIndex> index)
    : file_(std::move(file)), index_(std::move(index)), arena_(std::make_shared<Arena>()) {
  void_ = adopt(Type::make_void());
  const char* ident = elf_getident(file_->elf().elf(), nullptr);
  little_endian_ = !ident || ident[EI_DATA] != ELFDATA2MSB;
}

std::shared_ptr<DwarfTypes> DwarfTypes::create(std::shared_ptr<const DwarfFile> file,
                                               std::shared_ptr<const DwarfIndex> index) {
  return std::shared_ptr<DwarfTypes>(new DwarfTypes(std::move(file), std::move(index)));
}

Result<QualifiedType> DwarfTypes::type_from_die(std::uint64_t die_offset) const {
  std::lock_guard lock(file_->lock());
  Dwarf_Die die;
  if (!dwarf_offdie(file_->dwarf(), die_offset, &die)) return bad_dwarf(die_offset, "no such DIE");
  VMSCOPE_TRY(auto type, Builder{*this}.from_die(die, true, 0));
  return share(type);
}

Result<QualifiedType> DwarfTypes::type_of_object(std::uint64_t die_offset) const {
  std::lock_guard lock(file_->lock());
  Dwarf_Die die;
  if (!dwarf_offdie(file_->dwarf(), die_offset, &die)) return bad_dwarf(die_offset, "no such DIE");
  Builder builder{*this};
  // A function's type is made from its own DIE: return type plus parameters.
  if (dwarf_tag(&die) == DW_TAG_subprogram) {
    const std::uint64_t key = die_offset * 2 + 1;
    if (auto it = cache_.find(key); it != cache_.end()) return share(it->second);
    VMSCOPE_TRY(auto type, builder.function(die, 0));
    cache_.emplace(key, type);
    return share(type);
  }
  VMSCOPE_TRY(auto type, builder.type_attribute(&die, false, true, 0));
  return share(type);
}

Result<QualifiedType> DwarfTypes::find_type(TypeTag tag, std::string_view name) const {
  if (!index_) return Error(ErrorCode::kInternal, "type lookup by name without an index");
  std::string spelling(tag == TypeTag::kBase ? canonical_type_spelling(name) : name);
  auto entry = index_->find_type(tag, spelling);
  if (!entry) {
    std::string full = tag == TypeTag::kBase || tag == TypeTag::kTypedef
                           ? spelling
                           : std::string(type_tag_name(tag)) + " " + spelling;
    return Error(ErrorCode::kNotFound, "no type named '" + full + "'", ErrorPayload{.name = full});
  }
  return type_from_die(entry->die_offset);
}

Result<std::vector<Member>> DwarfTypes::load_members(std::uint64_t die_offset) const {
  std::lock_guard lock(file_->lock());
  Dwarf_Die die;
  if (!dwarf_offdie(file_->dwarf(), die_offset, &die)) return bad_dwarf(die_offset, "no such DIE");
  return Builder{*this}.members(die);
}

TypeRef DwarfTypes::adopt(TypeRef owned) const {
  const Type* raw = owned.get();
  arena_->types.push_back(std::move(owned));
  return TypeRef(TypeRef(), raw);  // non-owning: the arena keeps the type
}

QualifiedType DwarfTypes::share(const QualifiedType& linked) const {
  return QualifiedType{TypeRef(arena_, linked.type.get()), linked.qualifiers};
}

std::size_t DwarfTypes::arena_size() const {
  std::lock_guard lock(file_->lock());
  return arena_->types.size();
}

std::size_t DwarfTypes::cached_type_count() const {
  std::lock_guard lock(file_->lock());
  return cache_.size();
}

}  // namespace vmscope::debuginfo
