#include "receiver/syslog_tcp_framer.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace vmscope {
namespace {

using Messages = std::vector<std::string>;

// Feeds `stream` in pieces of `step` bytes (1 = byte by byte) and collects the messages.
Messages frame(SyslogTcpFramer& framer, const std::string& stream, std::size_t step) {
  Messages out;
  for (std::size_t at = 0; at < stream.size(); at += step) {
    auto messages = framer.feed(std::string_view(stream).substr(at, step));
    EXPECT_TRUE(messages.ok()) << messages.error().to_string();
    if (!messages.ok()) break;
    out.insert(out.end(), messages->begin(), messages->end());
  }
  return out;
}

TEST(SyslogTcpFramerTest, OctetCountingAndNewlinesMixInOneStreamAtAnySplit) {
  // As logger sends them: --octet-count, then plain LF framing; "a\nb" inside a counted frame
  // is one message.
  std::string stream = "11 <13>1 hello<13>tag: lf framed\r\n\n6 a\nb\nc\n<13>last\n";
  for (std::size_t step : {1, 2, 3, 5, 64}) {
    SyslogTcpFramer framer;
    Messages messages = frame(framer, stream, step);
    ASSERT_EQ(messages.size(), 4u) << "step " << step;
    EXPECT_EQ(messages[0], "<13>1 hello");
    EXPECT_EQ(messages[1], "<13>tag: lf framed");
    EXPECT_EQ(messages[2], "a\nb\nc");  // the trailing LF of a counted frame is dropped
    EXPECT_EQ(messages[3], "<13>last");
    EXPECT_FALSE(framer.finish());
  }
}

TEST(SyslogTcpFramerTest, FinishReturnsAnUnterminatedLastLine) {
  SyslogTcpFramer framer;
  EXPECT_TRUE(frame(framer, "<13>no newline", 4).empty());
  EXPECT_EQ(framer.finish(), "<13>no newline");
  EXPECT_EQ(framer.truncated(), 0u);

  SyslogTcpFramer counted;
  EXPECT_TRUE(frame(counted, "20 <13>cut", 4).empty());
  EXPECT_FALSE(counted.finish());
  EXPECT_EQ(counted.truncated(), 1u);
}

TEST(SyslogTcpFramerTest, OversizedFramesAreSkippedAndFramingContinues) {
  SyslogTcpFramer framer(8);
  std::string stream = "20 " + std::string(20, 'x') + "5 short" + std::string(30, 'y') +
                       "\n<1>ok\n9 123456789" + "8 12345678";
  Messages messages = frame(framer, stream, 3);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0], "short");
  EXPECT_EQ(messages[1], "<1>ok");
  EXPECT_EQ(messages[2], "12345678");
  EXPECT_EQ(framer.oversized(), 3u);  // 20 counted, 30 LF, 9 counted
}

TEST(SyslogTcpFramerTest, ExactlyMaxMessageFitsAndACrDoesNotCount) {
  SyslogTcpFramer framer(5);
  Messages messages = frame(framer, "abcde\r\nabcdef\n", 1);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0], "abcde");
  EXPECT_EQ(framer.oversized(), 1u);
}

TEST(SyslogTcpFramerTest, BrokenLengthFieldsAreErrorsThatStick) {
  for (std::string bad : {"12x hello", "0 x", "1234567890 x", "12\n"}) {
    SyslogTcpFramer framer;
    auto result = framer.feed(bad);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.error().code(), ErrorCode::kCorrupt);
    EXPECT_FALSE(framer.feed("<13>fine\n").ok());
  }
}

TEST(SyslogTcpFramerTest, RandomStreamsStayBounded) {
  std::mt19937 rng(9);
  const std::string alphabet = "0123456789 <>\n\rabc";
  for (int round = 0; round < 2000; ++round) {
    SyslogTcpFramer framer(32);
    std::string stream;
    for (std::size_t i = rng() % 400; i > 0; --i)
      stream.push_back(alphabet[rng() % alphabet.size()]);
    std::size_t at = 0;
    while (at < stream.size()) {
      std::size_t step = 1 + rng() % 17;
      auto messages = framer.feed(std::string_view(stream).substr(at, step));
      if (!messages.ok()) break;
      for (const auto& m : *messages) EXPECT_LE(m.size(), 32u);
      at += step;
    }
    auto last = framer.finish();
    if (last) {
      EXPECT_LE(last->size(), 32u);
    }
  }
}

}  // namespace
}  // namespace vmscope
