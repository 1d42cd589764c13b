// Simulated packet loss between `vmscope send` and the receiver (seeded, so repeatable): with
// Reed-Solomon FEC the dump still arrives complete; without it, exactly the pages carried by
// the lost packets read as absent — an error, never zeros — and nothing else differs.
#include <gtest/gtest.h>

#include <cstdio>

#include "dump/open_dump.h"
#include "dump_ingest_harness.h"
#include "dump_test_support.h"
#include "fixture_env.h"
#include "receiver/dump_source.h"

namespace vmscope::testing {
namespace {

constexpr auto kTimeout = std::chrono::seconds(300);

TEST(DumpIngestLossTest, FecRepairsLossOfEveryPacketType) {
  auto source = open_dump_source(fixture_path("vmcore.kdump-d31"));
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  IngestHarness harness;
  ASSERT_TRUE(harness.ok()) << harness.error();
  DumpSendOptions options = harness.send_options();
  options.fec_k = 16;
  options.fec_m = 4;
  options.loss = 0.03;  // every type: START, META, PAGES, PARITY, END
  options.loss_seed = 42;
  options.compression = PageCodec::kLz4;  // stored as zstd by the receiver
  auto report = send_dump(*source, options);
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  ASSERT_GT(report->dropped, 100u);
  auto event = harness.wait_finished(report->session_id, kTimeout);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->kind, DumpEvent::Kind::kCompleted) << event->reason.value_or("");
  EXPECT_GT(event->progress.groups_recovered, 50u);
  EXPECT_EQ(event->progress.groups_lost, 0u);
  auto copy = open_dump(event->vmcore.string());
  ASSERT_TRUE(copy.ok()) << copy.error().to_string();
  PageComparison pages = compare_pages(*source, **copy);
  EXPECT_EQ(pages.identical, source->dumpable_pages());
  EXPECT_EQ(pages.absent + pages.different + pages.other_errors, 0u) << pages.first_problem;
  std::printf("%llu of %llu datagrams dropped; %llu FEC groups recovered\n",
              static_cast<unsigned long long>(report->dropped),
              static_cast<unsigned long long>(report->datagrams),
              static_cast<unsigned long long>(event->progress.groups_recovered));
}

// What `tc netem` would do between two hosts, simulated at the sender: 5% loss, reordering
// within 64 datagrams (data before its SESSION_START, parity before its data, END early) and 2%
// duplicates. FEC k=32, m=8 (the spec's table: ~3 lost groups per GiB at 5% loss; this dump is
// ~17 MB).
TEST(DumpIngestLossTest, LossReorderingAndDuplicationWithFec) {
  auto source = open_dump_source(fixture_path("vmcore.kdump-d31"));
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  IngestHarness harness;
  ASSERT_TRUE(harness.ok()) << harness.error();
  DumpSendOptions options = harness.send_options();
  options.fec_k = 32;
  options.fec_m = 8;
  options.loss = 0.05;
  options.reorder_window = 64;
  options.duplicate = 0.02;
  options.loss_seed = 2026;
  auto report = send_dump(*source, options);
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  ASSERT_GT(report->duplicated, 100u);
  auto event = harness.wait_finished(report->session_id, kTimeout);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->kind, DumpEvent::Kind::kCompleted) << event->reason.value_or("");
  auto copy = open_dump(event->vmcore.string());
  ASSERT_TRUE(copy.ok()) << copy.error().to_string();
  PageComparison pages = compare_pages(*source, **copy);
  EXPECT_EQ(pages.identical, source->dumpable_pages());
  EXPECT_EQ(pages.absent + pages.different + pages.other_errors, 0u) << pages.first_problem;
  DumpReceiverStats stats = harness.receiver().stats();
  EXPECT_GE(stats.total.duplicate, report->duplicated);  // every copy refused and counted
  EXPECT_EQ(stats.total.protocol_violation + stats.total.auth_failed, 0u);
  std::printf("%llu dropped, %llu duplicated, reordered in 64; %llu groups recovered\n",
              static_cast<unsigned long long>(report->dropped),
              static_cast<unsigned long long>(report->duplicated),
              static_cast<unsigned long long>(event->progress.groups_recovered));
}

TEST(DumpIngestLossTest, WithoutFecExactlyTheLostPagesAreAbsent) {
  auto source = open_dump_source(fixture_path("vmcore.kdump-d31"));
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  IngestHarness harness;
  ASSERT_TRUE(harness.ok()) << harness.error();
  DumpSendOptions options = harness.send_options();
  options.fec_k = 0;
  options.fec_m = 0;
  options.loss = 0.02;
  options.loss_seed = 7;
  options.lossy_types = {dumpwire::MessageType::kPages};  // META and END get through
  auto report = send_dump(*source, options);
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  ASSERT_FALSE(report->dropped_pfns.empty());
  auto event = harness.wait_finished(report->session_id, kTimeout);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->kind, DumpEvent::Kind::kFailed);
  EXPECT_EQ(event->state, "incomplete");
  EXPECT_EQ(event->reason.value_or(""), "lost-packets");
  EXPECT_EQ(event->vmcore.filename(), "vmcore-incomplete");
  EXPECT_EQ(event->progress.missing, report->dropped_pfns.size());

  auto copy = open_dump(event->vmcore.string());
  ASSERT_TRUE(copy.ok()) << copy.error().to_string();
  PageComparison pages = compare_pages(*source, **copy);
  EXPECT_EQ(pages.absent_pfns, report->dropped_pfns);
  EXPECT_EQ(pages.identical + pages.absent, source->dumpable_pages());
  EXPECT_EQ(pages.different + pages.other_errors, 0u) << pages.first_problem;
  // The error says what happened, with the address.
  std::vector<std::byte> out(source->page_size);
  Status missing = (*copy)->memory().read(report->dropped_pfns.front() * source->page_size, out);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kPageAbsent);
  EXPECT_NE(missing.error().message().find("incomplete"), std::string::npos)
      << missing.error().message();
  EXPECT_EQ(missing.error().payload().physical, report->dropped_pfns.front() * source->page_size);
}

}  // namespace
}  // namespace vmscope::testing
