#include "app/serve_command.h"

#include <gtest/gtest.h>

namespace vmscope::app {
namespace {

Result<ServeOptions> parse(const std::vector<std::string>& args, const char* env_token = nullptr) {
  auto line = parse_command_line(args,
                                 {"--core", "--vmlinux", "--debug-dir", "--http", "--allow-dir",
                                  "--web-root", "--token", "--workers", "--max-message-bytes"},
                                 {"--help", "--stdio", "--test-methods"});
  EXPECT_TRUE(line.ok());
  return parse_serve_options(*line, env_token);
}

TEST(ServeCommandTest, ListenAddresses) {
  auto v4 = parse_listen_address("127.0.0.1:7151");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 7151);
  auto v6 = parse_listen_address("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  EXPECT_TRUE(parse_listen_address("localhost:65535").ok());
  for (const char* bad : {"", "7151", "127.0.0.1", "127.0.0.1:", ":7151", "127.0.0.1:70000",
                          "127.0.0.1:-1", "127.0.0.1:80x", "::1:80", "[::1]", "[::1]80", "[]:80"}) {
    EXPECT_FALSE(parse_listen_address(bad).ok()) << bad;
  }
}

TEST(ServeCommandTest, DefaultsToHttpOnLoopback) {
  auto options = parse({"serve"});
  ASSERT_TRUE(options.ok());
  EXPECT_FALSE(options->stdio);
  ASSERT_TRUE(options->http.has_value());
  EXPECT_EQ(options->http->host, "127.0.0.1");
  EXPECT_EQ(options->http->port, 7151);
  EXPECT_GE(options->workers, 1u);
  EXPECT_EQ(options->max_message_bytes, std::size_t{64} << 20);
  EXPECT_FALSE(options->test_methods);
}

TEST(ServeCommandTest, StdioAloneHasNoHttp) {
  auto options = parse({"serve", "--stdio"});
  ASSERT_TRUE(options.ok());
  EXPECT_TRUE(options->stdio);
  EXPECT_FALSE(options->http.has_value());
}

TEST(ServeCommandTest, EveryOption) {
  auto options = parse({"serve", "--stdio", "--http", "[::1]:0", "--allow-dir", "/a", "--allow-dir",
                        "/b", "--debug-dir", "/d", "--web-root", "/w", "--token", "t", "--workers",
                        "0", "--max-message-bytes", "4096", "--test-methods"});
  ASSERT_TRUE(options.ok()) << options.error().message();
  EXPECT_TRUE(options->stdio);
  EXPECT_EQ(options->http->host, "::1");
  EXPECT_EQ(options->allow_dirs, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(options->debug_dir, "/d");
  EXPECT_EQ(options->web_root, "/w");
  EXPECT_EQ(options->token, "t");
  EXPECT_EQ(options->workers, 0u);
  EXPECT_EQ(options->max_message_bytes, 4096u);
  EXPECT_TRUE(options->test_methods);
}

TEST(ServeCommandTest, TokenFromTheEnvironmentUnlessGiven) {
  EXPECT_EQ(parse({"serve"}, "from-env")->token, "from-env");
  EXPECT_EQ(parse({"serve", "--token", "flag"}, "from-env")->token, "flag");
  EXPECT_EQ(parse({"serve"})->token, "");
}

TEST(ServeCommandTest, BadValuesAreRefused) {
  EXPECT_FALSE(parse({"serve", "--workers", "many"}).ok());
  EXPECT_FALSE(parse({"serve", "--workers", "-1"}).ok());
  EXPECT_FALSE(parse({"serve", "--max-message-bytes", "0"}).ok());
  EXPECT_FALSE(parse({"serve", "--http", "nonsense"}).ok());
  EXPECT_FALSE(parse({"serve", "extra"}).ok());
  EXPECT_FALSE(parse({"serve", "--core", "/x"}).ok());
}

}  // namespace
}  // namespace vmscope::app
