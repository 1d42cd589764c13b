// Real loss, reordering and duplication between `vmscope send` and the receiver, made by the
// kernel's packet scheduler on a veth link between two network namespaces (needs root).
//
// This host's kernel has no sch_netem (CONFIG_NET_SCH_NETEM is not set, and there is no module
// directory to load it from), so the same impairments are built from what it has, on the sender's
// egress: an HTB root whose classes are chosen by classic-BPF classifiers that draw a random
// number per packet (`ld rand`, SKF_AD_RANDOM) —
//   5% to a class whose pfifo holds 0 packets            -> loss
//   5% to a class shaped to 20 Mbit/s (a queue builds)   -> reordering (others overtake them)
//   5% mirrored (act_mirred) to a second veth pair whose  -> duplication
//      receiving end has the first one's MAC address
// Only UDP over IPv4 is impaired (ARP is not). The receiver runs in this process, its socket
// made inside the receiver's namespace (setns on this thread, then back); the sender is the real
// `vmscope send` binary, run with `ip netns exec`.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cinttypes>
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
constexpr const char* kReceiverAddress = "10.213.7.1";
constexpr const char* kSenderAddress = "10.213.7.2";

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  int status = ::pclose(pipe);
  if (status != 0) out += "\n[exit status " + std::to_string(status) + "]";
  return out;
}

bool run_ok(const std::string& command, std::string& log) {
  std::string out = run(command);
  log += "$ " + command + "\n" + out;
  return out.find("[exit status") == std::string::npos;
}

// A classic BPF program for cls_bpf: UDP over IPv4 (and, if `type` is set, the wire header's
// type byte at Ethernet 14 + IPv4 20 + UDP 8 + 5 equal to it) with probability permille/1000
// returns `classid` (a match), else 0 (no match: the next filter decides).
std::string random_classifier(unsigned permille, unsigned classid, int type) {
  std::string insns = "40 0 0 12,21 0 JF 2048,48 0 0 23,21 0 JF 17,";  // ldh [12]; ldb [23]
  int count = 4;
  if (type >= 0) {
    insns += "48 0 0 47,21 0 JF " + std::to_string(type) + ",";
    count += 2;
  }
  insns += "32 0 0 4294963256,148 0 0 1000,53 1 0 " + std::to_string(permille) + ",6 0 0 " +
           std::to_string(classid) + ",6 0 0 0";  // ld rand; mod #1000; jge; ret
  count += 5;
  // Every JF jumps to the last instruction (ret #0).
  std::string out;
  int index = 0;
  for (std::size_t at = 0; at < insns.size();) {
    std::size_t comma = insns.find(',', at);
    std::string insn =
        insns.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    std::size_t jf = insn.find("JF");
    if (jf != std::string::npos) insn.replace(jf, 2, std::to_string(count - 1 - index - 1));
    out += (out.empty() ? "" : ",") + insn;
    ++index;
    at = comma == std::string::npos ? insns.size() : comma + 1;
  }
  return std::to_string(count) + "," + out;
}

class ImpairedLink {
 public:
  // `pages_only_loss`: the loss filter takes only PAGES datagrams (type 3).
  explicit ImpairedLink(bool pages_only_loss) {
    std::string pid = std::to_string(::getpid());
    receiver_ns_ = "vmsc-r" + pid;
    sender_ns_ = "vmsc-s" + pid;
    std::string r = "ip -n " + receiver_ns_ + " ", s = "ip -n " + sender_ns_ + " ";
    std::string tc = "ip netns exec " + sender_ns_ + " tc ";
    auto classifier = [&](int prio, unsigned classid, int type, const std::string& action) {
      return tc + "filter add dev s0 parent 1: prio " + std::to_string(prio) + " bpf bytecode '" +
             random_classifier(50, classid, type) +
             "' classid 1:" + std::to_string(classid & 0xffff) + action;
    };
    const std::vector<std::string> steps = {
        "ip netns add " + receiver_ns_,
        "ip netns add " + sender_ns_,
        s + "link add s0 type veth peer name r0 netns " + receiver_ns_,
        s + "link add s1 type veth peer name r1 netns " + receiver_ns_,
        r + "link set r1 address $(" + r + "-br link show r0 | awk '{print $3}')",
        r + "addr add " + kReceiverAddress + "/30 dev r0",
        s + "addr add " + kSenderAddress + "/30 dev s0",
        r + "link set lo up",
        r + "link set r0 up",
        r + "link set r1 up",
        s + "link set lo up",
        s + "link set s0 up",
        s + "link set s1 up",
        // Duplicates arrive on r1, where the reverse path is not the route back.
        "ip netns exec " + receiver_ns_ +
            " sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.r1.rp_filter=0",
        tc + "qdisc add dev s0 root handle 1: htb default 10 r2q 100000",
        tc + "class add dev s0 parent 1: classid 1:10 htb rate 10gbit",
        tc + "class add dev s0 parent 1: classid 1:20 htb rate 10gbit",
        tc + "class add dev s0 parent 1: classid 1:30 htb rate 20mbit ceil 20mbit",
        tc + "qdisc add dev s0 parent 1:10 handle 10: pfifo limit 10000",
        tc + "qdisc add dev s0 parent 1:20 handle 20: pfifo limit 0",
        tc + "qdisc add dev s0 parent 1:30 handle 30: pfifo limit 10000",
        classifier(1, 0x10020, pages_only_loss ? 3 : -1, ""),
        classifier(2, 0x10030, -1, ""),
        classifier(3, 0x10010, -1, " action mirred egress mirror dev s1"),
    };
    for (const std::string& step : steps) {
      if (!run_ok(step, log_)) return;
    }
    ok_ = true;
  }
  ~ImpairedLink() {
    run("ip netns del " + sender_ns_);
    run("ip netns del " + receiver_ns_);
  }
  bool ok() const { return ok_; }
  const std::string& log() const { return log_; }
  const std::string& sender_ns() const { return sender_ns_; }
  const std::string& receiver_ns() const { return receiver_ns_; }
  // Packets the loss class dropped, from `tc -s class show`.
  std::uint64_t dropped() const {
    std::string out = run("ip netns exec " + sender_ns_ + " tc -s class show dev s0 classid 1:20");
    std::size_t at = out.find("dropped ");
    return at == std::string::npos ? 0 : std::stoull(out.substr(at + 8));
  }
  std::string stats() const {
    return run("ip netns exec " + sender_ns_ + " tc -s class show dev s0; ip netns exec " +
               sender_ns_ + " tc -s filter show dev s0 | grep -A1 'Action statistics'");
  }

 private:
  std::string receiver_ns_, sender_ns_, log_;
  bool ok_ = false;
};

// The receiver, its socket made in `ns`.
std::unique_ptr<IngestHarness> receiver_in(const std::string& ns) {
  int self = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  int target = ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  if (self < 0 || target < 0 || ::setns(target, CLONE_NEWNET) != 0) return nullptr;
  auto harness = std::make_unique<IngestHarness>([](DumpReceiverConfig& config) {
    config.address = kReceiverAddress;
    config.hosts.front().allowed_addresses = {kSenderAddress};
  });
  bool back = ::setns(self, CLONE_NEWNET) == 0;
  ::close(self);
  ::close(target);
  return back ? std::move(harness) : nullptr;
}

struct SendResult {
  std::string output;
  std::uint64_t session_id = 0;
};

SendResult send_from(const std::string& ns, const IngestHarness& harness, const std::string& core,
                     const std::string& fec) {
  SendResult result;
  std::string key = harness.dump_dir().string() + "/../" + harness.dump_dir().filename().string() +
                    ".vmscope-key";
  std::ofstream(key) << format_host_key_file(harness.key());
  result.output =
      run("ip netns exec " + ns + " " + VMSCOPE_BIN + " send --core " + core + " --to " +
          kReceiverAddress + ":" + std::to_string(harness.send_options().port) + " --key " + key +
          " --fec " + fec + " --rate 40");
  std::remove(key.c_str());
  std::size_t at = result.output.find("session 0x");
  if (at != std::string::npos)
    result.session_id = std::stoull(result.output.substr(at + 10), nullptr, 16);
  return result;
}

TEST(DumpIngestNetemTest, WithFecTheDumpArrivesCompleteAndEqual) {
  ASSERT_EQ(::geteuid(), 0u) << "network namespaces and tc need root";
  std::string core = fixture_path("vmcore.kdump-zlib");
  auto source = open_dump_source(core);
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  ImpairedLink link(false);
  ASSERT_TRUE(link.ok()) << link.log();
  auto harness = receiver_in(link.receiver_ns());
  ASSERT_TRUE(harness && harness->ok()) << (harness ? harness->error() : "setns failed");
  // k=16, m=8: a group of 24 datagrams is lost only if more than 8 are: ~1e-6 at 5% loss.
  SendResult sent = send_from(link.sender_ns(), *harness, core, "16,8");
  ASSERT_NE(sent.session_id, 0u) << sent.output;
  auto event = harness->wait_finished(sent.session_id, kTimeout);
  ASSERT_TRUE(event);
  std::printf("%s%s", sent.output.c_str(), link.stats().c_str());
  EXPECT_GT(link.dropped(), 100u) << "the link lost too little to prove anything";
  EXPECT_EQ(event->kind, DumpEvent::Kind::kCompleted) << event->reason.value_or("");
  EXPECT_GT(event->progress.groups_recovered, 50u);
  DumpReceiverStats stats = harness->receiver().stats();
  EXPECT_GT(stats.total.duplicate, 100u) << "no duplicates arrived";
  EXPECT_EQ(stats.total.protocol_violation + stats.total.auth_failed, 0u);
  auto copy = open_dump(event->vmcore.string());
  ASSERT_TRUE(copy.ok()) << copy.error().to_string();
  PageComparison pages = compare_pages(*source, **copy);
  EXPECT_EQ(pages.identical, source->dumpable_pages());
  EXPECT_EQ(pages.absent + pages.different + pages.other_errors, 0u) << pages.first_problem;
  std::printf("tc dropped %" PRIu64 " datagrams; receiver: %" PRIu64 " duplicates refused, %" PRIu64
              " FEC groups recovered; %" PRIu64 " pages identical\n",
              link.dropped(), stats.total.duplicate, event->progress.groups_recovered,
              pages.identical);
}

TEST(DumpIngestNetemTest, WithoutFecTheLostPagesAreAbsentNeverWrong) {
  ASSERT_EQ(::geteuid(), 0u) << "network namespaces and tc need root";
  std::string core = fixture_path("vmcore.kdump-d31");
  auto source = open_dump_source(core);
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  // Loss only on PAGES datagrams: without FEC a lost META chunk or every END copy would leave
  // no dump to compare (that case is the "failed" path, tested with simulated loss).
  ImpairedLink link(true);
  ASSERT_TRUE(link.ok()) << link.log();
  auto harness = receiver_in(link.receiver_ns());
  ASSERT_TRUE(harness && harness->ok()) << (harness ? harness->error() : "setns failed");
  SendResult sent = send_from(link.sender_ns(), *harness, core, "none");
  ASSERT_NE(sent.session_id, 0u) << sent.output;
  auto event = harness->wait_finished(sent.session_id, kTimeout);
  ASSERT_TRUE(event);
  std::printf("%s%s", sent.output.c_str(), link.stats().c_str());
  std::uint64_t dropped = link.dropped();
  ASSERT_GT(dropped, 20u) << "the link lost too little to prove anything";
  EXPECT_EQ(event->kind, DumpEvent::Kind::kFailed);
  EXPECT_EQ(event->state, "incomplete");
  EXPECT_EQ(event->reason.value_or(""), "lost-packets");
  EXPECT_EQ(event->vmcore.filename(), "vmcore-incomplete");
  DumpReceiverStats stats = harness->receiver().stats();
  EXPECT_GT(stats.total.duplicate, 20u) << "no duplicates arrived";

  auto copy = open_dump(event->vmcore.string());
  ASSERT_TRUE(copy.ok()) << copy.error().to_string();
  PageComparison pages = compare_pages(*source, **copy);
  // Every page is either the original's or absent; the absent ones are the receiver's count of
  // missing pages; each lost datagram took at least one page with it.
  EXPECT_EQ(pages.identical + pages.absent, source->dumpable_pages());
  EXPECT_EQ(pages.different + pages.other_errors, 0u) << pages.first_problem;
  EXPECT_EQ(pages.absent, event->progress.missing);
  EXPECT_GE(pages.absent, dropped);
  ASSERT_FALSE(pages.absent_pfns.empty());
  std::vector<std::byte> out(source->page_size);
  for (std::uint64_t pfn : pages.absent_pfns) {
    Status missing = (*copy)->memory().read(pfn * source->page_size, out);
    ASSERT_FALSE(missing.ok()) << "pfn " << pfn;
    ASSERT_EQ(missing.error().code(), ErrorCode::kPageAbsent) << missing.error().to_string();
  }
  std::printf("tc dropped %" PRIu64 " PAGES datagrams; %" PRIu64
              " pages absent (read as "
              "kPageAbsent), %" PRIu64 " identical, 0 different; %" PRIu64 " duplicates refused\n",
              dropped, pages.absent, pages.identical, stats.total.duplicate);
}

}  // namespace
}  // namespace vmscope::testing
