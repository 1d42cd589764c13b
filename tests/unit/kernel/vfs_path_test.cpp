#include "kernel/vfs_path.h"

#include <gtest/gtest.h>

#include <map>

namespace vmscope::kernel {
namespace {

// A hand-made dentry/mount graph.
class FakeGraph final : public PathGraph {
 public:
  std::map<std::uint64_t, DentryLinks> dentries;
  std::map<std::uint64_t, MountLinks> mounts;
  Result<DentryLinks> dentry(std::uint64_t address) const override {
    auto it = dentries.find(address);
    if (it == dentries.end()) {
      return Error(ErrorCode::kAddressNotMapped, "no dentry", {.address = address});
    }
    return it->second;
  }
  Result<MountLinks> mount(std::uint64_t address) const override {
    auto it = mounts.find(address);
    if (it == mounts.end()) {
      return Error(ErrorCode::kAddressNotMapped, "no mount", {.address = address});
    }
    return it->second;
  }
};

// rootfs (mount 0x100, root dentry 0x1) with /run (0x2) and /run/x (0x3); a tmpfs (mount
// 0x200, root 0x10) mounted on /run, holding /vms (0x11) and /vms/a.txt (0x12).
FakeGraph sample() {
  FakeGraph g;
  g.dentries[0x1] = {0x1, "/"};
  g.dentries[0x2] = {0x1, "run"};
  g.dentries[0x3] = {0x2, "x"};
  g.dentries[0x10] = {0x10, "/"};
  g.dentries[0x11] = {0x10, "vms"};
  g.dentries[0x12] = {0x11, "a.txt"};
  g.mounts[0x100] = {0x100, 0x1, 0x1};
  g.mounts[0x200] = {0x100, 0x2, 0x10};
  return g;
}

TEST(VfsPathTest, RootIsSlash) {
  auto g = sample();
  EXPECT_EQ(build_path(g, 0x1, 0x100).value(), "/");
}

TEST(VfsPathTest, ClimbsWithinOneMount) {
  auto g = sample();
  EXPECT_EQ(build_path(g, 0x3, 0x100).value(), "/run/x");
}

TEST(VfsPathTest, CrossesMountPoints) {
  auto g = sample();
  EXPECT_EQ(build_path(g, 0x12, 0x200).value(), "/run/vms/a.txt");
  EXPECT_EQ(build_path(g, 0x10, 0x200).value(), "/run");  // a mount's root: its mount point
}

TEST(VfsPathTest, UnreachableRootGivesItsName) {
  auto g = sample();
  g.dentries[0x50] = {0x50, "pipe:"};
  g.dentries[0x51] = {0x50, "x"};
  EXPECT_EQ(build_path(g, 0x51, 0x100).value(), "pipe:/x");
}

TEST(VfsPathTest, CycleIsDetected) {
  auto g = sample();
  g.dentries[0x60] = {0x61, "a"};
  g.dentries[0x61] = {0x60, "b"};
  auto path = build_path(g, 0x60, 0x100);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.error().code(), ErrorCode::kLoopDetected);
}

TEST(VfsPathTest, UnreadableLinkFailsWithAddress) {
  auto g = sample();
  g.dentries[0x70] = {0x71, "lost"};
  auto path = build_path(g, 0x70, 0x100);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.error().code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ(path.error().payload().address, 0x71u);
}

}  // namespace
}  // namespace vmscope::kernel
