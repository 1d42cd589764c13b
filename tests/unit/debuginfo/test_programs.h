// Builds the debuginfo unit tests' subjects at test time: the C and assembly files in data/
// (next to this header, found through __FILE__, which CMake passes as an absolute path) are
// compiled with the system gcc into a temporary directory. Tests thereby read real DWARF 4/5
// and real symbol tables, and compare with what the compiled program itself prints (sizes,
// offsets, bit positions) or with binutils' nm, never with numbers written by hand.
//
// Chosen over a CMake custom command because tests/unit's glob gives each *_test.cpp its own
// binary with no per-test CMake; gcc and binutils are present wherever the project builds.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace vmscope::debuginfo::testing {

inline std::string data_dir() {
  return (std::filesystem::path(__FILE__).parent_path() / "data").string();
}

// Runs a shell command; returns its stdout, or nullopt (with a test failure) if it fails.
inline std::optional<std::string> run_command(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) {
    ADD_FAILURE() << "cannot run: " << command;
    return std::nullopt;
  }
  std::array<char, 4096> buffer;
  std::size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    output.append(buffer.data(), n);
  int status = ::pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ADD_FAILURE() << "command failed: " << command << "\n" << output;
    return std::nullopt;
  }
  return output;
}

// A private temporary directory, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "/vmscope-debuginfo-XXXXXX";
    char* made = ::mkdtemp(pattern.data());
    if (!made) {
      ADD_FAILURE() << "mkdtemp failed for " << pattern;
    } else {
      path_ = made;
    }
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Fixed build-ids, so tests can check them.
inline constexpr const char* kShapesBuildId = "0123456789abcdef0123456789abcdef01234567";
inline constexpr const char* kSymbolsBuildId = "5e5e5e5e00000000000000000000000000000001";

// shapes.c + other.c, linked (-no-pie, like a vmlinux: ET_EXEC at fixed addresses).
inline std::string build_shapes(const TempDir& dir, int dwarf_version) {
  std::string out = dir.file("shapes-dwarf" + std::to_string(dwarf_version));
  std::string d = data_dir();
  run_command("gcc -g -gdwarf-" + std::to_string(dwarf_version) +
              " -O0 -no-pie -fno-eliminate-unused-debug-types -Wl,--build-id=0x" + kShapesBuildId +
              " -o " + out + " " + d + "/shapes.c " + d + "/other.c");
  return out;
}

// symbols.S, linked without libc.
inline std::string build_symbols(const TempDir& dir) {
  std::string out = dir.file("symbols");
  run_command("gcc -nostdlib -no-pie -Wl,--build-id=0x" + std::string(kSymbolsBuildId) + " -o " +
              out + " " + data_dir() + "/symbols.S");
  return out;
}

// module.c as a relocatable object with a build-id, like a kernel module's debug .ko.
inline std::string build_module(const TempDir& dir, const std::string& name,
                                const std::string& build_id_hex) {
  std::string object = dir.file(name + ".o");
  std::string out = dir.file(name + ".ko");
  run_command("gcc -g -O1 -c -o " + object + " " + data_dir() + "/module.c && ld -r --build-id=0x" +
              build_id_hex + " -o " + out + " " + object);
  return out;
}

// The "kind name [name...] value" lines the shapes program prints, keyed by all but the value.
inline std::map<std::string, long long> program_facts(const std::string& program) {
  std::map<std::string, long long> facts;
  auto output = run_command(program);
  if (!output) return facts;
  std::istringstream lines(*output);
  std::string line;
  while (std::getline(lines, line)) {
    auto last_space = line.rfind(' ');
    if (last_space == std::string::npos) continue;
    facts[line.substr(0, last_space)] = std::stoll(line.substr(last_space + 1));
  }
  return facts;
}

// nm's view of a file's defined symbols: name -> (value, size) (first occurrence).
struct NmSymbol {
  unsigned long long value = 0, size = 0;
  char type = '?';
};
inline std::multimap<std::string, NmSymbol> nm_symbols(const std::string& file) {
  std::multimap<std::string, NmSymbol> symbols;
  auto output = run_command("nm --defined-only -S " + file);
  if (!output) return symbols;
  std::istringstream lines(*output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    std::string w;
    while (fields >> w) f.push_back(w);
    NmSymbol s;
    if (f.size() == 4) {
      s = NmSymbol{std::stoull(f[0], nullptr, 16), std::stoull(f[1], nullptr, 16), f[2][0]};
      symbols.emplace(f[3], s);
    } else if (f.size() == 3) {
      s = NmSymbol{std::stoull(f[0], nullptr, 16), 0, f[1][0]};
      symbols.emplace(f[2], s);
    }
  }
  return symbols;
}

}  // namespace vmscope::debuginfo::testing
