// The kdump capture path with the real makedumpfile (Debian package): `makedumpfile -F -c -d 31
// DUMP | vmscope send --core - ...` — what a capture kernel runs on /proc/vmcore — streams a
// flattened dump through the real `vmscope send` to the receiver on 127.0.0.1, authenticated
// like any dump. The stream is also tee'd to a file and rearranged by `makedumpfile -R`, the
// tool's own reading of its output: the received dump must hold exactly its pages, and those
// must equal the fixture's.
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "dump/open_dump.h"
#include "dump_ingest_harness.h"
#include "dump_test_support.h"
#include "fixture_env.h"
#include "receiver/dump_host_keys.h"
#include "receiver/dump_source.h"

namespace vmscope::testing {
namespace {

constexpr auto kTimeout = std::chrono::seconds(300);

std::string run(const std::string& command, int& status) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    status = -1;
    return "popen failed";
  }
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  status = ::pclose(pipe);
  return out;
}

TEST(DumpIngestFlattenedTest, MakedumpfileFlattenedStreamPipedIntoSend) {
  std::string original = fixture_path("vmcore.kdump-lzo");  // written by makedumpfile -l -d 0
  auto fixture = open_dump(original);
  ASSERT_TRUE(fixture.ok()) << fixture.error().to_string();
  ASSERT_EQ(::access(VMSCOPE_MAKEDUMPFILE, X_OK), 0)
      << "makedumpfile (Debian package makedumpfile) is not installed";
  IngestHarness harness;
  ASSERT_TRUE(harness.ok()) << harness.error();
  std::string scratch = harness.dump_dir().string() + ".flattened";
  std::string key = scratch + ".vmscope-key", tee = scratch + ".flat",
              rearranged = scratch + ".kdump";
  std::ofstream(key) << format_host_key_file(harness.key());
  int status = 0;
  // bash with pipefail: a failing makedumpfile fails the pipeline.
  std::string output =
      run("bash -o pipefail -c '" + std::string(VMSCOPE_MAKEDUMPFILE) + " -F -c -d 31 " + original +
              " | tee " + tee + " | " + VMSCOPE_BIN + " send --core - --to 127.0.0.1:" +
              std::to_string(harness.send_options().port) + " --key " + key + " --fec 32,2'",
          status);
  std::remove(key.c_str());
  ASSERT_EQ(status, 0) << output;
  std::size_t at = output.find("session 0x");
  ASSERT_NE(at, std::string::npos) << output;
  std::uint64_t session = std::stoull(output.substr(at + 10), nullptr, 16);
  std::printf("%s", output.c_str());

  auto event = harness.wait_finished(session, kTimeout);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->kind, DumpEvent::Kind::kCompleted) << event->reason.value_or("");
  auto received = open_dump(event->vmcore.string());
  ASSERT_TRUE(received.ok()) << received.error().to_string();

  std::string restored =
      run(std::string(VMSCOPE_MAKEDUMPFILE) + " -R " + rearranged + " < " + tee, status);
  std::remove(tee.c_str());
  ASSERT_EQ(status, 0) << restored;
  auto reference = open_dump_source(rearranged);
  ASSERT_TRUE(reference.ok()) << reference.error().to_string();
  // -d 31 left out zero, cache, user and free pages: far fewer than the fixture has.
  EXPECT_LT(reference->dumpable_pages(), 100000u);
  EXPECT_GT(reference->dumpable_pages(), 1000u);
  PageComparison with_received = compare_pages(*reference, **received);
  EXPECT_EQ(with_received.identical, reference->dumpable_pages());
  EXPECT_EQ(with_received.absent + with_received.different + with_received.other_errors, 0u)
      << with_received.first_problem;
  PageComparison with_fixture = compare_pages(*reference, **fixture);
  EXPECT_EQ(with_fixture.identical, reference->dumpable_pages()) << with_fixture.first_problem;
  std::remove(rearranged.c_str());
  std::printf(
      "%llu pages of makedumpfile -F -d 31 received, equal to makedumpfile -R's reading "
      "and to the fixture\n",
      static_cast<unsigned long long>(with_received.identical));
}

}  // namespace
}  // namespace vmscope::testing
