#include "receiver/received_dump_meta.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vmscope {
namespace {

TEST(ReceivedDumpMetaTest, RendersTheSpecFieldsWithHexAndEscapes) {
  ReceivedDumpMeta m;
  m.host_name = "web-1";
  m.host_id = 0xabc;
  m.address = "10.0.0.5";
  m.session_id = 0x1234;
  m.start.release = "6.1.0";
  m.start.page_size = 4096;
  m.start.max_pfn = 1048576;
  m.start.panic_task = 0xffff888001234000;
  m.panic_message = "Oops \"quoted\"\n\x01 caf\xc3\xa9 \xff";
  m.started = rfc3339_utc(1764430200);
  m.state = "complete";
  m.fec_k = 32;
  m.fec_m = 2;
  m.digest = "match";
  m.erased = {{0xffff0000, 32}};
  std::string j = render_meta_json(m);
  EXPECT_NE(j.find("\"format\": \"vmscope-received-dump/1\""), std::string::npos);
  EXPECT_NE(j.find("\"host_id\": \"0xabc\""), std::string::npos);
  EXPECT_NE(j.find("\"panic_task\": \"0xffff888001234000\""), std::string::npos);
  EXPECT_NE(j.find("\"started\": \"2025-11-29T15:30:00Z\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"reason\": null"), std::string::npos);
  EXPECT_NE(j.find("\"end\": null"), std::string::npos);
  // Quotes and control bytes escaped, UTF-8 kept, invalid bytes replaced.
  EXPECT_NE(j.find(R"("Oops \"quoted\"\u000a\u0001 café �")"), std::string::npos) << j;
  EXPECT_NE(j.find("\"erased\": [{\"address\": \"0xffff0000\", \"length\": 32}]"),
            std::string::npos);
}

TEST(ReceivedDumpMetaTest, WrittenByRename) {
  namespace fs = std::filesystem;
  std::string pattern = (fs::temp_directory_path() / "vmscope-meta-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  ReceivedDumpMeta m;
  m.state = "receiving";
  ASSERT_TRUE(write_meta_json(pattern, m).ok());
  m.state = "complete";
  ASSERT_TRUE(write_meta_json(pattern, m).ok());
  std::ifstream in(fs::path(pattern) / "meta.json");
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_NE(s.str().find("\"state\": \"complete\""), std::string::npos);
  EXPECT_FALSE(fs::exists(fs::path(pattern) / ".meta.json.tmp"));
  fs::remove_all(pattern);
  EXPECT_FALSE(write_meta_json(fs::path(pattern) / "gone", m).ok());
}

}  // namespace
}  // namespace vmscope
