#include "receiver/dump_messages.h"

#include <gtest/gtest.h>

#include <vector>

#include "receiver/le_bytes.h"

namespace vmscope::dumpwire {
namespace {

SessionStart sample_start() {
  SessionStart s;
  s.page_size = 4096;
  s.max_datagram = 1452;
  s.max_pfn = 0x20000;
  s.panic_task = 0xffff888001234000;
  s.phys_base = 0x1000000;
  s.panic_time = -5;
  s.nr_cpus = 2;
  s.e_machine = 62;
  s.digest_alg = DigestAlg::kBlake2s256;
  s.fec_k = 32;
  s.fec_m = 2;
  s.dump_level = 16;
  s.meta_chunk = 1000;
  s.meta_length = 4500;
  s.boot_id[0] = std::byte{0xab};
  s.release = "6.1.0-57-cloud-amd64";
  return s;
}

TEST(DumpMessagesTest, SessionStartRoundTripsAt144Bytes) {
  std::vector<std::byte> body;
  encode_session_start(sample_start(), body);
  ASSERT_EQ(body.size(), kSessionStartSize);
  EXPECT_EQ(le::load<std::uint16_t>(body.data() + 44), 62u);  // e_machine at offset 44
  EXPECT_EQ(body[47], std::byte{32});                         // fec_k at 47
  EXPECT_EQ(body[72], std::byte{'6'});                        // release at 72
  auto decoded = decode_session_start(body);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, sample_start());
  EXPECT_EQ(decoded->meta_chunks(), 5u);
}

TEST(DumpMessagesTest, SessionStartFieldRules) {
  auto refuse = [](auto mutate) {
    SessionStart s = sample_start();
    mutate(s);
    std::vector<std::byte> body;
    encode_session_start(s, body);
    return !decode_session_start(body).ok();
  };
  EXPECT_TRUE(refuse([](SessionStart& s) { s.page_size = 6000; }));
  EXPECT_TRUE(refuse([](SessionStart& s) { s.page_size = 2048; }));
  EXPECT_TRUE(refuse([](SessionStart& s) { s.max_datagram = 511; }));
  EXPECT_TRUE(refuse([](SessionStart& s) { s.max_pfn = 0; }));
  EXPECT_TRUE(refuse([](SessionStart& s) { s.max_pfn = (std::uint64_t{1} << 40) + 1; }));
  EXPECT_TRUE(refuse([](SessionStart& s) { s.fec_k = 65; }));
  EXPECT_TRUE(refuse([](SessionStart& s) { s.fec_m = 17; }));
  EXPECT_TRUE(refuse([](SessionStart& s) { s.fec_k = 0; }));  // m without k
  EXPECT_TRUE(refuse([](SessionStart& s) { s.meta_length = (16u << 20) + 1; }));
  EXPECT_TRUE(refuse([](SessionStart& s) { s.meta_chunk = 0; }));
  EXPECT_TRUE(refuse([](SessionStart& s) { s.meta_chunk = 1452 - 48 - 20 - 16 + 1; }));
  EXPECT_FALSE(refuse([](SessionStart& s) { s.meta_chunk = 1452 - 48 - 20 - 16; }));
  EXPECT_TRUE(refuse([](SessionStart& s) { s.digest_alg = static_cast<DigestAlg>(2); }));
  std::vector<std::byte> body;
  encode_session_start(sample_start(), body);
  body.pop_back();
  EXPECT_FALSE(decode_session_start(body).ok());
}

TEST(DumpMessagesTest, MetaChunkSizesFollowTheStart) {
  SessionStart s = sample_start();  // 4500 bytes in chunks of 1000: last chunk 500
  std::vector<std::byte> data(1000, std::byte{7});
  std::vector<std::byte> body;
  encode_meta_chunk({.data_index = 3, .chunk_index = 1, .bytes = data}, body);
  auto chunk = decode_meta_chunk(body, s);
  ASSERT_TRUE(chunk.ok());
  EXPECT_EQ(chunk->data_index, 3u);
  EXPECT_EQ(chunk->chunk_index, 1u);
  EXPECT_EQ(chunk->bytes.size(), 1000u);
  body.clear();
  encode_meta_chunk({.data_index = 3, .chunk_index = 4, .bytes = data}, body);
  EXPECT_FALSE(decode_meta_chunk(body, s).ok());  // the last chunk holds 500
  body.clear();
  encode_meta_chunk({.data_index = 3, .chunk_index = 4, .bytes = std::span(data).first(500)}, body);
  EXPECT_TRUE(decode_meta_chunk(body, s).ok());
  body.clear();
  encode_meta_chunk({.data_index = 3, .chunk_index = 5, .bytes = std::span(data).first(500)}, body);
  EXPECT_FALSE(decode_meta_chunk(body, s).ok());
}

TEST(DumpMessagesTest, PagesRecordsRoundTripAndAreChecked) {
  SessionStart s = sample_start();
  std::vector<std::byte> payload(300, std::byte{0x5a});
  std::vector<std::byte> body;
  encode_pages_header(77, 3, body);
  encode_page_record({.kind = RecordKind::kPage,
                      .compression = PageCompression::kZstd,
                      .chunk_index = 1,
                      .chunk_count = 2,
                      .pfn = 100,
                      .payload = payload},
                     body);
  encode_page_record({.kind = RecordKind::kZeroRun, .pfn = 101, .run_length = 50}, body);
  encode_page_record({.kind = RecordKind::kUnavailableRun, .pfn = 151, .run_length = 1}, body);
  ASSERT_EQ(body.size(), 12u + 16 + 300 + 24 + 24);
  auto pages = decode_pages(body, s);
  ASSERT_TRUE(pages.ok()) << pages.error().to_string();
  EXPECT_EQ(pages->data_index, 77u);
  ASSERT_EQ(pages->records.size(), 3u);
  EXPECT_EQ(pages->records[0].compression, PageCompression::kZstd);
  EXPECT_EQ(pages->records[0].chunk_index, 1u);
  EXPECT_EQ(pages->records[0].chunk_count, 2u);
  EXPECT_EQ(pages->records[0].payload.size(), 300u);
  EXPECT_EQ(pages->records[1].kind, RecordKind::kZeroRun);
  EXPECT_EQ(pages->records[1].run_length, 50u);
  EXPECT_EQ(pages->records[2].pfn, 151u);

  // A trailing byte, a missing record, a run past max_pfn, an unknown kind: all refused.
  auto extra = body;
  extra.push_back(std::byte{0});
  EXPECT_FALSE(decode_pages(extra, s).ok());
  auto short_count = body;
  short_count[8] = std::byte{4};
  EXPECT_FALSE(decode_pages(short_count, s).ok());
  std::vector<std::byte> run;
  encode_pages_header(1, 1, run);
  encode_page_record({.kind = RecordKind::kZeroRun, .pfn = s.max_pfn - 1, .run_length = 2}, run);
  EXPECT_FALSE(decode_pages(run, s).ok());
  auto bad_kind = body;
  bad_kind[12] = std::byte{9};
  EXPECT_FALSE(decode_pages(bad_kind, s).ok());
  auto bad_chunk = body;
  bad_chunk[12 + 2] = std::byte{2};  // chunk_index 2 of 2
  EXPECT_FALSE(decode_pages(bad_chunk, s).ok());
}

TEST(DumpMessagesTest, ParityAndEnd) {
  SessionStart s = sample_start();
  std::vector<std::byte> symbol(40, std::byte{1});
  std::vector<std::byte> body;
  encode_parity(
      {.group = 9, .parity_index = 1, .group_size = 32, .symbol_length = 40, .parity = symbol},
      body);
  auto parity = decode_parity(body, s);
  ASSERT_TRUE(parity.ok());
  EXPECT_EQ(parity->group, 9u);
  EXPECT_EQ(parity->parity.size(), 40u);
  body[8] = std::byte{2};  // parity_index 2 with fec_m 2
  EXPECT_FALSE(decode_parity(body, s).ok());
  SessionStart no_fec = s;
  no_fec.fec_k = no_fec.fec_m = 0;
  body[8] = std::byte{0};
  EXPECT_FALSE(decode_parity(body, no_fec).ok());

  EndMessage end{.data_packets = 10,
                 .pages_sent = 20,
                 .zero_pages = 30,
                 .unavailable = 1,
                 .payload_bytes = 12345,
                 .status = EndStatus::kTimeLimit};
  end.digest[31] = std::byte{0xee};
  body.clear();
  encode_end(end, body);
  ASSERT_EQ(body.size(), kEndSize);
  auto decoded = decode_end(body);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, end);
  body[40] = std::byte{4};
  EXPECT_FALSE(decode_end(body).ok());
}

}  // namespace
}  // namespace vmscope::dumpwire
