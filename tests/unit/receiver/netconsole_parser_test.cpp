#include "receiver/netconsole_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace vmscope {
namespace {

using namespace std::string_literals;

TEST(NetconsoleExtendedTest, ParsesTheKmsgHeaderAndBody) {
  // What Linux 6.1 sends for a record with a device dictionary (printk's ext format).
  std::string datagram =
      "6,1234,5678901,-;e1000: eth0 NIC Link is Up\\x0asecond line\n"
      " SUBSYSTEM=net\n DEVICE=n2\n";
  auto parsed = parse_extended_datagram(datagram);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_FALSE(parsed->header.release);
  EXPECT_FALSE(parsed->header.fragment);
  EXPECT_EQ(parsed->header.prefix, 6u);
  EXPECT_EQ(parsed->header.seq, 1234u);
  EXPECT_EQ(parsed->header.timestamp_us, 5678901u);

  NetconsoleRecord record = extended_record(parsed->header, parsed->body);
  EXPECT_TRUE(record.extended);
  EXPECT_EQ(record.level, 6u);
  EXPECT_EQ(record.facility, 0u);
  EXPECT_EQ(record.seq, 1234u);
  EXPECT_FALSE(record.continuation);
  EXPECT_EQ(record.text, "e1000: eth0 NIC Link is Up\nsecond line");
  ASSERT_EQ(record.dict.size(), 2u);
  EXPECT_EQ(record.dict[0], (std::pair<std::string, std::string>{"SUBSYSTEM", "net"}));
  EXPECT_EQ(record.dict[1], (std::pair<std::string, std::string>{"DEVICE", "n2"}));
  EXPECT_EQ(netconsole_log_line(record), "[    5.678901] e1000: eth0 NIC Link is Up\nsecond line");
}

TEST(NetconsoleExtendedTest, FacilityContinuationCallerAndRelease) {
  auto parsed = parse_extended_datagram("6.13.0-rc1,14,7,100,c,caller=T42;user text\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  NetconsoleRecord record = extended_record(parsed->header, parsed->body);
  EXPECT_EQ(record.release, "6.13.0-rc1");
  EXPECT_EQ(record.facility, 1u);  // 14 = user(1) * 8 + info(6)
  EXPECT_EQ(record.level, 6u);
  EXPECT_TRUE(record.continuation);
  EXPECT_EQ(record.caller, "T42");
  EXPECT_EQ(record.text, "user text");
  EXPECT_EQ(netconsole_log_line(record), "[    0.000100] user text");
  // Large timestamps widen the field the way printk's "%5lu" does.
  record.timestamp_us = 123456789012ull;
  EXPECT_EQ(netconsole_log_line(record), "[123456.789012] user text");
}

TEST(NetconsoleExtendedTest, FragmentFieldIsParsedAndLeftOutOfTheIdentity) {
  auto first = parse_extended_datagram("6,416,1758426,-,ncfrag=0/31;the first chunk,");
  auto second = parse_extended_datagram("6,416,1758426,-,ncfrag=16/31; the 2nd chunk.");
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE(first->header.fragment && second->header.fragment);
  EXPECT_EQ(first->header.fragment->offset, 0u);
  EXPECT_EQ(second->header.fragment->offset, 16u);
  EXPECT_EQ(second->header.fragment->total, 31u);
  EXPECT_EQ(first->header.identity, "6,416,1758426,-");
  EXPECT_EQ(first->header.identity, second->header.identity);
  EXPECT_EQ(second->body, " the 2nd chunk.");
}

TEST(NetconsoleExtendedTest, RejectsWhatIsNotAnExtendedHeader) {
  for (std::string text :
       {"[    1.000000] plain console line; with a semicolon"s, "no semicolon at all"s,
        "6,1,2;too few fields"s, "6,x,2,-;seq not a number"s, "99999,1,2,-;prefix too large"s,
        "6,1,2,,;empty flags"s, "6,1,2,a=b;flags with ="s,
        "6,1,99999999999999999999999,-;timestamp overflows"s,
        "my release,6,1,2,-;space in release"s, ";"s, ""s}) {
    auto parsed = parse_extended_datagram(text);
    EXPECT_FALSE(parsed.ok()) << text;
  }
  EXPECT_EQ(parse_extended_datagram(std::string(600, 'a')).error().code(),
            ErrorCode::kLimitExceeded);
  std::string many_fields = "6,1,2,-";
  for (int i = 0; i < 30; ++i) many_fields += ",x=y";
  EXPECT_EQ(parse_extended_datagram(many_fields + ";t").error().code(), ErrorCode::kLimitExceeded);
}

TEST(NetconsoleExtendedTest, RejectsImpossibleFragments) {
  EXPECT_EQ(parse_extended_datagram("6,1,2,-,ncfrag=31/31;x").error().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(parse_extended_datagram("6,1,2,-,ncfrag=0/0;x").error().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(parse_extended_datagram("6,1,2,-,ncfrag=0/99999999999;x").error().code(),
            ErrorCode::kCorrupt);
  EXPECT_FALSE(parse_extended_datagram("6,1,2,-,ncfrag=0;x").ok());
  EXPECT_FALSE(parse_extended_datagram("6,1,2,-,ncfrag=a/b;x").ok());
  EXPECT_FALSE(parse_extended_datagram("6,1,2,-,ncfrag=0/5,ncfrag=0/5;x").ok());
}

TEST(NetconsoleExtendedTest, HostileBodiesStayBounded) {
  // Truncated escapes, dictionary lines without '=', a dictionary line that is all '='.
  auto parsed = parse_extended_datagram("3,9,9,-;bad \\x4\n no-equals\n =novalue\n K=\\x\n\n");
  ASSERT_TRUE(parsed.ok());
  NetconsoleRecord record = extended_record(parsed->header, parsed->body);
  EXPECT_EQ(record.text, "bad \\x4");
  ASSERT_EQ(record.dict.size(), 1u);
  EXPECT_EQ(record.dict[0].first, "K");
  EXPECT_EQ(record.dict[0].second, "\\x");
  // A body without a newline is all text.
  parsed = parse_extended_datagram("3,9,9,-;no newline");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(extended_record(parsed->header, parsed->body).text, "no newline");
}

TEST(NetconsolePlainTest, SplitsTimestampAndLevelPrefix) {
  NetconsoleRecord record = plain_record("[   12.345678] Kernel panic - not syncing: sysrq");
  EXPECT_FALSE(record.extended);
  EXPECT_EQ(record.timestamp_us, 12345678u);
  EXPECT_EQ(record.text, "Kernel panic - not syncing: sysrq");
  EXPECT_EQ(netconsole_log_line(record), "[   12.345678] Kernel panic - not syncing: sysrq");

  record = plain_record("<4>[    0.100000] warning");
  EXPECT_EQ(record.level, 4u);
  EXPECT_EQ(record.facility, 0u);
  EXPECT_EQ(record.timestamp_us, 100000u);
  EXPECT_EQ(record.text, "warning");
  EXPECT_EQ(netconsole_log_line(record), "<4>[    0.100000] warning");  // as received
}

TEST(NetconsolePlainTest, NonTimestampsAreText) {
  for (std::string line : {"[abc] x"s, "[1.2] short fraction"s, "[ 1.1234567] long fraction"s,
                           "[unterminated"s, "<x>[ 1.000000] y"s, "<"s, "[]"s, ""s}) {
    NetconsoleRecord record = plain_record(line);
    EXPECT_EQ(record.raw, line);
    EXPECT_FALSE(record.timestamp_us) << line;
  }
  EXPECT_EQ(plain_record("<x>[ 1.000000] y").text, "<x>[ 1.000000] y");
}

}  // namespace
}  // namespace vmscope
