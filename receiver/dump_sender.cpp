#include "receiver/dump_sender.h"

#include <netdb.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>

#include "receiver/dump_packet_crypto.h"
#include "receiver/page_digest.h"

namespace vmscope {
namespace {

using namespace dumpwire;
using Clock = std::chrono::steady_clock;

class UdpSocket {
 public:
  static Result<UdpSocket> connect(const std::string& address, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    std::string service = std::to_string(port);
    if (int rc = ::getaddrinfo(address.c_str(), service.c_str(), &hints, &found); rc != 0) {
      return Error(ErrorCode::kInvalidArgument,
                   "not an IP address: " + address + " (" + gai_strerror(rc) + ")");
    }
    int fd = ::socket(found->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
      int err = errno;
      ::freeaddrinfo(found);
      if (fd >= 0) ::close(fd);
      return Error(ErrorCode::kIo,
                   "cannot reach " + address + " port " + service + ": " + std::strerror(err));
    }
    ::freeaddrinfo(found);
    int size = 4 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    return UdpSocket(fd);
  }
  UdpSocket(UdpSocket&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  UdpSocket& operator=(UdpSocket&&) = delete;
  ~UdpSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  // False on an error other than a full buffer (retried).
  bool send(std::span<const std::byte> datagram) {
    for (int attempt = 0; attempt < 1000; ++attempt) {
      if (::send(fd_, datagram.data(), datagram.size(), 0) >= 0) return true;
      if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR && errno != ECONNREFUSED) {
        return false;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    return false;
  }

 private:
  explicit UdpSocket(int fd) : fd_(fd) {}
  int fd_;
};

bool all_zero(std::span<const std::byte> page) {
  return std::all_of(page.begin(), page.end(), [](std::byte b) { return b == std::byte{0}; });
}

}  // namespace

Result<DumpSendReport> send_dump(const DumpSource& source, const DumpSendOptions& o) {
  if (o.key.host_id == 0) return Error(ErrorCode::kInvalidArgument, "send: no host key");
  if (o.fec_k > kMaxFecK || o.fec_m > kMaxFecM || (o.fec_k == 0) != (o.fec_m == 0)) {
    return Error(ErrorCode::kInvalidArgument, "send: FEC k must be 1..64 and m 1..16 (or both 0)");
  }
  if (o.max_datagram < kMinDatagram || o.max_datagram > kMaxDatagram) {
    return Error(ErrorCode::kInvalidArgument, "send: datagram size 512..65507");
  }
  VMSCOPE_TRY(UdpSocket socket, UdpSocket::connect(o.address, o.port));
  if (sodium_init() < 0) return Error(ErrorCode::kInternal, "libsodium failed to initialise");

  DumpSendReport report;
  report.session_id = o.session_id;
  while (report.session_id == 0) randombytes_buf(&report.session_id, sizeof report.session_id);

  std::vector<std::byte> blob = encode_meta_blob(source.metadata);
  SessionStart start;
  start.page_size = source.page_size;
  start.max_datagram = o.max_datagram;
  start.max_pfn = source.max_pfn;
  start.panic_task = source.panic_task;
  start.phys_base = source.phys_base;
  start.nr_cpus = source.nr_cpus;
  start.e_machine = source.e_machine;
  start.digest_alg = DigestAlg::kBlake2s256;
  start.fec_k = static_cast<std::uint8_t>(o.fec_k);
  start.fec_m = static_cast<std::uint8_t>(o.fec_m);
  start.dump_level = source.dump_level;
  start.meta_length = static_cast<std::uint32_t>(blob.size());
  start.meta_chunk = choose_meta_chunk(start);
  start.release = source.metadata.utsname ? source.metadata.utsname->release : "";
  if (blob.size() > kMaxMetaLength) {
    return Error(ErrorCode::kLimitExceeded,
                 "send: META blob of " + std::to_string(blob.size()) + " bytes is over 16 MiB");
  }

  std::mt19937_64 rng(o.loss_seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::uint64_t seq = 0;
  std::vector<std::byte> datagram;
  Clock::time_point began = Clock::now();
  auto pace = [&] {
    if (o.rate_bytes_per_second <= 0) return;
    auto due = began + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                           static_cast<double>(report.bytes) / o.rate_bytes_per_second));
    if (due > Clock::now()) std::this_thread::sleep_until(due);
  };
  std::vector<std::vector<std::byte>> window;  // simulated reordering
  auto transmit = [&](std::span<const std::byte> d) {
    pace();
    if (socket.send(d)) {
      report.bytes += d.size();
    } else {
      ++report.send_errors;
    }
  };
  auto sink = [&](MessageType type, std::span<const std::byte> body,
                  std::span<const PfnRange> pfns) {
    seal_packet(o.key.key, {type, o.key.host_id, report.session_id, seq++}, body, datagram);
    ++report.datagrams;
    if (o.tap) o.tap(datagram);
    if (o.loss > 0 && o.lossy_types.count(type) && uniform(rng) < o.loss) {
      ++report.dropped;
      for (const PfnRange& r : pfns) {
        for (std::uint64_t p = r.start; p < r.start + r.count; ++p)
          report.dropped_pfns.push_back(p);
      }
      return;
    }
    if (type == MessageType::kEnd) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    int copies = 1;
    if (o.duplicate > 0 && uniform(rng) < o.duplicate) {
      ++copies;
      ++report.duplicated;
    }
    for (int i = 0; i < copies; ++i) {
      if (o.reorder_window == 0) {
        transmit(datagram);
        continue;
      }
      window.push_back(datagram);
      if (window.size() > o.reorder_window) {
        std::size_t pick = std::uniform_int_distribution<std::size_t>(0, window.size() - 1)(rng);
        std::swap(window[pick], window.back());
        transmit(window.back());
        window.pop_back();
      }
    }
  };

  DumpPacketizer packetizer(start, std::move(blob), sink);
  packetizer.begin();
  PageCompressor compressor(o.zstd_level);
  PageDigest digest;
  std::vector<std::byte> page(source.page_size), stored;
  PageCompression wire_compression =
      o.compression == PageCodec::kLz4 ? PageCompression::kLz4 : PageCompression::kZstd;
  // A run being collected: zero or unavailable pfns, consecutive.
  RecordKind run_kind = RecordKind::kZeroRun;
  std::uint64_t run_start = 0, run_count = 0;
  auto flush_run = [&] {
    if (run_count > 0) packetizer.add_run(run_kind, run_start, run_count);
    run_count = 0;
  };
  auto extend_run = [&](RecordKind kind, std::uint64_t pfn) {
    if (run_count > 0 && (run_kind != kind || run_start + run_count != pfn)) flush_run();
    if (run_count == 0) {
      run_kind = kind;
      run_start = pfn;
    }
    ++run_count;
  };
  for (const PfnRange& range : *source.metadata.dumpable) {
    for (std::uint64_t pfn = range.start; pfn < range.start + range.count; ++pfn) {
      if (!source.dump->memory().read(pfn * source.page_size, page).ok()) {
        extend_run(RecordKind::kUnavailableRun, pfn);
        continue;
      }
      if (all_zero(page)) {
        extend_run(RecordKind::kZeroRun, pfn);
        continue;
      }
      flush_run();
      digest.add_page(pfn, page);
      if (compressor.compress(o.compression, page, stored)) {
        packetizer.add_page(pfn, wire_compression, stored);
      } else {
        packetizer.add_page(pfn, PageCompression::kNone, page);
      }
    }
  }
  flush_run();
  packetizer.finish(EndStatus::kComplete, digest.value());
  std::shuffle(window.begin(), window.end(), rng);
  for (const auto& d : window) transmit(d);
  report.packets = packetizer.stats();
  report.seconds = std::chrono::duration<double>(Clock::now() - began).count();
  std::sort(report.dropped_pfns.begin(), report.dropped_pfns.end());
  report.dropped_pfns.erase(std::unique(report.dropped_pfns.begin(), report.dropped_pfns.end()),
                            report.dropped_pfns.end());
  return report;
}

}  // namespace vmscope
