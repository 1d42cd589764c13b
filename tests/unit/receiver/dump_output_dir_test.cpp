#include "receiver/dump_output_dir.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace vmscope {
namespace {

namespace fs = std::filesystem;

TEST(DumpOutputDirTest, NamedByAddressAndUtcTimeWithSuffixes) {
  std::string pattern = (fs::temp_directory_path() / "vmscope-outdir-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  fs::path base = pattern;
  auto a = create_dump_directory(base, "10.0.0.5", 1764430200);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->filename(), "10.0.0.5-2025-11-29-15:30:00");
  auto b = create_dump_directory(base, "10.0.0.5", 1764430200);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->filename(), "10.0.0.5-2025-11-29-15:30:00-2");
  auto v6 = create_dump_directory(base, "fd00::5", 1764430200);
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(fs::is_directory(*v6));
  EXPECT_FALSE(create_dump_directory(base, "../etc", 0).ok());
  EXPECT_FALSE(create_dump_directory(base, "a/b", 0).ok());
  EXPECT_FALSE(create_dump_directory(base, "", 0).ok());
  EXPECT_FALSE(create_dump_directory(base / "missing", "10.0.0.5", 0).ok());
  fs::remove_all(base);
}

}  // namespace
}  // namespace vmscope
