// The disk fills while a dump arrives (a file-size limit on the receiver's process makes its
// writes fail exactly as a full disk does, with nothing mounted): what was written stays, the
// file stays vmcore-incomplete with reason disk-full, the dump-nospace hook runs, and every
// page that reached the file reads back byte-identical; the others read as absent. Also checks
// that the hooks get netdump's arguments.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>

#include "dump/open_dump.h"
#include "dump_ingest_harness.h"
#include "dump_test_support.h"
#include "fixture_env.h"
#include "receiver/dump_source.h"

namespace vmscope::testing {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_hook(const fs::path& scripts, const std::string& name, const fs::path& marker) {
  fs::create_directories(scripts);
  std::ofstream(scripts / name) << "#!/bin/sh\necho \"" << name << " $1 $2\" >> '"
                                << marker.string() << "'\n";
  fs::permissions(scripts / name, fs::perms::owner_all);
}

TEST(DumpIngestNospaceTest, PartialDumpIsKeptMarkedAndHooked) {
  auto source = open_dump_source(fixture_path("vmcore.kdump-lzo"));
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  IngestHarness harness([](DumpReceiverConfig& c) { c.hook_timeout = std::chrono::seconds(10); });
  ASSERT_TRUE(harness.ok()) << harness.error();
  fs::path marker = harness.dump_dir() / "hooks.txt";
  for (const char* hook : {"dump-start", "dump-nospace", "dump-done"}) {
    write_hook(harness.dump_dir() / "scripts", hook, marker);
  }

  struct rlimit old_limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = old_limit;
  limit.rlim_cur = 12 << 20;  // the vmcore's headers and descriptor table take ~3.2 MB
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  DumpSendOptions options = harness.send_options();
  auto report = send_dump(*source, options);
  auto event =
      harness.wait_finished(report.ok() ? report->session_id : 0, std::chrono::seconds(300));
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::signal(SIGXFSZ, old_handler);
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  ASSERT_TRUE(event);

  EXPECT_EQ(event->kind, DumpEvent::Kind::kFailed);
  EXPECT_EQ(event->state, "incomplete");
  EXPECT_EQ(event->reason.value_or(""), "disk-full");
  EXPECT_EQ(event->vmcore.filename(), "vmcore-incomplete");
  std::string meta = read_text(event->directory / "meta.json");
  EXPECT_NE(meta.find("\"reason\": \"disk-full\""), std::string::npos) << meta;

  auto copy = open_dump(event->vmcore.string());
  ASSERT_TRUE(copy.ok()) << copy.error().to_string();
  PageComparison pages = compare_pages(*source, **copy);
  EXPECT_GT(pages.identical, 1000u);  // what arrived before the disk filled is kept
  EXPECT_GT(pages.absent, 1000u);
  EXPECT_EQ(pages.identical + pages.absent, source->dumpable_pages());
  EXPECT_EQ(pages.different + pages.other_errors, 0u) << pages.first_problem;
  std::printf("kept %llu pages, %llu absent after the disk filled\n",
              static_cast<unsigned long long>(pages.identical),
              static_cast<unsigned long long>(pages.absent));

  harness.receiver().stop();  // waits for the hooks
  std::string hooks = read_text(marker);
  std::string dir = event->directory.string();
  EXPECT_NE(hooks.find("dump-start 127.0.0.1 " + dir + "\n"), std::string::npos) << hooks;
  EXPECT_NE(hooks.find("dump-nospace 127.0.0.1 " + dir + "\n"), std::string::npos) << hooks;
  EXPECT_NE(hooks.find("dump-done 127.0.0.1 " + dir + "\n"), std::string::npos) << hooks;
  EXPECT_EQ(harness.receiver().stats().hooks.ran, 3u);
}

}  // namespace
}  // namespace vmscope::testing
