#include "app/command_line.h"

#include <gtest/gtest.h>

namespace vmscope::app {
namespace {

const std::vector<std::string> kValues = {"--core", "--vmlinux", "--allow-dir"};
const std::vector<std::string> kFlags = {"--stdio"};

TEST(CommandLineTest, SubcommandOptionsAndPositionals) {
  auto line = parse_command_line(
      {"call", "--core", "/d/vmcore", "--vmlinux=/d/vmlinux", "sys/info", "{}"}, kValues, kFlags);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(line->subcommand, "call");
  EXPECT_EQ(line->get("--core"), "/d/vmcore");
  EXPECT_EQ(line->get("--vmlinux"), "/d/vmlinux");
  EXPECT_EQ(line->positional, (std::vector<std::string>{"sys/info", "{}"}));
}

TEST(CommandLineTest, RepeatedOptionsAndFlags) {
  auto line = parse_command_line({"serve", "--allow-dir", "/a", "--allow-dir", "/b", "--stdio"},
                                 kValues, kFlags);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(line->options.at("--allow-dir"), (std::vector<std::string>{"/a", "/b"}));
  EXPECT_TRUE(line->has("--stdio"));
  EXPECT_EQ(line->get("--missing", "dflt"), "dflt");
}

TEST(CommandLineTest, UnknownOptionAndMissingValueAreErrors) {
  auto unknown = parse_command_line({"call", "--cor", "x"}, kValues, kFlags);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().payload().name, "--cor");
  EXPECT_FALSE(parse_command_line({"call", "--core"}, kValues, kFlags).ok());
  EXPECT_FALSE(parse_command_line({"serve", "--stdio=1"}, kValues, kFlags).ok());
}

TEST(CommandLineTest, DoubleDashEndsOptions) {
  auto line = parse_command_line({"call", "--", "--core"}, kValues, kFlags);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(line->positional, (std::vector<std::string>{"--core"}));
}

}  // namespace
}  // namespace vmscope::app
