#include "rpc/type_json.h"

#include "debuginfo/member_designator.h"
#include "debuginfo/type_name.h"

namespace vmscope::rpc {
namespace {

using debuginfo::QualifiedType;
using debuginfo::Type;
using debuginfo::TypeKind;

// Anonymous members nest a few levels in practice (struct page: 3); DWARF could say more.
constexpr int kMaxAnonymousNesting = 16;

std::string enumerator_value(const Type& type, std::uint64_t value) {
  return type.is_signed() ? std::to_string(static_cast<std::int64_t>(value))
                          : std::to_string(value);
}

// `designator`: how types/get's member parameter names `compound` from the requested type ("" for
// the requested type itself).
Result<Json> members_json(const Type& compound, std::uint64_t base_bits,
                          const std::string& designator, int depth) {
  VMSCOPE_TRY(auto members, compound.members());
  Json list = Json::array();
  for (std::size_t i = 0; i < members.size(); ++i) {
    const debuginfo::Member& member = members[i];
    const std::uint64_t bits = base_bits + member.bit_offset;
    Json m = {
        {"type", debuginfo::type_name(member.type)}, {"offset", bits / 8}, {"bitOffset", bits}};
    if (member.name) m["name"] = *member.name;
    if (member.bit_field_size) m["bitFieldSize"] = member.bit_field_size;
    const Type& u = member.type->underlying();
    const std::string own = member.name ? "" : debuginfo::positional_designator(designator, i);
    if (!member.name) m["designator"] = own;
    if (!member.name && u.is_compound() && u.is_complete()) {
      if (depth >= kMaxAnonymousNesting) {
        return Error(ErrorCode::kLimitExceeded,
                     "anonymous members nest deeper than " + std::to_string(kMaxAnonymousNesting));
      }
      VMSCOPE_TRY(m["members"], members_json(u, bits, own, depth + 1));
    }
    list.push_back(std::move(m));
  }
  return list;
}

Result<Json> describe(const QualifiedType& type, const std::string& designator,
                      bool with_underlying) {
  const Type& t = *type;
  Json j = {{"name", debuginfo::type_name(type)},
            {"kind", std::string(debuginfo::type_kind_name(t.kind()))},
            {"complete", t.is_complete()}};
  if (auto size = t.size()) j["size"] = *size;
  if (type.qualifiers) j["qualifiers"] = debuginfo::qualifier_names(type.qualifiers);
  switch (t.kind()) {
    case TypeKind::kInteger:
    case TypeKind::kBool:
    case TypeKind::kFloat: j["signed"] = t.is_signed(); break;
    case TypeKind::kStruct:
    case TypeKind::kUnion:
    case TypeKind::kClass:
      if (t.is_complete()) {
        VMSCOPE_TRY(j["members"], members_json(t, 0, designator, 0));
      }
      break;
    case TypeKind::kEnum: {
      j["signed"] = t.is_signed();
      if (t.target().type) j["compatibleType"] = debuginfo::type_name(t.target());
      Json list = Json::array();
      for (const auto& e : t.enumerators()) {
        list.push_back({{"name", e.name}, {"value", enumerator_value(t, e.value)}});
      }
      j["enumerators"] = std::move(list);
      break;
    }
    case TypeKind::kPointer: j["target"] = debuginfo::type_name(t.target()); break;
    case TypeKind::kArray:
      j["target"] = debuginfo::type_name(t.target());
      if (t.length()) j["length"] = *t.length();
      break;
    case TypeKind::kTypedef:
      j["target"] = debuginfo::type_name(t.target());
      if (with_underlying) {
        VMSCOPE_TRY(j["underlying"], describe(debuginfo::underlying(type), designator, false));
      }
      break;
    case TypeKind::kFunction: {
      j["target"] = debuginfo::type_name(t.target());
      Json parameters = Json::array();
      for (const auto& p : t.parameters()) {
        Json pj = {{"type", debuginfo::type_name(p.type)}};
        if (p.name) pj["name"] = *p.name;
        parameters.push_back(std::move(pj));
      }
      j["parameters"] = std::move(parameters);
      j["variadic"] = t.is_variadic();
      break;
    }
    case TypeKind::kVoid: break;
  }
  return j;
}

}  // namespace

Result<Json> type_json(const QualifiedType& type, const std::string& designator) {
  if (!type.type) return Error(ErrorCode::kInternal, "type_json of a null type");
  return describe(type, designator, true);
}

}  // namespace vmscope::rpc
