#include "receiver/hook_runner.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vmscope {
namespace {

namespace fs = std::filesystem;

class HookRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "vmscope-hooks-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  void script(const std::string& name, const std::string& body) {
    std::ofstream(dir_ / name) << "#!/bin/sh\n" << body << "\n";
    fs::permissions(dir_ / name, fs::perms::owner_all);
  }
  std::string read(const std::string& name) {
    std::ifstream in(dir_ / name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  fs::path dir_;
};

TEST_F(HookRunnerTest, RunsWithAddressAndDirectoryInOrder) {
  script("dump-start", "echo \"start $1 $2\" >> " + (dir_ / "out").string());
  script("dump-done", "echo \"done $1 $2\" >> " + (dir_ / "out").string() + "; exit 3");
  HookRunner runner(dir_, std::chrono::seconds(5));
  runner.run("dump-start", "10.0.0.1", "/d/10.0.0.1-x");
  runner.run("dump-nospace", "10.0.0.1", "/d/10.0.0.1-x");  // no such script
  runner.run("dump-done", "10.0.0.1", "/d/10.0.0.1-x");
  runner.wait_idle();
  EXPECT_EQ(read("out"), "start 10.0.0.1 /d/10.0.0.1-x\ndone 10.0.0.1 /d/10.0.0.1-x\n");
  HookStats s = runner.stats();
  EXPECT_EQ(s.ran, 1u);
  EXPECT_EQ(s.absent, 1u);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_NE(s.last_problem.find("dump-done"), std::string::npos);
}

TEST_F(HookRunnerTest, SlowHooksAreKilledAtTheTimeout) {
  // The script's child (sleep) is killed with it: the whole process group goes.
  script("dump-start", "sleep 30; echo late > " + (dir_ / "late").string());
  HookRunner runner(dir_, std::chrono::milliseconds(300));
  auto began = std::chrono::steady_clock::now();
  runner.run("dump-start", "h", "d");
  runner.wait_idle();
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(5));
  EXPECT_EQ(runner.stats().timed_out, 1u);
  EXPECT_FALSE(fs::exists(dir_ / "late"));
}

TEST_F(HookRunnerTest, QueueIsBounded) {
  script("dump-start", "sleep 0.2");
  HookRunner runner(dir_, std::chrono::seconds(5), 2);
  for (int i = 0; i < 10; ++i) runner.run("dump-start", "h", "d");
  runner.wait_idle();
  HookStats s = runner.stats();
  EXPECT_GE(s.dropped, 7u);
  EXPECT_EQ(s.ran + s.dropped, 10u);
}

}  // namespace
}  // namespace vmscope
