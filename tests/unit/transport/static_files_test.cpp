#include "transport/static_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace vmscope::transport {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("vmscope-static-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    root_ = base_ / "dist";
    fs::create_directories(root_ / "assets");
    fs::create_directories(root_ / "docs");
    write(root_ / "index.html", "<html>app</html>");
    write(root_ / "assets" / "app.js", "console.log(1)");
    write(root_ / "docs" / "index.html", "<html>docs</html>");
    write(base_ / "secret.txt", "outside the root");
    fs::create_symlink(base_ / "secret.txt", root_ / "escape.txt");
    fs::create_directory_symlink(base_, root_ / "up");
  }
  void TearDown() override { fs::remove_all(base_); }
  static void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

  fs::path base_;
  fs::path root_;
};

TEST_F(StaticFilesTest, ServesFilesWithTheirContentType) {
  auto files = StaticFiles::open(root_);
  ASSERT_TRUE(files.ok());
  auto index = files->get("/");
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->content, "<html>app</html>");
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_FALSE(index->fallback);
  auto script = files->get("/assets/app.js");
  ASSERT_TRUE(script.ok());
  EXPECT_EQ(script->content, "console.log(1)");
  EXPECT_EQ(script->content_type, "text/javascript; charset=utf-8");
  auto docs = files->get("/docs/");
  ASSERT_TRUE(docs.ok());
  EXPECT_EQ(docs->content, "<html>docs</html>");
}

TEST_F(StaticFilesTest, UnknownRoutesFallBackToIndexButMissingAssetsDoNot) {
  auto files = StaticFiles::open(root_);
  ASSERT_TRUE(files.ok());
  auto route = files->get("/dumps/dump-1/tasks");
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(route->content, "<html>app</html>");
  EXPECT_TRUE(route->fallback);
  auto missing = files->get("/assets/missing.js");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
}

TEST_F(StaticFilesTest, NothingOutsideTheRootIsServed) {
  auto files = StaticFiles::open(root_);
  ASSERT_TRUE(files.ok());
  for (const char* path :
       {"/../secret.txt", "/assets/../../secret.txt", "/..", "/escape.txt", "/up/secret.txt",
        "/up/dist/../secret.txt", "/assets\\..\\..\\secret.txt", "/../dist/../secret.txt"}) {
    auto result = files->get(path);
    EXPECT_FALSE(result.ok() && result->content == "outside the root") << path;
    if (!result.ok()) {
      EXPECT_EQ(result.error().code(), ErrorCode::kNotFound) << path;
    }
  }
  std::string with_nul("/index.html\0.js", 15);
  EXPECT_FALSE(files->get(with_nul).ok());
}

TEST_F(StaticFilesTest, OpenRefusesAMissingRoot) {
  auto files = StaticFiles::open(base_ / "nope");
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.error().code(), ErrorCode::kNotFound);
}

TEST_F(StaticFilesTest, DefaultWebRootIsFoundAboveTheExecutable) {
  fs::create_directories(base_ / "checkout" / "frontend" / "web" / "dist");
  write(base_ / "checkout" / "frontend" / "web" / "dist" / "index.html", "x");
  fs::create_directories(base_ / "checkout" / "build-x" / "bin");
  auto found = find_default_web_root(base_ / "checkout" / "build-x" / "bin" / "vmscope");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(fs::canonical(*found), fs::canonical(base_ / "checkout" / "frontend" / "web" / "dist"));
  EXPECT_FALSE(find_default_web_root(base_ / "elsewhere" / "bin" / "vmscope").has_value());
}

TEST(ContentTypeTest, ByExtension) {
  EXPECT_EQ(content_type_for("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("a.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("a.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("noextension"), "application/octet-stream");
  EXPECT_EQ(content_type_for("a.unknown"), "application/octet-stream");
}

}  // namespace
}  // namespace vmscope::transport
