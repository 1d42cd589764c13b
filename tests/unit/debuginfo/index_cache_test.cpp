#include "debuginfo/index_cache.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "debuginfo/elf_file.h"
#include "test_programs.h"

namespace vmscope::debuginfo {
namespace {

using testing::TempDir;

class IndexCacheTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    program_ = testing::build_shapes(*dir_, 5);
  }
  static void TearDownTestSuite() { delete dir_; }

  SourceIdentity identity() const {
    auto file = ElfFile::open(program_);
    EXPECT_TRUE(file.ok());
    return SourceIdentity{(*file)->build_id(), (*file)->file_size(), (*file)->mtime_ns()};
  }
  IndexOpenOptions options() const {
    IndexOpenOptions o;
    o.cache.directory = cache_.path();
    return o;
  }
  std::vector<std::string> cache_files() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(cache_.path())) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

  static inline TempDir* dir_ = nullptr;
  static inline std::string program_;
  TempDir cache_;
};

TEST_F(IndexCacheTest, SecondOpenIsServedFromTheCache) {
  IndexLoadReport first, second;
  auto built = load_or_build_dwarf_index(program_, identity(), options(), &first);
  ASSERT_TRUE(built.ok()) << built.error().to_string();
  EXPECT_FALSE(first.from_cache);
  EXPECT_EQ(first.cache_note, "");
  EXPECT_EQ(first.cache_path,
            cache_.path() + "/" + std::string(testing::kShapesBuildId) + ".vmsidx");
  EXPECT_TRUE(std::filesystem::exists(first.cache_path));
  EXPECT_EQ(cache_files().size(), 1u);  // no temporary left behind

  auto cached = load_or_build_dwarf_index(program_, identity(), options(), &second);
  ASSERT_TRUE(cached.ok());
  EXPECT_TRUE(second.from_cache);
  EXPECT_TRUE(std::equal((*built)->bytes().begin(), (*built)->bytes().end(),
                         (*cached)->bytes().begin(), (*cached)->bytes().end()));
}

TEST_F(IndexCacheTest, CorruptCacheFileIsIgnoredAndReplaced) {
  IndexLoadReport report;
  ASSERT_TRUE(load_or_build_dwarf_index(program_, identity(), options(), &report).ok());
  {
    std::fstream f(report.cache_path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(300);
    f.put('\x5a');
    f.put('\xa5');
  }
  IndexLoadReport after;
  auto index = load_or_build_dwarf_index(program_, identity(), options(), &after);
  ASSERT_TRUE(index.ok());
  EXPECT_FALSE(after.from_cache);
  EXPECT_NE(after.cache_note.find("ignored"), std::string::npos) << after.cache_note;
  IndexLoadReport third;
  ASSERT_TRUE(load_or_build_dwarf_index(program_, identity(), options(), &third).ok());
  EXPECT_TRUE(third.from_cache);  // the rebuilt file replaced the corrupt one
}

TEST_F(IndexCacheTest, TruncatedCacheFileIsIgnored) {
  IndexLoadReport report;
  ASSERT_TRUE(load_or_build_dwarf_index(program_, identity(), options(), &report).ok());
  std::filesystem::resize_file(report.cache_path, 100);
  IndexLoadReport after;
  ASSERT_TRUE(load_or_build_dwarf_index(program_, identity(), options(), &after).ok());
  EXPECT_FALSE(after.from_cache);
}

TEST_F(IndexCacheTest, StaleEntryForAnotherFileOfTheSameBuildIdIsNotTrusted) {
  ASSERT_TRUE(load_or_build_dwarf_index(program_, identity(), options()).ok());
  SourceIdentity touched = identity();
  touched.mtime_ns += 1;
  IndexCache cache(cache_.path());
  auto loaded = cache.load(touched);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code(), ErrorCode::kInvalidArgument);
  // The policy rebuilds, and since the file on disk is not `touched`, does not store.
  IndexLoadReport report;
  ASSERT_TRUE(load_or_build_dwarf_index(program_, touched, options(), &report).ok());
  EXPECT_FALSE(report.from_cache);
  EXPECT_NE(report.cache_note.find("not stored"), std::string::npos) << report.cache_note;
}

TEST_F(IndexCacheTest, MissingEntryIsNotFound) {
  IndexCache cache(cache_.path());
  EXPECT_EQ(cache.load(identity()).error().code(), ErrorCode::kNotFound);
}

TEST_F(IndexCacheTest, DisabledOrImpossibleCachingStillIndexes) {
  IndexOpenOptions off = options();
  off.cache.enabled = false;
  IndexLoadReport report;
  ASSERT_TRUE(load_or_build_dwarf_index(program_, identity(), off, &report).ok());
  EXPECT_EQ(report.cache_note, "caching disabled");
  EXPECT_TRUE(cache_files().empty());

  SourceIdentity no_build_id = identity();
  no_build_id.build_id.clear();
  ASSERT_TRUE(load_or_build_dwarf_index(program_, no_build_id, options(), &report).ok());
  EXPECT_NE(report.cache_note.find("no build-id"), std::string::npos);

  IndexOpenOptions unwritable;
  unwritable.cache.directory = program_ + "/cannot-be-a-directory";
  ASSERT_TRUE(load_or_build_dwarf_index(program_, identity(), unwritable, &report).ok());
  EXPECT_FALSE(report.from_cache);
  EXPECT_NE(report.cache_note.find("not stored"), std::string::npos) << report.cache_note;
}

TEST(IndexCacheDirectoryTest, EnvironmentChoosesTheDirectory) {
  const char* old = std::getenv("VMSCOPE_CACHE");
  std::string saved = old ? old : "";
  ::setenv("VMSCOPE_CACHE", "/some/cache", 1);
  EXPECT_EQ(default_index_cache_directory(), "/some/cache/index");
  if (old) {
    ::setenv("VMSCOPE_CACHE", saved.c_str(), 1);
  } else {
    ::unsetenv("VMSCOPE_CACHE");
  }
}

}  // namespace
}  // namespace vmscope::debuginfo
