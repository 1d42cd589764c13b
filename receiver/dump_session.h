// One dump being received (protocol-spec/dump-wire-protocol.md §11.2-11.3): everything that
// happens after a packet has been authenticated — FEC, META assembly, page accounting, writing
// the kdump file, the state machine, meta.json, hooks and events.
//
//   RECEIVING ── END ──▶ DRAINING (until nothing is missing, at most drain_timeout) ─▶ FINALIZING
//   RECEIVING ── no packet for idle_timeout ────────────────────────────────────────▶ FINALIZING
//   RECEIVING/DRAINING ── disk full or write error ──▶ NOSPACE (what is written stays; later
//                                                     pages are dropped) ── END or idle ─▶ FIN.
//   FINALIZING ─▶ COMPLETE    every dumpable pfn arrived, counts equal END's, digest verified:
//                             incomplete flag cleared, vmcore-incomplete renamed vmcore
//               └▶ INCOMPLETE anything else, with a reason (meta.json)
//
// Files, in the directory given at start: vmcore-incomplete (→ vmcore), meta.json, log.
// Hooks dump-start, dump-nospace, dump-done run through the HookRunner (never blocking here).
//
// Not thread-safe: one owner (the receiver's writer thread); the events callback is called
// from the calling thread. `wire` counters are written by the network thread (atomics).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "receiver/dump_events.h"
#include "receiver/dump_messages.h"
#include "receiver/dump_meta_blob.h"
#include "receiver/dump_wire_header.h"
#include "receiver/fec_group_tracker.h"
#include "receiver/kdump_writer.h"
#include "receiver/meta_blob_assembler.h"
#include "receiver/page_chunk_assembler.h"
#include "receiver/page_compressor.h"
#include "support/result.h"

namespace vmscope {

class HookRunner;

struct DumpSessionConfig {
  std::filesystem::path dump_dir;
  std::chrono::milliseconds drain_timeout{3000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds meta_interval{10000};
  std::chrono::milliseconds progress_interval{1000};
  dumpwire::FecGroupTracker::Limits fec;
  dumpwire::PageChunkAssembler::Limits chunks;
  int zstd_level = 1;  // pages that arrive as LZ4 are stored as zstd
  // Largest max_pfn accepted: 2^33 pfns (32 TiB of 4 KiB pages) means 1 GiB per pfn bitmap.
  std::uint64_t max_pfn = std::uint64_t{1} << 33;
};

struct DumpSessionIdentity {
  std::string address;
  std::string host_name;
  std::uint64_t host_id = 0;
  std::uint64_t session_id = 0;
};

// Counters the network thread keeps for one session (it sees drops the session never does).
struct SessionWireCounters {
  std::atomic<std::uint64_t> accepted{0}, duplicate{0}, too_old{0}, auth_failed{0}, queue_full{0},
      protocol_violation{0};
};

class DumpSession {
 public:
  using Clock = std::chrono::steady_clock;

  // Creates the directory, vmcore-incomplete, log and meta.json; runs dump-start; reports
  // kStarted. `hooks` may be null. Errors: those of the directory and the writer.
  static Result<std::unique_ptr<DumpSession>> start(const DumpSessionConfig& config,
                                                    DumpSessionIdentity identity,
                                                    const dumpwire::SessionStart& start,
                                                    std::shared_ptr<SessionWireCounters> wire,
                                                    Clock::time_point now, std::int64_t utc_seconds,
                                                    HookRunner* hooks, DumpEventCallback events);
  ~DumpSession();
  DumpSession(const DumpSession&) = delete;
  DumpSession& operator=(const DumpSession&) = delete;

  // An authenticated META, PAGES, PARITY or END body (SESSION_START stays with the network).
  void on_packet(dumpwire::MessageType type, std::span<const std::byte> body, Clock::time_point now,
                 std::int64_t utc_seconds);
  // Timers: idle, drain, periodic flush / meta.json / progress. `disk_low`: the free-space
  // reserve is reached.
  void tick(Clock::time_point now, std::int64_t utc_seconds, bool disk_low);
  // Ends the session now (receiver shutdown): finalizes with what has arrived.
  void abort(std::int64_t utc_seconds);
  // One console line of this host (netconsole), appended to `log`.
  void append_console_line(std::string_view line);

  bool finished() const { return state_ == State::kComplete || state_ == State::kIncomplete; }
  const DumpSessionIdentity& identity() const { return identity_; }
  const std::filesystem::path& directory() const { return directory_; }
  DumpEvent event(DumpEvent::Kind kind) const;
  const DumpCounters& counters() const { return counters_; }

 private:
  enum class State { kReceiving, kDraining, kNospace, kComplete, kIncomplete };

  DumpSession(const DumpSessionConfig& config, DumpSessionIdentity identity,
              const dumpwire::SessionStart& start, std::shared_ptr<SessionWireCounters> wire,
              HookRunner* hooks, DumpEventCallback events);
  void violation();
  void on_data(std::uint64_t data_index, dumpwire::MessageType type,
               std::span<const std::byte> body, Clock::time_point now, std::int64_t utc_seconds);
  void process(dumpwire::MessageType type, std::span<const std::byte> body);
  void process_meta(std::span<const std::byte> body);
  void apply_meta();
  void process_pages(std::span<const std::byte> body);
  void process_record(const dumpwire::PageRecord& record);
  void store_page(std::uint64_t pfn, dumpwire::PageCompression compression,
                  std::span<const std::byte> stored);
  void on_end(std::span<const std::byte> body, Clock::time_point now, std::int64_t utc_seconds);
  void handle_write_error(const Status& status);
  void enter_nospace(std::string reason);
  bool nothing_missing() const;
  void finalize(std::int64_t utc_seconds);
  std::string verify_digest();
  bool accounted(std::uint64_t pfn) const;
  void account(std::uint64_t pfn);
  DumpProgress progress() const;
  void write_meta(std::int64_t utc_seconds);
  void emit(DumpEvent::Kind kind);
  std::string state_name() const;

  DumpSessionConfig config_;
  DumpSessionIdentity identity_;
  dumpwire::SessionStart start_;
  std::shared_ptr<SessionWireCounters> wire_;
  HookRunner* hooks_;
  DumpEventCallback events_;
  std::filesystem::path directory_;
  std::unique_ptr<KdumpWriter> writer_;
  dumpwire::FecGroupTracker tracker_;
  dumpwire::MetaBlobAssembler meta_;
  dumpwire::PageChunkAssembler chunks_;
  PageCompressor compressor_;
  std::optional<dumpwire::DumpMetadata> metadata_;
  bool meta_invalid_ = false;
  bool meta_late_ = false;
  std::optional<dumpwire::EndMessage> end_;
  std::vector<std::uint64_t> accounted_;  // bit per pfn: PAGE, ZERO_RUN or UNAVAILABLE_RUN
  std::vector<std::uint64_t> page_pfns_;  // bit per pfn: stored from a PAGE (for the digest)
  std::uint64_t dumpable_ = 0;
  std::uint64_t received_ = 0, zero_ = 0, unavailable_ = 0;
  std::uint64_t payload_bytes_ = 0;
  State state_ = State::kReceiving;
  std::optional<std::string> reason_;
  std::string digest_state_ = "unchecked";
  std::string started_, ended_;
  Clock::time_point last_packet_, drain_deadline_, last_meta_, last_progress_, last_flush_;
  DumpCounters counters_;
  int log_fd_ = -1;
  std::vector<std::byte> page_buffer_, stored_buffer_;
};

}  // namespace vmscope
