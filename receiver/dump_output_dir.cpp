#include "receiver/dump_output_dir.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace vmscope {

Result<std::filesystem::path> create_dump_directory(const std::filesystem::path& dump_dir,
                                                    const std::string& address,
                                                    std::int64_t utc_seconds) {
  bool ok = !address.empty() && address.size() <= 64 && address != "." && address != "..";
  for (char c : address) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == ':' || c == '%' || c == '_' || c == '-');
  }
  if (!ok) {
    return Error(ErrorCode::kInvalidArgument, "not an address for a dump directory: " + address);
  }
  std::time_t t = static_cast<std::time_t>(utc_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d-%H:%M:%S", &tm);
  std::string base = address + "-" + stamp;
  for (int n = 1; n <= 1000; ++n) {
    std::filesystem::path dir = dump_dir / (n == 1 ? base : base + "-" + std::to_string(n));
    if (::mkdir(dir.c_str(), 0750) == 0) return dir;
    if (errno != EEXIST) {
      return Error(ErrorCode::kIo, "cannot create " + dir.string() + ": " + std::strerror(errno),
                   {.name = dir.string()});
    }
  }
  return Error(ErrorCode::kIo, "too many dump directories named " + base, {.name = base});
}

}  // namespace vmscope
