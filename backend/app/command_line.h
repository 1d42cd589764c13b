// Command-line parsing for the vmscope executable: `vmscope SUBCOMMAND [options] [args]`.
// Kept apart from the subcommands so it is unit-testable without running anything.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "support/result.h"

namespace vmscope::app {

struct CommandLine {
  std::string subcommand;                                   // "call", "serve", "version", "help"
  std::map<std::string, std::vector<std::string>> options;  // "--core" -> {"path"}; repeatable
  std::vector<std::string> positional;                      // what is left, in order

  bool has(const std::string& option) const { return options.count(option) != 0; }
  // The last value given for an option, or `fallback`.
  std::string get(const std::string& option, const std::string& fallback = "") const;
};

// Options that take a value; every other "--x" is a flag. Unknown options are an error so a
// typo never silently changes what runs.
Result<CommandLine> parse_command_line(const std::vector<std::string>& args,
                                       const std::vector<std::string>& value_options,
                                       const std::vector<std::string>& flag_options);

}  // namespace vmscope::app
