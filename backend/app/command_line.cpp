#include "app/command_line.h"

#include <algorithm>

namespace vmscope::app {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

std::string CommandLine::get(const std::string& option, const std::string& fallback) const {
  auto it = options.find(option);
  if (it == options.end() || it->second.empty()) return fallback;
  return it->second.back();
}

Result<CommandLine> parse_command_line(const std::vector<std::string>& args,
                                       const std::vector<std::string>& value_options,
                                       const std::vector<std::string>& flag_options) {
  CommandLine line;
  if (args.empty()) return line;
  line.subcommand = args[0];
  bool only_positional = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!only_positional && arg == "--") {
      only_positional = true;
      continue;
    }
    if (only_positional || arg.size() < 3 || arg.rfind("--", 0) != 0) {
      line.positional.push_back(arg);
      continue;
    }
    std::string name = arg;
    std::string value;
    bool has_inline_value = false;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_inline_value = true;
    }
    if (contains(value_options, name)) {
      if (!has_inline_value) {
        if (i + 1 >= args.size()) {
          return Error(ErrorCode::kInvalidArgument, "option " + name + " needs a value");
        }
        value = args[++i];
      }
      line.options[name].push_back(value);
    } else if (contains(flag_options, name) && !has_inline_value) {
      line.options[name].push_back("");
    } else {
      return Error(ErrorCode::kInvalidArgument, "unknown option " + name, {.name = name});
    }
  }
  return line;
}

}  // namespace vmscope::app
