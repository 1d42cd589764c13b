#include "receiver/dump_sender.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "receiver/dump_packet_crypto.h"
#include "receiver/kdump_writer.h"
#include "receiver/page_compressor.h"

namespace vmscope {
namespace {

namespace fs = std::filesystem;
using namespace dumpwire;

// A small synthetic kdump: pfns 0..99 dumpable (every 5th all zero), 100..127 filtered.
fs::path write_synthetic_dump(const fs::path& dir) {
  KdumpWriterConfig c;
  c.max_pfn = 128;
  c.nr_cpus = 1;
  c.utsname = {"Linux", "n", "6.1.0-syn", "#1", "x86_64", ""};
  auto w = KdumpWriter::create(dir / "source", c);
  EXPECT_TRUE(w.ok());
  EXPECT_TRUE(
      (*w)->set_layout(std::vector<PfnRange>{{0, 128}}, std::vector<PfnRange>{{0, 100}}).ok());
  EXPECT_TRUE((*w)->set_vmcoreinfo("OSRELEASE=6.1.0-syn\nPAGESIZE=4096\n").ok());
  for (std::uint64_t pfn = 0; pfn < 100; ++pfn) {
    if (pfn % 5 == 0) {
      EXPECT_TRUE((*w)->add_zero_page(pfn).ok());
      continue;
    }
    std::vector<std::byte> page(4096);
    for (std::size_t i = 0; i < page.size(); ++i) page[i] = static_cast<std::byte>(pfn ^ (i * 13));
    EXPECT_TRUE((*w)->add_page(pfn, 0, page).ok());
  }
  EXPECT_TRUE((*w)->finish(true).ok());
  return dir / "source";
}

class DumpSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "vmscope-sender-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    // A socket that takes the datagrams (never read: the test looks at the tap).
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  void TearDown() override {
    ::close(fd_);
    fs::remove_all(dir_);
  }
  fs::path dir_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

TEST_F(DumpSenderTest, SendsSealedPacketsThatDescribeTheDump) {
  auto source = open_dump_source(write_synthetic_dump(dir_).string());
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  DumpSendOptions o;
  o.port = port_;
  o.key = generate_host_key();
  o.session_id = 0x5e55;
  o.fec_k = 8;
  o.fec_m = 2;
  o.compression = PageCodec::kLz4;
  std::vector<std::vector<std::byte>> datagrams;
  o.tap = [&](std::span<const std::byte> d) { datagrams.emplace_back(d.begin(), d.end()); };
  auto report = send_dump(*source, o);
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  EXPECT_EQ(report->session_id, 0x5e55u);
  EXPECT_EQ(report->datagrams, datagrams.size());
  EXPECT_EQ(report->dropped, 0u);
  EXPECT_EQ(report->packets.pages, 80u);
  EXPECT_EQ(report->packets.zero_pages, 20u);
  EXPECT_GT(report->packets.parity_packets, 0u);
  // Every datagram opens with the key, seq counts up from 0, and the START says what the
  // source is.
  std::vector<std::byte> body;
  for (std::size_t i = 0; i < datagrams.size(); ++i) {
    PacketHeader h;
    ASSERT_EQ(decode_header(datagrams[i], h), HeaderFault::kNone);
    EXPECT_EQ(h.seq, i);
    EXPECT_EQ(h.host_id, o.key.host_id);
    ASSERT_TRUE(open_packet(o.key.key, datagrams[i], body).ok()) << i;
    EXPECT_LE(datagrams[i].size(), 1452u);
    if (i == 0) {
      auto start = decode_session_start(body);
      ASSERT_TRUE(start.ok());
      EXPECT_EQ(start->max_pfn, 128u);
      EXPECT_EQ(start->release, "6.1.0-syn");
      EXPECT_EQ(start->digest_alg, DigestAlg::kBlake2s256);
      EXPECT_EQ(start->fec_k, 8);
    }
  }
}

TEST_F(DumpSenderTest, SimulatedLossIsSeededAndReportsTheLostPages) {
  auto source = open_dump_source(write_synthetic_dump(dir_).string());
  ASSERT_TRUE(source.ok());
  DumpSendOptions o;
  o.port = port_;
  o.key = generate_host_key();
  o.fec_k = o.fec_m = 0;
  o.loss = 0.2;
  o.loss_seed = 3;
  o.lossy_types = {MessageType::kPages};
  auto first = send_dump(*source, o);
  auto second = send_dump(*source, o);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_GT(first->dropped, 0u);
  EXPECT_EQ(first->dropped, second->dropped);
  EXPECT_EQ(first->dropped_pfns, second->dropped_pfns);
  EXPECT_FALSE(first->dropped_pfns.empty());
  EXPECT_TRUE(std::is_sorted(first->dropped_pfns.begin(), first->dropped_pfns.end()));
  EXPECT_LT(first->dropped_pfns.back(), 100u);
}

TEST_F(DumpSenderTest, RefusesBadOptions) {
  auto source = open_dump_source(write_synthetic_dump(dir_).string());
  ASSERT_TRUE(source.ok());
  DumpSendOptions o;
  o.port = port_;
  EXPECT_FALSE(send_dump(*source, o).ok());  // no key
  o.key = generate_host_key();
  o.fec_k = 65;
  EXPECT_FALSE(send_dump(*source, o).ok());
  o.fec_k = 8;
  o.fec_m = 0;
  EXPECT_FALSE(send_dump(*source, o).ok());
  o.fec_m = 2;
  o.max_datagram = 100;
  EXPECT_FALSE(send_dump(*source, o).ok());
  o.max_datagram = 1452;
  o.address = "not-an-address";
  EXPECT_FALSE(send_dump(*source, o).ok());
}

}  // namespace
}  // namespace vmscope
