// KernelFacts' pure part: where module debug files are looked for. The facts themselves are
// computed from a real dump in tests/fixture/rpc/kernel_facts_test.cpp; the caching is
// computed_once_test.cpp's.
#include "server/kernel_facts.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace vmscope::server {
namespace {

namespace fs = std::filesystem;

TEST(KernelFactsTest, ModuleDebugRootFollowsDebiansLayout) {
  const fs::path root =
      fs::path(::testing::TempDir()) / ("kernel_facts_test-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "usr/lib/debug/boot");
  fs::create_directories(root / "usr/lib/debug/lib/modules/6.1.0-57-cloud-amd64");
  fs::create_directories(root / "elsewhere");
  const std::string debug = (root / "usr/lib/debug").string();

  EXPECT_EQ(module_debug_root(debug + "/boot/vmlinux-6.1.0-57-cloud-amd64"), debug);
  EXPECT_EQ(module_debug_root(debug + "/lib/modules/6.1.0-57-cloud-amd64/vmlinux"), debug);
  EXPECT_EQ(module_debug_root((root / "elsewhere/vmlinux").string()), "");
  EXPECT_EQ(module_debug_root(""), "");
  // A boot/ directory without lib/modules beside it is not a debug root.
  fs::create_directories(root / "other/boot");
  EXPECT_EQ(module_debug_root((root / "other/boot/vmlinux").string()), "");
  fs::remove_all(root);
}

}  // namespace
}  // namespace vmscope::server
