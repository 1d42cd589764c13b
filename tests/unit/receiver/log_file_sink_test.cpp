#include "receiver/log_file_sink.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace vmscope {
namespace {

namespace fs = std::filesystem;

class LogFileSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "vmscope-sink-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
  }

  fs::path dir_;
};

TEST_F(LogFileSinkTest, OneFilePerHostAndKindOneLinePerRecord) {
  LogFileSink sink(dir_);
  ASSERT_TRUE(sink.append("10.0.0.1", LogKind::kNetconsole, "[    0.000000] Linux").ok());
  ASSERT_TRUE(sink.append("10.0.0.1", LogKind::kNetconsole, "second\nforged line\x1b").ok());
  ASSERT_TRUE(sink.append("10.0.0.1", LogKind::kSyslog, "<13>tag: a \"b\\c\" \xc3\xbc").ok());
  ASSERT_TRUE(sink.append("fe80::1%eth0", LogKind::kSyslog, "v6").ok());
  EXPECT_EQ(read(dir_ / "logs/10.0.0.1/netconsole.log"),
            "[    0.000000] Linux\nsecond\\x0aforged line\\x1b\n");
  EXPECT_EQ(read(dir_ / "logs/10.0.0.1/syslog.log"), "<13>tag: a \"b\\c\" \xc3\xbc\n");
  EXPECT_EQ(read(dir_ / "logs/fe80::1%eth0/syslog.log"), "v6\n");
}

TEST_F(LogFileSinkTest, AppendsAfterExistingContentAndAcrossReopen) {
  {
    LogFileSink sink(dir_, 1);
    // With one descriptor allowed, alternating files forces close and reopen every time.
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(sink.append("a", LogKind::kSyslog, "a" + std::to_string(i)).ok());
      ASSERT_TRUE(sink.append("b", LogKind::kSyslog, "b" + std::to_string(i)).ok());
      EXPECT_EQ(sink.open_files(), 1u);
    }
  }
  LogFileSink again(dir_);
  ASSERT_TRUE(again.append("a", LogKind::kSyslog, "later").ok());
  EXPECT_EQ(read(dir_ / "logs/a/syslog.log"), "a0\na1\na2\na3\na4\nlater\n");
  EXPECT_EQ(read(dir_ / "logs/b/syslog.log"), "b0\nb1\nb2\nb3\nb4\n");
}

TEST_F(LogFileSinkTest, HostNamesCannotLeaveTheLogsFolder) {
  LogFileSink sink(dir_);
  for (std::string host :
       {std::string(), std::string("."), std::string(".."), std::string("../etc"),
        std::string("a/b"), std::string("a b"), std::string("x\n"), std::string(65, '1')}) {
    auto status = sink.append(host, LogKind::kSyslog, "x");
    ASSERT_FALSE(status.ok()) << host;
    EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_FALSE(fs::exists(dir_ / "logs"));
}

TEST_F(LogFileSinkTest, FilesystemFailuresAreIoErrors) {
  // "logs" is a file, so the host folder cannot be made.
  { std::ofstream(dir_ / "logs") << "in the way"; }
  LogFileSink sink(dir_);
  auto status = sink.append("10.0.0.1", LogKind::kSyslog, "x");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kIo);
  fs::remove(dir_ / "logs");

  // A symlink planted in place of the log file is not followed.
  fs::create_directories(dir_ / "logs/10.0.0.2");
  fs::create_symlink(dir_ / "elsewhere", dir_ / "logs/10.0.0.2/syslog.log");
  status = sink.append("10.0.0.2", LogKind::kSyslog, "x");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kIo);
  EXPECT_FALSE(fs::exists(dir_ / "elsewhere"));
}

}  // namespace
}  // namespace vmscope
