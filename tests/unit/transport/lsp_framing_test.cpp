#include "transport/lsp_framing.h"

#include <gtest/gtest.h>

namespace vmscope::transport {
namespace {

using Kind = FrameEvent::Kind;

std::vector<FrameEvent> feed_all(FrameReader& reader, std::string_view input) {
  std::vector<FrameEvent> events;
  reader.feed(input, events);
  return events;
}

std::vector<FrameEvent> feed_bytewise(FrameReader& reader, std::string_view input) {
  std::vector<FrameEvent> events;
  for (char c : input) reader.feed(std::string_view(&c, 1), events);
  return events;
}

TEST(LspFramingTest, FrameMessageCountsBytesNotCharacters) {
  EXPECT_EQ(frame_message("{}"), "Content-Length: 2\r\n\r\n{}");
  EXPECT_EQ(frame_message("\"\xc3\xa9\""), "Content-Length: 4\r\n\r\n\"\xc3\xa9\"");
}

TEST(LspFramingTest, OneMessage) {
  FrameReader reader;
  auto events = feed_all(reader, "Content-Length: 7\r\n\r\n{\"a\":1}");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kMessage);
  EXPECT_EQ(events[0].body, "{\"a\":1}");
  EXPECT_FALSE(reader.mid_message());
}

TEST(LspFramingTest, PartialReadsOneByteAtATime) {
  FrameReader reader;
  std::string input = frame_message("{\"first\":true}") + frame_message("[1,2,3]");
  auto events = feed_bytewise(reader, input);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].body, "{\"first\":true}");
  EXPECT_EQ(events[1].body, "[1,2,3]");
}

TEST(LspFramingTest, SeveralMessagesInOneRead) {
  FrameReader reader;
  auto events = feed_all(reader, frame_message("1") + frame_message("22") + frame_message("333"));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].body, "333");
}

TEST(LspFramingTest, BareLfLineEndsAndStrayBlankLinesAreAccepted) {
  FrameReader reader;
  auto events = feed_all(reader, "\r\n\nContent-Length: 2\n\n{}\r\n" + frame_message("[]"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].body, "{}");
  EXPECT_EQ(events[1].body, "[]");
}

TEST(LspFramingTest, HeaderNamesInAnyCaseAndUnknownHeadersAreIgnored) {
  FrameReader reader;
  auto events = feed_all(reader,
                         "content-type: application/vscode-jsonrpc; charset=utf-8\r\n"
                         "X-Whatever: yes\r\n"
                         "CONTENT-LENGTH:   2  \r\n"
                         "\r\n"
                         "{}");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kMessage);
  EXPECT_EQ(events[0].body, "{}");
}

TEST(LspFramingTest, ZeroLengthBodyIsAnEmptyMessage) {
  FrameReader reader;
  auto events = feed_all(reader, "Content-Length: 0\r\n\r\n" + frame_message("{}"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::kMessage);
  EXPECT_EQ(events[0].body, "");
  EXPECT_EQ(events[1].body, "{}");
}

TEST(LspFramingTest, OversizedBodyIsSkippedNotStoredAndTheNextMessageIsRead) {
  FrameReader reader(/*max_message_bytes=*/16);
  std::string big(1000, 'x');
  std::string input = frame_message(big) + frame_message("{\"after\":1}");
  std::vector<FrameEvent> events;
  // Arrives in uneven pieces, as from a pipe.
  for (std::size_t i = 0; i < input.size(); i += 37) {
    reader.feed(std::string_view(input).substr(i, 37), events);
  }
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::kOversized);
  EXPECT_EQ(events[0].size, 1000u);
  EXPECT_TRUE(events[0].body.empty());
  EXPECT_EQ(events[1].kind, Kind::kMessage);
  EXPECT_EQ(events[1].body, "{\"after\":1}");
}

TEST(LspFramingTest, OversizedIsReportedBeforeAnyBodyArrives) {
  FrameReader reader(16);
  auto events = feed_all(reader, "Content-Length: 99999999999\r\n\r\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kOversized);
  EXPECT_EQ(events[0].size, 99999999999u);
  EXPECT_TRUE(reader.mid_message());
}

TEST(LspFramingTest, MissingContentLengthResyncsToTheNextMessage) {
  FrameReader reader;
  auto events = feed_all(reader, "Content-Type: application/json\r\n\r\n{\"lost\":1}\r\n" +
                                     frame_message("{\"found\":1}"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::kBadHeader);
  EXPECT_EQ(events[0].error, "missing Content-Length header");
  EXPECT_EQ(events[1].kind, Kind::kMessage);
  EXPECT_EQ(events[1].body, "{\"found\":1}");
}

TEST(LspFramingTest, BadLengthValuesAreRefused) {
  for (const char* value : {"abc", "-5", "0x10", "12 34", "", "99999999999999999999999"}) {
    FrameReader reader;
    auto events = feed_all(
        reader, std::string("Content-Length: ") + value + "\r\n\r\n{}\r\n" + frame_message("[]"));
    ASSERT_EQ(events.size(), 2u) << value;
    EXPECT_EQ(events[0].kind, Kind::kBadHeader) << value;
    EXPECT_EQ(events[1].body, "[]") << value;
  }
}

TEST(LspFramingTest, ConflictingLengthsAreRefusedAndEqualDuplicatesAccepted) {
  FrameReader reader;
  auto events = feed_all(reader, "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}\r\n" +
                                     frame_message("[]") +
                                     "Content-Length: 2\r\ncontent-length: 2\r\n\r\n{}");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kind, Kind::kBadHeader);
  EXPECT_EQ(events[1].body, "[]");
  EXPECT_EQ(events[2].body, "{}");
}

TEST(LspFramingTest, HeaderLineWithoutColonIsRefused) {
  FrameReader reader;
  auto events = feed_all(reader, "hello\r\n" + frame_message("{}"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::kBadHeader);
  EXPECT_EQ(events[0].error, "malformed header line (no colon)");
  EXPECT_EQ(events[1].body, "{}");
}

TEST(LspFramingTest, UnframedJsonIsNotTakenForAnUnknownHeader) {
  FrameReader reader;
  auto events = feed_all(reader, "{\"jsonrpc\":\"2.0\",\"id\":1}\r\n" + frame_message("{}"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::kBadHeader);
  EXPECT_EQ(events[0].error, "malformed header name");
  EXPECT_EQ(events[1].body, "{}");
}

TEST(LspFramingTest, EndlessHeaderGarbageIsReportedOnceAndCostsNoMemory) {
  FrameReader reader;
  std::vector<FrameEvent> events;
  std::string chunk(64 << 10, 'g');                         // no newline at all: one endless line
  for (int i = 0; i < 64; ++i) reader.feed(chunk, events);  // 4 MiB
  reader.feed("\r\n" + frame_message("{\"ok\":1}"), events);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::kBadHeader);
  EXPECT_NE(events[0].error.find("header block larger"), std::string::npos);
  EXPECT_EQ(events[1].body, "{\"ok\":1}");
}

TEST(LspFramingTest, ResyncIgnoresLongLinesThatMerelyStartLikeAHeader) {
  FrameReader reader;
  std::string trap = "Content-Length: 5" + std::string(500, ' ') + "x\r\n";
  auto events = feed_all(reader, "nonsense\r\n" + trap + frame_message("{}"));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::kBadHeader);
  EXPECT_EQ(events[1].body, "{}");
}

TEST(LspFramingTest, MidMessageAtEndOfInput) {
  FrameReader reader;
  feed_all(reader, "Content-Length: 10\r\n\r\n{\"a\":");
  EXPECT_TRUE(reader.mid_message());
  FrameReader headers_only;
  feed_all(headers_only, "Content-Len");
  EXPECT_TRUE(headers_only.mid_message());
  FrameReader clean;
  feed_all(clean, frame_message("{}"));
  EXPECT_FALSE(clean.mid_message());
}

}  // namespace
}  // namespace vmscope::transport
