// Host keys of the dump wire protocol (protocol-spec/dump-wire-protocol.md §8).
//
// Key file (`vmscope keygen --name NAME` writes NAME.vmscope-key, mode 0600), two lines:
//     host_id=0x<16 hex digits>
//     key=<64 hex digits>
// Host table (the receiver's configuration), one host per line, '#' starts a comment:
//     <name> <key file> [<allowed source address> ...]
// A relative key file is relative to the table's directory. Without addresses a host may send
// from anywhere (a spoofed source gains nothing: packets still need the key). Names are 1..64
// bytes of letters, digits, '.', '_', '-'. Duplicate names or host_ids are errors.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "receiver/dump_packet_crypto.h"
#include "support/result.h"

namespace vmscope {

struct HostKeyFile {
  std::uint64_t host_id = 0;
  dumpwire::HostKey key{};
};

struct DumpHost {
  std::string name;
  std::uint64_t host_id = 0;
  dumpwire::HostKey key{};
  std::vector<std::string> allowed_addresses;  // textual IPs; empty = any
};

// Errors: kCorrupt (naming the line) for a malformed file; kIo/kNotFound for reading.
Result<HostKeyFile> parse_host_key_file(std::string_view text);
Result<HostKeyFile> read_host_key_file(const std::filesystem::path& path);
std::string format_host_key_file(const HostKeyFile& key);

Result<std::vector<DumpHost>> parse_host_table(std::string_view text,
                                               const std::filesystem::path& base_dir);
Result<std::vector<DumpHost>> read_host_table(const std::filesystem::path& path);

// A fresh host: random nonzero host_id and key from the OS CSPRNG (libsodium randombytes).
HostKeyFile generate_host_key();

}  // namespace vmscope
