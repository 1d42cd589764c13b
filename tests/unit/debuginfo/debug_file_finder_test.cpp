#include "debuginfo/debug_file_finder.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "debuginfo/elf_file.h"
#include "test_programs.h"

namespace fs = std::filesystem;

namespace vmscope::debuginfo {
namespace {

using testing::TempDir;

std::string id(const std::string& last_byte) {
  return "aa" + std::string(36, '0') + last_byte;  // 20 bytes, like a GNU build-id
}

std::vector<std::uint8_t> bytes(const std::string& hex) {
  return *from_hex(hex);
}

// A package extraction root laid out like linux-image-<kver>-dbg.
class DebugFileFinderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    root_ = dir_->file("pkg");
    debug_ = root_ + "/usr/lib/debug";
    place("lib/modules/6.1.0-test/kernel/drivers/net/virtio-net.ko", id("01"));
    place("lib/modules/6.1.0-test/kernel/fs/ext4/ext4.ko", id("02"));
    place("lib/modules/6.1.0-test/kernel/misc/renamed-file.ko", id("03"));
    place("lib/modules/6.1.0-other/kernel/drivers/net/virtio_net.ko", id("04"));
    place("lib/modules/6.1.0-test/kernel/misc/linked.ko", id("05"));
    std::string hex = id("05");
    fs::create_directories(debug_ + "/.build-id/" + hex.substr(0, 2));
    fs::create_symlink("../../lib/modules/6.1.0-test/kernel/misc/linked.ko",
                       debug_ + "/.build-id/" + hex.substr(0, 2) + "/" + hex.substr(2) + ".debug");
    fs::create_directories(debug_ + "/boot");
    fs::copy_file(testing::build_shapes(*dir_, 5), debug_ + "/boot/vmlinux-6.1.0-test");
  }
  static void TearDownTestSuite() { delete dir_; }
  static void place(const std::string& relative, const std::string& build_id) {
    std::string module = testing::build_module(*dir_, "m" + build_id, build_id);
    fs::path target = fs::path(debug_) / relative;
    fs::create_directories(target.parent_path());
    fs::copy_file(module, target);
  }
  static inline TempDir* dir_ = nullptr;
  static inline std::string root_, debug_;
};

TEST_F(DebugFileFinderTest, ByNameWithDashUnderscoreEquivalence) {
  DebugFileFinder finder(debug_);
  auto found = finder.find_module("virtio_net", {}, "6.1.0-test");
  ASSERT_TRUE(found.ok()) << found.error().to_string();
  EXPECT_EQ(*found, debug_ + "/lib/modules/6.1.0-test/kernel/drivers/net/virtio-net.ko");
  auto other = finder.find_module("virtio-net", {}, "6.1.0-other");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*other, debug_ + "/lib/modules/6.1.0-other/kernel/drivers/net/virtio_net.ko");
  EXPECT_TRUE(finder.find_module("ext4.ko.debug", {}, "").ok());
  EXPECT_EQ(finder.find_module("btrfs", {}, "").error().code(), ErrorCode::kNotFound);
}

TEST_F(DebugFileFinderTest, BuildIdDecidesBetweenSameNamedFiles) {
  DebugFileFinder finder(debug_);
  auto test = finder.find_module("virtio_net", bytes(id("01")), "");
  ASSERT_TRUE(test.ok());
  EXPECT_NE(test->find("6.1.0-test"), std::string::npos);
  auto other = finder.find_module("virtio_net", bytes(id("04")), "");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->find("6.1.0-other"), std::string::npos);
}

TEST_F(DebugFileFinderTest, AWrongBuildIdIsNeverReturned) {
  DebugFileFinder finder(debug_);
  auto found = finder.find_module("virtio_net", bytes(id("99")), "6.1.0-test");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(found.error().message().find("another build-id"), std::string::npos)
      << found.error().message();
}

TEST_F(DebugFileFinderTest, BuildIdFindsRenamedAndLinkedFiles) {
  DebugFileFinder finder(debug_);
  auto renamed = finder.find_module("old_name", bytes(id("03")), "");
  ASSERT_TRUE(renamed.ok()) << renamed.error().to_string();
  EXPECT_EQ(fs::path(*renamed).filename(), "renamed-file.ko");
  auto linked = finder.find_module("anything", bytes(id("05")), "");
  ASSERT_TRUE(linked.ok());
  EXPECT_NE(linked->find("/.build-id/aa/"), std::string::npos);
}

TEST_F(DebugFileFinderTest, AcceptsThePackageRoot) {
  DebugFileFinder finder(root_);
  EXPECT_EQ(finder.debug_dir(), debug_);
  EXPECT_TRUE(finder.find_module("ext4", {}, "6.1.0-test").ok());
}

TEST_F(DebugFileFinderTest, FindsTheVmlinux) {
  DebugFileFinder finder(debug_);
  auto by_release = finder.find_vmlinux({}, "6.1.0-test");
  ASSERT_TRUE(by_release.ok());
  EXPECT_EQ(*by_release, debug_ + "/boot/vmlinux-6.1.0-test");
  auto by_id = finder.find_vmlinux(bytes(testing::kShapesBuildId), "");
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(*by_id, debug_ + "/boot/vmlinux-6.1.0-test");
  EXPECT_EQ(finder.find_vmlinux(bytes(id("01")), "6.1.0-test").error().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(finder.find_vmlinux({}, "5.10.0").error().code(), ErrorCode::kNotFound);
}

TEST(DebugFileFinderNamesTest, Normalization) {
  EXPECT_EQ(DebugFileFinder::normalize_module_name("virtio-net.ko"), "virtio_net");
  EXPECT_EQ(DebugFileFinder::normalize_module_name("/a/b/nf_conntrack.ko.debug"), "nf_conntrack");
  EXPECT_EQ(DebugFileFinder::normalize_module_name("ext4"), "ext4");
}

}  // namespace
}  // namespace vmscope::debuginfo
