// libFuzzer target for the VMCOREINFO parser (dump/vmcoreinfo.h): any text parses, problems
// stay bounded, and every entry it keeps can be read back through raw() and its typed accessor.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dump/vmcoreinfo.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

// "SYMBOL(x)" -> ("SYMBOL", "x"); a bare key -> ("", ""): parse() accepted only well-formed
// KIND(name) keys, so the closing parenthesis is the last character.
std::pair<std::string_view, std::string_view> split(std::string_view key) {
  auto open = key.find('(');
  if (open == std::string_view::npos) return {};
  return {key.substr(0, open), key.substr(open + 1, key.size() - open - 2)};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vmscope::Vmcoreinfo info = vmscope::Vmcoreinfo::parse(text);
  check(info.problems().size() <= 257);
  for (const auto& [key, value] : info.entries()) {
    auto raw = info.raw(key);
    check(raw.has_value() && *raw == value);
    auto [kind, name] = split(key);
    if (kind == "SYMBOL") check(info.symbol(name).ok());
    if (kind == "SIZE") check(info.size(name).ok());
    if (kind == "OFFSET") check(info.offset(name).ok());
    if (kind == "LENGTH") check(info.length(name).ok());
    if (kind == "NUMBER") check(info.number(name).ok());
    if (key == "PAGESIZE") check(info.page_size().ok());
    if (key == "KERNELOFFSET") check(info.kernel_offset().ok());
    if (key == "CRASHTIME") check(info.crash_time().ok());
    if (key == "BUILD-ID") check(info.build_id().ok());
  }
  return 0;
}
