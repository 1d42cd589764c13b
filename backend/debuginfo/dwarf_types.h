// Builds Types (type.h) from DWARF DIEs, lazily and once per DIE, the way libdrgn's
// dwarf_info.c does:
//  - a struct/union/class is made with its tag and size only; its members are read from the DIE
//    on first Type::members() (this class is the MemberSource);
//  - a declaration (DW_AT_declaration) is replaced by the first complete definition of the same
//    name found in the DwarfIndex, so `struct task_struct *` declared in one CU resolves to the
//    full struct;
//  - bit fields get little-endian bit offsets from DW_AT_data_bit_offset (DWARF 4+) or from
//    DW_AT_data_member_location + DW_AT_bit_offset (DWARF 2/3 style, still emitted by some
//    compilers with -gdwarf-4);
//  - an array without bounds is a flexible/unknown-length array (length nullopt) only where C
//    allows one — the last member of a struct after another member, behind a pointer or
//    typedef, a parameter — and a zero-length array elsewhere (drgn's can_be_incomplete_array);
//  - base type names are spelled as drgn spells them ("unsigned long").
// Types are cached by DIE offset. The same struct defined in two CUs yields two equal but
// distinct Type objects; compare types structurally, not by pointer.
//
// Ownership: the type graph has cycles (struct list_head's members point back at struct
// list_head), so types do not own each other. Every Type built here is owned by one arena, and
// the links between them (a pointer's target, a member's type, a typedef's aliased type) are
// non-owning TypeRefs. What the public methods return is a TypeRef that shares ownership of the
// whole arena (shared_ptr's aliasing constructor): the graph lives while DwarfTypes or any
// returned type does, and is freed whole when the last of them goes. A TypeRef read through a
// link (target(), members()) is valid while something still owns the arena; keep the one you
// started from (or the DebugInfo) alive while using what you reached from it.
//
// Threading: safe from several threads; every libdw access holds the DwarfFile's lock.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "debuginfo/dwarf_file.h"
#include "debuginfo/dwarf_index.h"
#include "debuginfo/type.h"
#include "support/result.h"

namespace vmscope::debuginfo {

class DwarfTypes final : public MemberSource, public std::enable_shared_from_this<DwarfTypes> {
 public:
  // `index` may be null: declarations then stay incomplete types.
  static std::shared_ptr<DwarfTypes> create(std::shared_ptr<const DwarfFile> file,
                                            std::shared_ptr<const DwarfIndex> index);

  // The type a type DIE (struct, typedef, pointer, const, base, ...) describes.
  Result<QualifiedType> type_from_die(std::uint64_t die_offset) const;
  // The type of an object DIE: a variable's or parameter's DW_AT_type, a function's type.
  Result<QualifiedType> type_of_object(std::uint64_t die_offset) const;
  // A named type through the index: the first complete definition, else an incomplete type.
  // `name` of a base type may be spelled any way ("long unsigned int").
  Result<QualifiedType> find_type(TypeTag tag, std::string_view name) const;

  // For Type's lazy members: the members' types are links (non-owning, see above).
  Result<std::vector<Member>> load_members(std::uint64_t die_offset) const override;

  std::size_t cached_type_count() const;
  // How many Types the arena owns (tests, memory reports).
  std::size_t arena_size() const;
  const DwarfFile& file() const { return *file_; }

 private:
  DwarfTypes(std::shared_ptr<const DwarfFile> file, std::shared_ptr<const DwarfIndex> index);
  struct Builder;  // the DIE walking, in dwarf_types.cpp
  struct Arena {
    std::vector<TypeRef> types;  // the only owning references to the types built here
  };

  // Keeps `owned` in the arena and returns a non-owning link to it. Under the DwarfFile's lock.
  TypeRef adopt(TypeRef owned) const;
  // A link made into a TypeRef that owns the arena, for callers outside.
  QualifiedType share(const QualifiedType& linked) const;

  std::shared_ptr<const DwarfFile> file_;
  std::shared_ptr<const DwarfIndex> index_;
  bool little_endian_ = true;
  std::shared_ptr<Arena> arena_;  // appended to under the DwarfFile's lock
  TypeRef void_;                  // a link into the arena
  // Key: DIE offset * 2 + (1 if an unbounded array may stay incomplete). Guarded by the
  // DwarfFile's lock.
  mutable std::unordered_map<std::uint64_t, QualifiedType> cache_;
};

}  // namespace vmscope::debuginfo
