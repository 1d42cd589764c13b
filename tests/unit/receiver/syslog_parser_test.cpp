#include "receiver/syslog_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace vmscope {
namespace {

using namespace std::string_literals;

TEST(SyslogParserTest, Rfc5424AsUtilLinuxLoggerSendsIt) {
  // Captured from `logger --rfc5424 --sd-id ex@32473 --sd-param 'a="b\"c"' --msgid MID`.
  SyslogMessage m = parse_syslog(
      "<13>1 2026-11-29T15:34:20.522614+00:00 vm vmtag - MID [timeQuality tzKnown=\"1\" "
      "isSynced=\"0\"][ex@32473 a=\"b\\\"c\"] sd test");
  EXPECT_EQ(m.format, SyslogFormat::kRfc5424);
  EXPECT_TRUE(m.has_pri);
  EXPECT_EQ(m.facility, 1u);
  EXPECT_EQ(m.severity, 5u);
  EXPECT_EQ(m.timestamp, "2026-11-29T15:34:20.522614+00:00");
  EXPECT_EQ(m.hostname, "vm");
  EXPECT_EQ(m.app_name, "vmtag");
  EXPECT_EQ(m.procid, "");
  EXPECT_EQ(m.msgid, "MID");
  ASSERT_EQ(m.structured_data.size(), 2u);
  EXPECT_EQ(m.structured_data[0].id, "timeQuality");
  ASSERT_EQ(m.structured_data[0].params.size(), 2u);
  EXPECT_EQ(m.structured_data[0].params[1].name, "isSynced");
  EXPECT_EQ(m.structured_data[0].params[1].value, "0");
  EXPECT_EQ(m.structured_data[1].id, "ex@32473");
  EXPECT_EQ(m.structured_data[1].params[0].value, "b\"c");
  EXPECT_EQ(m.message, "sd test");
}

TEST(SyslogParserTest, Rfc5424NilFieldsBomAndEscapes) {
  SyslogMessage m = parse_syslog("<165>1 - - - - - [x a=\"q\\]\\\\\\n\"] \xEF\xBB\xBFhello\n");
  EXPECT_EQ(m.format, SyslogFormat::kRfc5424);
  EXPECT_EQ(m.facility, 20u);
  EXPECT_EQ(m.severity, 5u);
  EXPECT_TRUE(m.timestamp.empty());
  EXPECT_TRUE(m.hostname.empty());
  EXPECT_TRUE(m.app_name.empty());
  ASSERT_EQ(m.structured_data.size(), 1u);
  // \] and \\ are escapes; \n is not, so its backslash stays.
  EXPECT_EQ(m.structured_data[0].params[0].value, "q]\\\\n");
  EXPECT_TRUE(m.bom);
  EXPECT_EQ(m.message, "hello");

  m = parse_syslog("<0>1 2026-01-01T00:00:00Z host app 42 - -");
  EXPECT_EQ(m.procid, "42");
  EXPECT_TRUE(m.structured_data.empty());
  EXPECT_EQ(m.message, "");
}

TEST(SyslogParserTest, Rfc5424MalformedStructuredDataStaysInTheMessage) {
  for (std::string sd : {"[unterminated a=\"b\"", "[id a=\"never closed]", "[id a=b]", "[ a=\"b\"]",
                         "[id =\"b\"]", "[id a=\"b\"x]"}) {
    SyslogMessage m = parse_syslog("<13>1 - h a - - " + sd + " text");
    EXPECT_EQ(m.format, SyslogFormat::kRfc5424) << sd;
    EXPECT_TRUE(m.structured_data.empty()) << sd;
    EXPECT_EQ(m.message, sd + " text") << sd;
  }
  // Too many elements: the first kMaxSdElements are parsed, the rest is message text.
  std::string many;
  for (std::size_t i = 0; i < kMaxSdElements + 2; ++i) many += "[e" + std::to_string(i) + "]";
  SyslogMessage m = parse_syslog("<13>1 - h a - - " + many + " text");
  EXPECT_EQ(m.structured_data.size(), kMaxSdElements);
  EXPECT_TRUE(m.message.starts_with("[e64][e65] text")) << m.message;
}

TEST(SyslogParserTest, Rfc3164AsUtilLinuxLoggerSendsIt) {
  SyslogMessage m = parse_syslog("<13>Nov 29 15:34:20 vm vmtag: hello \xc3\xbcn\xc3\xaf \"x\"");
  EXPECT_EQ(m.format, SyslogFormat::kRfc3164);
  EXPECT_EQ(m.timestamp, "Nov 29 15:34:20");
  EXPECT_EQ(m.hostname, "vm");
  EXPECT_EQ(m.app_name, "vmtag");
  EXPECT_EQ(m.message, "hello \xc3\xbcn\xc3\xaf \"x\"");

  m = parse_syslog("<30>Jan  5 01:02:03 host sshd[1234]: Accepted publickey");
  EXPECT_EQ(m.facility, 3u);
  EXPECT_EQ(m.severity, 6u);
  EXPECT_EQ(m.timestamp, "Jan  5 01:02:03");
  EXPECT_EQ(m.app_name, "sshd");
  EXPECT_EQ(m.procid, "1234");
  EXPECT_EQ(m.message, "Accepted publickey");
}

TEST(SyslogParserTest, Rfc3164Tolerance) {
  // No hostname: the token after the timestamp is the tag.
  SyslogMessage m = parse_syslog("<13>Nov 29 15:34:20 vmtag: no host");
  EXPECT_EQ(m.hostname, "");
  EXPECT_EQ(m.app_name, "vmtag");
  EXPECT_EQ(m.message, "no host");
  // RFC 3339 timestamp in the BSD position.
  m = parse_syslog("<13>2026-11-29T15:34:20+01:00 box kernel: [1.0] x");
  EXPECT_EQ(m.timestamp, "2026-11-29T15:34:20+01:00");
  EXPECT_EQ(m.hostname, "box");
  EXPECT_EQ(m.app_name, "kernel");
  EXPECT_EQ(m.message, "[1.0] x");
  // No timestamp: tag only.
  m = parse_syslog("<13>tag: msg");
  EXPECT_EQ(m.app_name, "tag");
  EXPECT_EQ(m.message, "msg");
  // No PRI at all: user.notice, the whole text a message.
  m = parse_syslog("just some text: here");
  EXPECT_FALSE(m.has_pri);
  EXPECT_EQ(m.facility, 1u);
  EXPECT_EQ(m.severity, 5u);
  EXPECT_EQ(m.app_name, "");
  EXPECT_EQ(m.message, "just some text: here");
  // Bad PRIs are text.
  for (std::string bad : {"<192>x", "<>x", "<1234>x", "<a>x", "<13"}) {
    m = parse_syslog(bad);
    EXPECT_FALSE(m.has_pri) << bad;
    EXPECT_EQ(m.message, bad);
  }
  // A 5424 header that breaks off is read as 3164.
  m = parse_syslog("<13>1 only-two fields");
  EXPECT_EQ(m.format, SyslogFormat::kRfc3164);
  EXPECT_EQ(m.message, "1 only-two fields");
  // Trailing newline, CR and NUL are dropped.
  m = parse_syslog("<13>tag: body\r\n\0"s);
  EXPECT_EQ(m.message, "body");
}

TEST(SyslogParserTest, HostileInputNeverBreaksParsing) {
  std::mt19937 rng(3);
  const std::string alphabet = "<>1 -[]=\"\\:abc0123456789T\xEF\xBB\xBF\n";
  std::string prefixes[] = {"", "<13>", "<13>1 ", "<13>1 - - - - - [", "<13>Nov 29 15:34:20 "};
  for (int i = 0; i < 20000; ++i) {
    std::string text = prefixes[rng() % 5];
    std::size_t length = rng() % 200;
    for (std::size_t j = 0; j < length; ++j) text.push_back(alphabet[rng() % alphabet.size()]);
    SyslogMessage m = parse_syslog(text);
    EXPECT_LE(m.message.size(), text.size());
    EXPECT_LE(m.structured_data.size(), kMaxSdElements);
  }
  // A huge message is linear work and kept whole.
  std::string big = "<13>1 - - - - - " + std::string(1 << 20, '[');
  EXPECT_EQ(parse_syslog(big).message.size(), std::size_t{1} << 20);
}

}  // namespace
}  // namespace vmscope
