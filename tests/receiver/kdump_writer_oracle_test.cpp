// The kdump writer on real data: a fixture dump re-written by receiver/kdump_writer.h reads
// back page for page through our dump layer, and the real crash 8.0.6 and drgn 0.0.31 (the
// oracle chroot) open it and give the same answers as on the original (their recordings in
// oracle/formats/ and oracle/formats.json, made by tests/fixtures/make-fixtures).
#include "receiver/kdump_writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dump/kdump_compressed.h"
#include "dump/kdump_header.h"
#include "dump/open_dump.h"
#include "dump_test_support.h"
#include "fixture_env.h"
#include "receiver/dump_source.h"
#include "receiver/page_compressor.h"

namespace vmscope::testing {
namespace {

namespace fs = std::filesystem;

// The receiver's way of storing a dump, without the network: layout first, then VMCOREINFO
// and notes, then every dumpable page (zero pages shared, others compressed when it helps).
Status rewrite(const DumpSource& source, const fs::path& out, PageCodec codec) {
  KdumpWriterConfig config;
  config.page_size = source.page_size;
  config.max_pfn = source.max_pfn;
  config.phys_base = source.phys_base;
  config.nr_cpus = static_cast<std::int32_t>(source.nr_cpus);
  config.dump_level = source.dump_level;
  config.utsname = *source.metadata.utsname;
  config.timestamp = 1764430000;
  VMSCOPE_TRY(auto writer, KdumpWriter::create(out, config));
  VMSCOPE_CHECK(writer->set_layout(source.metadata.memory_map, *source.metadata.dumpable));
  if (source.metadata.vmcoreinfo)
    VMSCOPE_CHECK(writer->set_vmcoreinfo(*source.metadata.vmcoreinfo));
  if (!source.metadata.elf_notes.empty())
    VMSCOPE_CHECK(writer->set_notes(source.metadata.elf_notes));
  PageCompressor compressor;
  std::vector<std::byte> page(source.page_size), stored;
  std::uint32_t flag = codec == PageCodec::kZstd ? kKdumpPageZstd : kKdumpPageZlib;
  for (const auto& range : *source.metadata.dumpable) {
    for (std::uint64_t pfn = range.start; pfn < range.start + range.count; ++pfn) {
      VMSCOPE_CHECK(source.dump->memory().read(pfn * source.page_size, page));
      if (std::all_of(page.begin(), page.end(), [](std::byte b) { return b == std::byte{0}; })) {
        VMSCOPE_CHECK(writer->add_zero_page(pfn));
      } else if (compressor.compress(codec, page, stored)) {
        VMSCOPE_CHECK(writer->add_page(pfn, flag, stored));
      } else {
        VMSCOPE_CHECK(writer->add_page(pfn, 0, page));
      }
    }
  }
  return writer->finish(true);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

constexpr const char* kCrashCommands = "set scroll off\nsys\nps\nbt -a\nquit\n";

constexpr const char* kDrgnProbe = R"(
import json
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.printk import get_printk_records
res = {"tasks": sum(1 for _ in for_each_task(prog))}
th = prog.crashed_thread()
res["crashed"] = {"pid": th.tid, "comm": th.object.comm.string_().decode()}
res["printk_records"] = len(get_printk_records(prog))
res["release"] = prog["init_uts_ns"].name.release.string_().decode()
print("RESULT " + json.dumps(res))
)";

class KdumpWriterOracleTest : public ::testing::TestWithParam<std::pair<std::string, PageCodec>> {};

TEST_P(KdumpWriterOracleTest, RewrittenDumpOpensInOurBackendCrashAndDrgn) {
  const auto& [name, codec] = GetParam();
  auto source = open_dump_source(fixture_path(name));
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  OracleScratch scratch;
  ASSERT_TRUE(scratch.ok()) << scratch.error();
  fs::path out = scratch.host_path("vmcore");
  Status written = rewrite(*source, out, codec);
  ASSERT_TRUE(written.ok()) << written.error().to_string();

  // Our backend: every dumpable page identical; excluded and unmapped pfns stay so.
  auto copy = open_dump(out.string());
  ASSERT_TRUE(copy.ok()) << copy.error().to_string();
  EXPECT_EQ((*copy)->format_name(), "kdump");
  PageComparison pages = compare_pages(*source, **copy);
  EXPECT_EQ(pages.identical, source->dumpable_pages());
  EXPECT_EQ(pages.absent + pages.different + pages.other_errors, 0u) << pages.first_problem;
  const auto* kdump = dynamic_cast<const KdumpCompressedDump*>(copy->get());
  ASSERT_TRUE(kdump);
  if (const auto* original = dynamic_cast<const KdumpCompressedDump*>(source->dump.get())) {
    for (std::uint64_t pfn = 0; pfn < source->max_pfn; ++pfn) {
      ASSERT_EQ(kdump->page_state(pfn), original->page_state(pfn)) << "pfn " << pfn;
    }
  }
  EXPECT_EQ(kdump->header().release, source->metadata.utsname->release);
  EXPECT_FALSE(source->metadata.utsname->version.empty());  // libkdumpfile requires it
  EXPECT_EQ((*copy)->notes().vmcoreinfo, source->dump->notes().vmcoreinfo);
  EXPECT_EQ((*copy)->notes().prstatus.size(), source->dump->notes().prstatus.size());

  // crash 8.0.6: the same sys, ps and bt -a as on the original file.
  std::string crash = scratch.run_crash("vmcore", kCrashCommands);
  std::string expected = read_file(fixture_path("oracle/formats/" + name + ".crash.txt"));
  EXPECT_NE(crash.find("TASKS:"), std::string::npos) << crash;
  EXPECT_EQ(crash_output_without_paths(crash), crash_output_without_paths(expected));

  // drgn 0.0.31 (libkdumpfile): task count, crashed thread, log and release as recorded.
  std::string drgn = scratch.run_drgn("vmcore", kDrgnProbe);
  auto at = drgn.find("RESULT ");
  ASSERT_NE(at, std::string::npos) << drgn;
  auto result = nlohmann::json::parse(drgn.substr(at + 7, drgn.find('\n', at) - at - 7));
  auto formats = read_json_file(fixture_path("oracle/formats.json"));
  const auto& recorded = formats["vmcore.kdump-lzo"]["drgn"];  // the full dump drgn opened
  ASSERT_TRUE(recorded["ok"].get<bool>());
  EXPECT_EQ(result["tasks"], recorded["tasks"]);
  EXPECT_EQ(result["crashed"], recorded["crashed"]);
  EXPECT_EQ(result["release"], recorded["release"]);
  if (name != "vmcore.kdump-d31") {
    EXPECT_EQ(result["printk_records"], recorded["printk_records"]);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, KdumpWriterOracleTest,
    ::testing::Values(std::make_pair(std::string("vmcore.kdump-lzo"), PageCodec::kZstd),
                      std::make_pair(std::string("vmcore.kdump-d31"), PageCodec::kZlib),
                      std::make_pair(std::string("vmcore.elf"), PageCodec::kZstd)),
    [](const auto& param_info) {
      std::string name = param_info.param.first.substr(7);  // without "vmcore."
      std::replace(name.begin(), name.end(), '-', '_');
      return name + (param_info.param.second == PageCodec::kZstd ? "_as_zstd" : "_as_zlib");
    });

}  // namespace
}  // namespace vmscope::testing
