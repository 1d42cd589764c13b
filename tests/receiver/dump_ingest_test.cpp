// `vmscope send` to the dump receiver over real UDP on 127.0.0.1, with every fixture dump
// (tests/fixtures/): the received vmcore opens with our backend and every page the source has
// reads back byte for byte; with simulated loss, FEC repairs it; without FEC exactly the lost
// pages read as absent (never as zeros).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "dump/kdump_compressed.h"
#include "dump/open_dump.h"
#include "dump_ingest_harness.h"
#include "dump_test_support.h"
#include "fixture_env.h"
#include "receiver/dump_source.h"

namespace vmscope::testing {
namespace {

namespace fs = std::filesystem;
constexpr auto kTimeout = std::chrono::seconds(300);

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class DumpIngestTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DumpIngestTest, FixtureArrivesCompleteAndIdentical) {
  auto source = open_dump_source(fixture_path(GetParam()));
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  IngestHarness harness;
  ASSERT_TRUE(harness.ok()) << harness.error();
  DumpSendOptions options = harness.send_options();
  options.fec_k = 32;
  options.fec_m = 2;
  auto report = send_dump(*source, options);
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  auto event = harness.wait_finished(report->session_id, kTimeout);
  ASSERT_TRUE(event) << "no completion event";
  EXPECT_EQ(event->kind, DumpEvent::Kind::kCompleted) << event->reason.value_or("");
  EXPECT_EQ(event->state, "complete");
  EXPECT_EQ(event->vmcore.filename(), "vmcore");
  EXPECT_EQ(event->progress.missing, 0u);
  EXPECT_EQ(event->progress.received + event->progress.zero, source->dumpable_pages());
  double mib = static_cast<double>(source->dumpable_pages()) * source->page_size / (1 << 20);
  std::printf(
      "%s: %.0f MiB of pages (%llu datagrams, %.1f MiB on the wire) in %.2f s: %.0f MiB/s\n",
      GetParam().c_str(), mib, static_cast<unsigned long long>(report->datagrams),
      static_cast<double>(report->bytes) / (1 << 20), report->seconds, mib / report->seconds);

  auto copy = open_dump(event->vmcore.string());
  ASSERT_TRUE(copy.ok()) << copy.error().to_string();
  PageComparison pages = compare_pages(*source, **copy);
  EXPECT_EQ(pages.identical + pages.source_unreadable, source->dumpable_pages());
  EXPECT_EQ(pages.absent + pages.different + pages.other_errors, 0u) << pages.first_problem;
  EXPECT_EQ((*copy)->notes().vmcoreinfo, source->dump->notes().vmcoreinfo);
  EXPECT_EQ((*copy)->notes().prstatus.size(), source->dump->notes().prstatus.size());
  const auto* kdump = dynamic_cast<const KdumpCompressedDump*>(copy->get());
  ASSERT_TRUE(kdump);
  EXPECT_FALSE(kdump->header().incomplete());
  std::string meta = read_text(event->directory / "meta.json");
  EXPECT_NE(meta.find("\"state\": \"complete\""), std::string::npos) << meta;
  EXPECT_NE(meta.find("\"digest\": \"match\""), std::string::npos) << meta;
  auto stats = harness.receiver().stats();
  EXPECT_EQ(stats.total.auth_failed + stats.total.queue_full + stats.total.protocol_violation, 0u);
  EXPECT_EQ(stats.sessions_completed, 1u);
}

// The "must show": a dump sent by `vmscope send` opens in the real crash and drgn with
// the same answers as the original file (their recordings in oracle/formats/).
TEST(DumpIngestOracleTest, ReceivedDumpOpensInCrashAndDrgnLikeTheOriginal) {
  const std::string name = "vmcore.kdump-d31";
  auto source = open_dump_source(fixture_path(name));
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  OracleScratch scratch;
  ASSERT_TRUE(scratch.ok()) << scratch.error();
  // The receiver writes straight into the chroot, so crash and drgn see the received file.
  IngestHarness harness;
  ASSERT_TRUE(harness.ok()) << harness.error();
  DumpSendOptions options = harness.send_options();
  options.compression = PageCodec::kLz4;
  auto report = send_dump(*source, options);
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  auto event = harness.wait_finished(report->session_id, kTimeout);
  ASSERT_TRUE(event);
  ASSERT_EQ(event->kind, DumpEvent::Kind::kCompleted) << event->reason.value_or("");
  fs::copy_file(event->vmcore, scratch.host_path("vmcore"));

  std::string crash = scratch.run_crash("vmcore", "set scroll off\nsys\nps\nbt -a\nquit\n");
  std::string expected = read_text(fixture_path("oracle/formats/" + name + ".crash.txt"));
  EXPECT_NE(crash.find("TASKS:"), std::string::npos) << crash;
  EXPECT_EQ(crash_output_without_paths(crash), crash_output_without_paths(expected));

  std::string drgn =
      scratch.run_drgn("vmcore",
                       "from drgn.helpers.linux.pid import for_each_task\n"
                       "th = prog.crashed_thread()\n"
                       "print('RESULT', sum(1 for _ in for_each_task(prog)), th.tid, "
                       "th.object.comm.string_().decode())\n");
  auto formats = read_json_file(fixture_path("oracle/formats.json"));
  const auto& recorded = formats[name]["drgn"];
  ASSERT_TRUE(recorded["ok"].get<bool>());
  std::string want = "RESULT " + std::to_string(recorded["tasks"].get<int>()) + " " +
                     std::to_string(recorded["crashed"]["pid"].get<int>()) + " " +
                     recorded["crashed"]["comm"].get<std::string>();
  EXPECT_NE(drgn.find(want), std::string::npos) << drgn << "\nwanted: " << want;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, DumpIngestTest,
                         ::testing::Values("vmcore.kdump-d31", "vmcore.kdump-zlib",
                                           "vmcore.kdump-lzo", "vmcore.flat",
                                           "vmcore.qemu-kdump-zlib", "vmcore.elf",
                                           "vmcore.elf-paging"),
                         [](const auto& param_info) {
                           std::string name = param_info.param.substr(7);
                           for (char& c : name) c = (c == '-' || c == '.') ? '_' : c;
                           return name;
                         });

}  // namespace
}  // namespace vmscope::testing
