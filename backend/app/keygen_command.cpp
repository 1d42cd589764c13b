#include "app/keygen_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "receiver/dump_host_keys.h"

namespace vmscope::app {

int run_keygen(const CommandLine& line) {
  std::string name = line.get("--name");
  bool name_ok = !name.empty() && name.size() <= 64;
  for (char c : name) {
    name_ok = name_ok &&
              (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
  }
  if (!name_ok || !line.positional.empty()) {
    std::cerr << "usage: vmscope keygen --name NAME [--dir DIR]\n"
                 "  NAME: 1..64 letters, digits, '.', '_', '-'\n";
    return 2;
  }
  std::filesystem::path path =
      std::filesystem::path(line.get("--dir", ".")) / (name + ".vmscope-key");
  HostKeyFile key = generate_host_key();
  if (key.host_id == 0) {
    std::cerr << "vmscope keygen: no random numbers from the operating system\n";
    return 1;
  }
  std::string text = format_host_key_file(key);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::cerr << "vmscope keygen: cannot create " << path.string() << ": " << std::strerror(errno)
              << "\n";
    return 1;
  }
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  written = ::close(fd) == 0 && written;
  if (!written) {
    std::cerr << "vmscope keygen: cannot write " << path.string() << "\n";
    std::filesystem::remove(path);
    return 1;
  }
  char id[32];
  std::snprintf(id, sizeof id, "0x%016llx", static_cast<unsigned long long>(key.host_id));
  std::cout << "wrote " << path.string() << " (host_id " << id << ")\n"
            << "receiver host table line:\n  " << name << " " << path.string()
            << " [allowed source addresses]\n";
  return 0;
}

}  // namespace vmscope::app
