#include "server/session_registry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace vmscope::server {
namespace {

namespace fs = std::filesystem;

class SessionRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        fs::path(::testing::TempDir()) / ("session_registry_test-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "allowed");
    fs::create_directories(root_ / "other");
    std::ofstream(root_ / "allowed" / "not-a-dump") << "hello";
    std::ofstream(root_ / "other" / "secret") << "x";
    fs::create_symlink(root_ / "other" / "secret", root_ / "allowed" / "link-out");
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(SessionRegistryTest, OnlyAllowedDirectoriesAfterResolvingLinksAndDots) {
  SessionRegistry registry({.allowed_dirs = {(root_ / "allowed").string()}});
  EXPECT_TRUE(registry.check_path((root_ / "allowed" / "not-a-dump").string()).ok());
  for (const fs::path& p :
       {root_ / "other" / "secret", root_ / "allowed" / ".." / "other" / "secret",
        root_ / "allowed" / "link-out"}) {
    auto r = registry.check_path(p.string());
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_EQ(r.error().code(), ErrorCode::kPermissionDenied) << p;
  }
  // A sibling whose name starts with the allowed one is not inside it.
  fs::create_directories(root_ / "allowed2");
  std::ofstream(root_ / "allowed2" / "f") << "x";
  EXPECT_FALSE(registry.check_path((root_ / "allowed2" / "f").string()).ok());
}

TEST_F(SessionRegistryTest, MissingFileIsNotFound) {
  SessionRegistry registry({.allow_any_path = true});
  auto r = registry.open({.core = (root_ / "allowed" / "nope").string()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
}

TEST_F(SessionRegistryTest, NonDumpFileIsUnsupportedAndNothingStaysOpen) {
  SessionRegistry registry({.allowed_dirs = {(root_ / "allowed").string()}});
  auto r = registry.open({.core = (root_ / "allowed" / "not-a-dump").string()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kUnsupported);
  EXPECT_TRUE(registry.list().empty());
}

TEST_F(SessionRegistryTest, DebugFilesComeFromDumpDirectoriesOrTheServersDebugDir) {
  fs::create_directories(root_ / "debug" / "boot");
  std::ofstream(root_ / "debug" / "boot" / "vmlinux") << "elf";
  SessionRegistry registry({.allowed_dirs = {(root_ / "allowed").string()},
                            .default_debug_dir = (root_ / "debug").string()});
  EXPECT_TRUE(registry.check_debug_path((root_ / "debug" / "boot" / "vmlinux").string()).ok());
  EXPECT_TRUE(registry.check_debug_path((root_ / "debug").string()).ok());
  EXPECT_TRUE(registry.check_debug_path((root_ / "allowed").string()).ok());
  EXPECT_TRUE(registry.check_debug_path((root_ / "allowed" / "not-a-dump").string()).ok());
  // A dump may not be opened from the debug directory, and nothing outside both is readable.
  EXPECT_EQ(registry.check_path((root_ / "debug" / "boot" / "vmlinux").string()).error().code(),
            ErrorCode::kPermissionDenied);
  for (const fs::path& p : {root_ / "other" / "secret", root_ / "allowed" / "link-out",
                            root_ / "debug" / ".." / "other" / "secret"}) {
    auto r = registry.check_debug_path(p.string());
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_EQ(r.error().code(), ErrorCode::kPermissionDenied) << p;
  }
  // open() applies it to vmlinux and debugDir before touching the dump.
  auto r = registry.open({.core = (root_ / "allowed" / "not-a-dump").string(),
                          .vmlinux = (root_ / "other" / "secret").string()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kPermissionDenied);
}

TEST_F(SessionRegistryTest, UnknownIdsAreNotFound) {
  SessionRegistry registry({});
  EXPECT_EQ(registry.get("dump-9").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(registry.close("dump-9").error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace vmscope::server
