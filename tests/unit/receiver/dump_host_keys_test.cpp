#include "receiver/dump_host_keys.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace vmscope {
namespace {

namespace fs = std::filesystem;

TEST(DumpHostKeysTest, KeyFileRoundTrips) {
  HostKeyFile key = generate_host_key();
  EXPECT_NE(key.host_id, 0u);
  std::string text = format_host_key_file(key);
  EXPECT_EQ(text.size(), 10 + 16 + 1 + 4 + 64 + 1);
  auto parsed = parse_host_key_file(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->host_id, key.host_id);
  EXPECT_EQ(parsed->key, key.key);
  EXPECT_NE(generate_host_key().key, key.key);
}

TEST(DumpHostKeysTest, MalformedKeyFilesAreRefused) {
  std::string key(64, 'a');
  EXPECT_TRUE(parse_host_key_file("host_id=0x00000000000000ff\nkey=" + key + "\n").ok());
  EXPECT_FALSE(parse_host_key_file("host_id=0x0000000000000000\nkey=" + key).ok());  // id 0
  EXPECT_FALSE(parse_host_key_file("host_id=0xff\nkey=" + key).ok());                // short
  EXPECT_FALSE(parse_host_key_file("host_id=0x00000000000000ff\nkey=" + key.substr(2)).ok());
  EXPECT_FALSE(parse_host_key_file("host_id=0x00000000000000ff\nkey=" + std::string(64, 'g')).ok());
  EXPECT_FALSE(parse_host_key_file("host_id=0x00000000000000ff\n").ok());  // no key
  EXPECT_FALSE(
      parse_host_key_file("host_id=0x00000000000000ff\nhost_id=0x00000000000000fe\nkey=" + key)
          .ok());
  EXPECT_FALSE(parse_host_key_file("color=blue\n").ok());
}

TEST(DumpHostKeysTest, HostTableReadsKeyFilesRelativeToItself) {
  std::string pattern = (fs::temp_directory_path() / "vmscope-hosts-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  fs::path dir = pattern;
  HostKeyFile a = generate_host_key(), b = generate_host_key();
  std::ofstream(dir / "a.vmscope-key") << format_host_key_file(a);
  std::ofstream(dir / "b.vmscope-key") << format_host_key_file(b);
  std::ofstream(dir / "hosts") << "# name key [addresses]\n"
                                  "web-1 a.vmscope-key 10.0.0.5 fd00::5   # the web server\n"
                                  "\n"
                                  "db_2  "
                               << (dir / "b.vmscope-key").string() << "\n";
  auto hosts = read_host_table(dir / "hosts");
  ASSERT_TRUE(hosts.ok()) << hosts.error().to_string();
  ASSERT_EQ(hosts->size(), 2u);
  EXPECT_EQ((*hosts)[0].name, "web-1");
  EXPECT_EQ((*hosts)[0].host_id, a.host_id);
  EXPECT_EQ((*hosts)[0].key, a.key);
  EXPECT_EQ((*hosts)[0].allowed_addresses, (std::vector<std::string>{"10.0.0.5", "fd00::5"}));
  EXPECT_EQ((*hosts)[1].name, "db_2");
  EXPECT_TRUE((*hosts)[1].allowed_addresses.empty());

  EXPECT_FALSE(parse_host_table("web-1 a.vmscope-key\nweb-1 b.vmscope-key\n", dir).ok());
  EXPECT_FALSE(parse_host_table("x a.vmscope-key\ny a.vmscope-key\n", dir).ok());  // same id
  EXPECT_FALSE(parse_host_table("bad/name a.vmscope-key\n", dir).ok());
  EXPECT_FALSE(parse_host_table("lonely\n", dir).ok());
  EXPECT_FALSE(parse_host_table("c missing.vmscope-key\n", dir).ok());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vmscope
