#include "rpc/methods_values.h"

#include "program/expression_evaluator.h"
#include "program/value_tree.h"
#include "rpc/value_json.h"
#include "rpc/wire_values.h"

namespace vmscope::rpc {
namespace {

constexpr std::uint64_t kDefaultDepth = 1;
constexpr std::uint64_t kMaxDepth = 2;
constexpr std::size_t kInlinePage = 100;  // children per level inline in value/evaluate
constexpr std::uint64_t kDefaultLimit = 100;
constexpr std::uint64_t kMaxLimit = 1000;
constexpr std::size_t kMaxExpressionBytes = 4096;

ValueTreeOptions tree_options(const Program& program, std::size_t page_size, std::uint32_t depth) {
  ValueTreeOptions options;
  options.page_size = page_size;
  options.inline_depth = depth;
  if (const debuginfo::DebugInfo* debug = program.debug_info()) {
    options.symbolize = [debug](std::uint64_t address) -> std::optional<std::string> {
      auto found = debug->symbolize(address);
      if (!found) return std::nullopt;
      return found->to_string();
    };
  }
  return options;
}

Result<std::uint64_t> required_handle(const Json& params) {
  if (!params.is_object() || !params.contains("handle")) {
    return Error(ErrorCode::kInvalidArgument, "missing parameter handle", {.name = "handle"});
  }
  const Json& handle = params["handle"];
  // Parsed JSON holds positive numbers as unsigned; built in-process they may be signed.
  if (!handle.is_number_integer() || handle.get<std::int64_t>() <= 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "handle must be a positive integer from a ValueNode's handle", {.name = "handle"});
  }
  return handle.get<std::uint64_t>();
}

Result<Json> evaluate(DumpStates& states, const Json& params, const RequestContext& context) {
  VMSCOPE_TRY(std::string id, required_string(params, "dumpId"));
  VMSCOPE_TRY(std::string expression, required_string(params, "expression"));
  if (expression.size() > kMaxExpressionBytes) {
    return Error(ErrorCode::kInvalidArgument,
                 "expression is longer than " + std::to_string(kMaxExpressionBytes) + " bytes",
                 {.name = "expression"});
  }
  VMSCOPE_TRY(std::uint64_t depth, optional_count(params, "depth", kDefaultDepth, kMaxDepth));
  VMSCOPE_TRY(DumpStates::Entry entry, states.get(id));
  const Program& program = entry.dump.target->program();
  EvaluationOptions options;
  options.cancel = context.cancel;
  VMSCOPE_TRY(Object object, evaluate_expression(program, expression, options));
  ValueTree tree(entry.state->handles(),
                 tree_options(program, kInlinePage, static_cast<std::uint32_t>(depth)));
  ValueNode root = tree.render(object, expression);
  if (root.error) {
    if (root.handle) entry.state->handles().release(*root.handle);
    return *root.error;
  }
  return value_node_json(root);
}

Result<Json> children(DumpStates& states, const Json& params, const RequestContext& context) {
  VMSCOPE_TRY(std::string id, required_string(params, "dumpId"));
  VMSCOPE_TRY(std::uint64_t handle, required_handle(params));
  VMSCOPE_TRY(std::uint64_t offset, optional_count(params, "offset", 0, UINT64_MAX));
  VMSCOPE_TRY(std::uint64_t limit, optional_count(params, "limit", kDefaultLimit, kMaxLimit));
  VMSCOPE_CHECK(context.cancel.check());
  VMSCOPE_TRY(DumpStates::Entry entry, states.get(id));
  ValueTree tree(entry.state->handles(),
                 tree_options(entry.dump.target->program(), kMaxLimit, /*depth=*/1));
  VMSCOPE_TRY(ChildrenPage page, tree.children(handle, offset, limit));
  return children_page_json(page);
}

}  // namespace

void register_value_methods(Dispatcher& dispatcher, std::shared_ptr<DumpStates> states) {
  dispatcher.add("value/evaluate",
                 [states](const Json& params, const RequestContext& context) -> Result<Json> {
                   return evaluate(*states, params, context);
                 });
  dispatcher.add("value/children",
                 [states](const Json& params, const RequestContext& context) -> Result<Json> {
                   return children(*states, params, context);
                 });
}

}  // namespace vmscope::rpc
