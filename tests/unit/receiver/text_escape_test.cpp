#include "receiver/text_escape.h"

#include <gtest/gtest.h>

#include <string>

namespace vmscope {
namespace {

using namespace std::string_literals;

TEST(KmsgUnescapeTest, DecodesEscapesInEitherCase) {
  EXPECT_EQ(kmsg_unescape("a\\x0ab"), "a\nb");
  EXPECT_EQ(kmsg_unescape("\\x5c\\x5C"), "\\\\");
  EXPECT_EQ(kmsg_unescape("\\xff\\x00"), "\xff\0"s);
  EXPECT_EQ(kmsg_unescape("plain text"), "plain text");
}

TEST(KmsgUnescapeTest, KeepsMalformedAndTruncatedEscapesLiterally) {
  EXPECT_EQ(kmsg_unescape("\\"), "\\");
  EXPECT_EQ(kmsg_unescape("end\\x"), "end\\x");
  EXPECT_EQ(kmsg_unescape("end\\x4"), "end\\x4");
  EXPECT_EQ(kmsg_unescape("\\xZZ"), "\\xZZ");
  EXPECT_EQ(kmsg_unescape("\\x4g"), "\\x4g");
  EXPECT_EQ(kmsg_unescape("\\y41"), "\\y41");
  // A valid escape right after a broken one is still decoded.
  EXPECT_EQ(kmsg_unescape("\\x\\x41"), "\\xA");
}

TEST(LogLineEscapeTest, EscapesOnlyWhatCouldForgeLinesOrTerminalCodes) {
  EXPECT_EQ(log_line_escape("one\ntwo\r\x1b[2J"), "one\\x0atwo\\x0d\\x1b[2J");
  EXPECT_EQ(log_line_escape("tab\tkept"), "tab\tkept");
  EXPECT_EQ(log_line_escape("del\x7f"), "del\\x7f");
  EXPECT_EQ(log_line_escape("nul\0x"s), "nul\\x00x");
  // Backslashes, quotes and UTF-8 pass byte for byte (syslog lines stay intact).
  EXPECT_EQ(log_line_escape("a=\"b\\\"c\" \xc3\xbc"), "a=\"b\\\"c\" \xc3\xbc");
}

TEST(LogLineEscapeTest, EveryByteValueRoundTripsThroughKmsgUnescape) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  std::string escaped = log_line_escape(all);
  EXPECT_EQ(escaped.find('\n'), std::string::npos);
  // Only control bytes are escaped; unescaping restores them (the input has no "\x" text).
  EXPECT_EQ(kmsg_unescape(escaped), all);
}

}  // namespace
}  // namespace vmscope
