// Objects rendered as a lazy tree of nodes, for clients that browse memory field by field (the
// VS Code variables view, the web UI). The rpc layer turns ValueNodes into JSON for
// `value/evaluate` and `value/children`; it never needs to know types.
//
// A node names the object, its C type and address, says what kind of thing it is and how to
// show it: integers in decimal, pointers in hex (with the symbol they point at, when a
// symbolizer is given), enums by enumerator name when one matches, char arrays as their text up
// to the NUL (`string`), char pointers with the text they point to (when readable). Nodes with
// children (members, elements, the pointee "*") carry a handle (object_handles.h) to fetch the
// children a page at a time; the first `inline_depth` levels are included inline when they fit
// in a page. Pointers are never followed while rendering: the "*" child is made on demand.
//
// A value that cannot be read (an excluded page, an unmapped address) does not fail the tree:
// its node carries the error (code, message, address) and the rest renders.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "program/object.h"
#include "program/object_handles.h"
#include "support/error.h"
#include "support/result.h"

namespace vmscope {

enum class ValueKind { kScalar, kPointer, kArray, kStruct, kUnion, kEnum, kFunction, kVoid };

std::string_view value_kind_name(ValueKind kind);

struct ValueNode {
  std::string name;  // member name, "[3]", "*", or what the caller named the root
  std::string type_name;
  std::optional<std::uint64_t> address;
  std::uint64_t bit_field_size = 0;
  ValueKind kind = ValueKind::kScalar;
  std::string display;                // "0", "4294893814", "0xffff8d77011fa950", "TASK_RUNNING"
  std::optional<std::string> string;  // char arrays; the text a char * points to
  std::optional<std::string> symbol;  // "init_task+0x10" for pointers/functions into symbols
  bool has_children = false;
  std::uint64_t child_count = 0;        // members, elements, or 1 (the pointee)
  std::optional<std::uint64_t> handle;  // set when has_children
  std::vector<ValueNode> children;      // inline children: the first page, up to inline_depth
  std::optional<Error> error;           // the value could not be read
};

struct ChildrenPage {
  std::uint64_t start = 0;
  std::uint64_t total = 0;  // children the node has in all
  std::vector<ValueNode> children;
};

struct ValueTreeOptions {
  std::size_t page_size = 100;    // children per page, and the most a page request may ask
  std::size_t max_string = 1024;  // bytes of a string shown
  std::uint32_t inline_depth = 1;
  // "name+0x10" for an address, or nullopt. Optional.
  std::function<std::optional<std::string>(std::uint64_t)> symbolize;
};

class ValueTree {
 public:
  ValueTree(ObjectHandles& handles, ValueTreeOptions options = {})
      : handles_(handles), options_(std::move(options)) {}

  // The node for `object`, with children inline to options.inline_depth.
  ValueNode render(const Object& object, std::string name) const;
  // Children [start, start + count) of the node with `handle`; count is capped at page_size.
  // kNotFound for an unknown or expired handle.
  Result<ChildrenPage> children(std::uint64_t handle, std::uint64_t start,
                                std::uint64_t count) const;

 private:
  ValueNode render_node(const Object& object, std::string name, std::uint32_t depth) const;
  ChildrenPage children_of(const Object& object, std::uint64_t start, std::uint64_t count,
                           std::uint32_t depth) const;

  ObjectHandles& handles_;
  ValueTreeOptions options_;
};

// `text` as a C string literal, quotes and escapes included: "swapper/0", "a\nb".
std::string c_quoted(std::string_view text);

}  // namespace vmscope
