#include "rpc/value_json.h"

#include "rpc/errors.h"
#include "rpc/wire_values.h"

namespace vmscope::rpc {

Json value_node_json(const ValueNode& node) {
  Json value = {{"display", node.display}};
  if (node.string) value["string"] = *node.string;
  if (node.symbol) value["symbol"] = *node.symbol;
  Json j = {{"name", node.name},
            {"type", node.type_name},
            {"kind", std::string(value_kind_name(node.kind))},
            {"value", std::move(value)},
            {"hasChildren", node.has_children},
            {"childCount", node.child_count}};
  if (node.address) j["address"] = hex_u64(*node.address);
  if (node.bit_field_size) j["bitFieldSize"] = node.bit_field_size;
  if (node.handle) j["handle"] = *node.handle;
  if (!node.children.empty()) {
    Json children = Json::array();
    for (const ValueNode& child : node.children) children.push_back(value_node_json(child));
    j["children"] = std::move(children);
  }
  if (node.error) j["error"] = error_object(*node.error);
  return j;
}

Json children_page_json(const ChildrenPage& page) {
  Json children = Json::array();
  for (const ValueNode& child : page.children) children.push_back(value_node_json(child));
  return {{"offset", page.start}, {"total", page.total}, {"children", std::move(children)}};
}

}  // namespace vmscope::rpc
