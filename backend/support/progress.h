// Progress of a slow operation (opening a dump: reading headers, indexing the vmlinux's DWARF,
// finding the kernel layout), reported step by step to whoever asked. Lower layers know nothing
// of the protocol: they call a ProgressFunction with a message and, when they know it, a whole
// percentage; the RPC layer turns the calls into `$/progress` notifications. An empty function
// means nobody asked, and report_progress() then does nothing.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace vmscope {

using ProgressFunction =
    std::function<void(const std::string& message, std::optional<int> percentage)>;

inline void report_progress(const ProgressFunction& progress, const std::string& message,
                            std::optional<int> percentage = std::nullopt) {
  if (progress) progress(message, percentage);
}

}  // namespace vmscope
