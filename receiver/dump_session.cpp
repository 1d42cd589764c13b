#include "receiver/dump_session.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>

#include "dump/kdump_compressed.h"
#include "dump/kdump_header.h"
#include "dump/random_access_file.h"
#include "receiver/dump_output_dir.h"
#include "receiver/hook_runner.h"
#include "receiver/le_bytes.h"
#include "receiver/page_digest.h"
#include "receiver/received_dump_meta.h"
#include "receiver/text_escape.h"

namespace vmscope {
namespace {

using namespace dumpwire;

constexpr const char* kIncompleteName = "vmcore-incomplete";
constexpr const char* kCompleteName = "vmcore";

// The most data packets a session can honestly need: the META blob twice, plus every pfn cut
// into as many packets as its page needs at this datagram size, plus slack.
std::uint64_t max_data_packets(const SessionStart& s) {
  std::uint64_t room = max_data_body(s) - kPagesHeaderSize - kRecordHeaderSize;
  std::uint64_t per_page = (s.page_size + room - 1) / room + 1;
  std::uint64_t bound = 2 * s.meta_chunks() + s.max_pfn * per_page + 4096;
  return std::min<std::uint64_t>(bound, std::uint64_t{1} << 36);
}

bool test_bit(const std::vector<std::uint64_t>& bits, std::uint64_t i) {
  return ((bits[i / 64] >> (i % 64)) & 1) != 0;
}

std::string machine_name(std::uint16_t e_machine) {
  switch (e_machine) {
    case 62: return "x86_64";
    case 183: return "aarch64";
    default: return "";
  }
}

}  // namespace

DumpSession::DumpSession(const DumpSessionConfig& config, DumpSessionIdentity identity,
                         const SessionStart& start, std::shared_ptr<SessionWireCounters> wire,
                         HookRunner* hooks, DumpEventCallback events)
    : config_(config),
      identity_(std::move(identity)),
      start_(start),
      wire_(std::move(wire)),
      hooks_(hooks),
      events_(std::move(events)),
      tracker_(start.fec_k, start.fec_m, max_data_packets(start), config.fec),
      meta_(start),
      chunks_(start.page_size, config.chunks),
      compressor_(config.zstd_level),
      accounted_((start.max_pfn + 63) / 64, 0),
      page_pfns_((start.max_pfn + 63) / 64, 0),
      page_buffer_(start.page_size) {}

DumpSession::~DumpSession() {
  if (log_fd_ >= 0) ::close(log_fd_);
}

Result<std::unique_ptr<DumpSession>> DumpSession::start(
    const DumpSessionConfig& config, DumpSessionIdentity identity, const SessionStart& start,
    std::shared_ptr<SessionWireCounters> wire, Clock::time_point now, std::int64_t utc_seconds,
    HookRunner* hooks, DumpEventCallback events) {
  if (start.max_pfn > config.max_pfn) {
    // The per-pfn bitmaps (here and in the file) would be too big: refuse before allocating.
    return Error(ErrorCode::kLimitExceeded,
                 "dump session: max_pfn " + std::to_string(start.max_pfn) + " is over the limit " +
                     std::to_string(config.max_pfn));
  }
  VMSCOPE_TRY(std::filesystem::path dir,
              create_dump_directory(config.dump_dir, identity.address, utc_seconds));
  std::unique_ptr<DumpSession> s(new DumpSession(config, std::move(identity), start,
                                                 std::move(wire), hooks, std::move(events)));
  s->directory_ = dir;
  KdumpWriterConfig wc;
  wc.page_size = start.page_size;
  wc.max_pfn = start.max_pfn;
  wc.phys_base = start.phys_base;
  wc.nr_cpus = static_cast<std::int32_t>(start.nr_cpus);
  wc.dump_level = start.dump_level;
  wc.utsname = {"Linux", "", start.release, "", machine_name(start.e_machine), ""};
  wc.timestamp = utc_seconds;
  wc.compression_status = kKdumpPageZstd;
  VMSCOPE_TRY(s->writer_, KdumpWriter::create(dir / kIncompleteName, wc));
  s->log_fd_ =
      ::open((dir / "log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0640);
  s->started_ = rfc3339_utc(utc_seconds);
  s->last_packet_ = s->last_meta_ = s->last_progress_ = s->last_flush_ = now;
  s->write_meta(utc_seconds);
  if (hooks != nullptr) hooks->run("dump-start", s->identity_.address, dir);
  s->emit(DumpEvent::Kind::kStarted);
  return s;
}

void DumpSession::violation() {
  ++counters_.protocol_violation;
}

bool DumpSession::accounted(std::uint64_t pfn) const {
  return test_bit(accounted_, pfn);
}

void DumpSession::account(std::uint64_t pfn) {
  accounted_[pfn / 64] |= std::uint64_t{1} << (pfn % 64);
}

void DumpSession::on_packet(MessageType type, std::span<const std::byte> body,
                            Clock::time_point now, std::int64_t utc_seconds) {
  if (finished()) return;
  last_packet_ = now;
  switch (type) {
    case MessageType::kMeta:
    case MessageType::kPages: {
      if (body.size() < 8) {
        violation();
        return;
      }
      on_data(le::load<std::uint64_t>(body.data()), type, body, now, utc_seconds);
      return;
    }
    case MessageType::kParity: {
      auto parity = decode_parity(body, start_);
      if (!parity.ok()) {
        violation();
        return;
      }
      std::vector<RecoveredPacket> recovered;
      tracker_.add_parity(*parity, recovered);
      for (const auto& r : recovered) {
        if (r.body.size() < 8 || le::load<std::uint64_t>(r.body.data()) != r.data_index) {
          violation();  // authentic parity over a body that names another index
          continue;
        }
        process(r.type, r.body);
      }
      break;
    }
    case MessageType::kEnd: on_end(body, now, utc_seconds); return;
    case MessageType::kSessionStart: return;
  }
  if (state_ == State::kDraining && nothing_missing()) finalize(utc_seconds);
}

void DumpSession::on_data(std::uint64_t data_index, MessageType type,
                          std::span<const std::byte> body, Clock::time_point,
                          std::int64_t utc_seconds) {
  std::vector<RecoveredPacket> recovered;
  switch (tracker_.add_data(data_index, type, body, recovered)) {
    case FecGroupTracker::Arrival::kDuplicate: ++counters_.duplicate; return;
    case FecGroupTracker::Arrival::kOutOfRange: violation(); return;
    case FecGroupTracker::Arrival::kNew: break;
  }
  process(type, body);
  for (const auto& r : recovered) {
    if (r.body.size() < 8 || le::load<std::uint64_t>(r.body.data()) != r.data_index) {
      violation();
      continue;
    }
    process(r.type, r.body);
  }
  if (state_ == State::kDraining && nothing_missing()) finalize(utc_seconds);
}

void DumpSession::process(MessageType type, std::span<const std::byte> body) {
  if (type == MessageType::kMeta) {
    process_meta(body);
  } else {
    process_pages(body);
  }
}

void DumpSession::process_meta(std::span<const std::byte> body) {
  auto chunk = decode_meta_chunk(body, start_);
  if (!chunk.ok()) {
    violation();
    return;
  }
  if (meta_.add(*chunk) == MetaBlobAssembler::Outcome::kConflict) violation();
  if (meta_.complete() && !metadata_ && !meta_invalid_) apply_meta();
}

void DumpSession::apply_meta() {
  auto parsed = parse_meta_blob(meta_.blob(), start_.max_pfn);
  if (!parsed.ok()) {
    violation();
    meta_invalid_ = true;
    return;
  }
  metadata_ = std::move(*parsed);
  const auto& dumpable = metadata_->dumpable ? *metadata_->dumpable : metadata_->memory_map;
  dumpable_ = 0;
  for (const auto& r : dumpable) dumpable_ += r.count;
  if (!writer_->layout_known()) {
    auto dropped = writer_->set_layout(metadata_->memory_map, dumpable);
    if (!dropped.ok()) {
      handle_write_error(dropped.error());
    } else {
      counters_.protocol_violation += *dropped;
    }
  } else {
    meta_late_ = true;
  }
  if (metadata_->vmcoreinfo) handle_write_error(writer_->set_vmcoreinfo(*metadata_->vmcoreinfo));
  if (!metadata_->elf_notes.empty()) handle_write_error(writer_->set_notes(metadata_->elf_notes));
  if (metadata_->utsname) handle_write_error(writer_->set_utsname(*metadata_->utsname));
}

void DumpSession::process_pages(std::span<const std::byte> body) {
  auto pages = decode_pages(body, start_);
  if (!pages.ok()) {
    violation();
    return;
  }
  for (const PageRecord& record : pages->records) process_record(record);
}

void DumpSession::process_record(const PageRecord& r) {
  if (state_ == State::kNospace) {
    ++counters_.nospace_dropped;
    return;
  }
  switch (r.kind) {
    case RecordKind::kPage: {
      if (accounted(r.pfn) || !writer_->accepts(r.pfn)) {
        violation();  // a second record for a pfn, or a pfn outside DUMPABLE: first one wins
        return;
      }
      if (r.chunk_count == 1) {
        store_page(r.pfn, r.compression, r.payload);
      } else if (auto page = chunks_.add(r)) {
        store_page(page->pfn, page->compression, page->stored);
      }
      return;
    }
    case RecordKind::kZeroRun:
    case RecordKind::kUnavailableRun: {
      bool bad = false;
      for (std::uint64_t pfn = r.pfn; pfn < r.pfn + r.run_length; ++pfn) {
        if (accounted(pfn) || !writer_->accepts(pfn)) {
          bad = true;
          continue;
        }
        if (r.kind == RecordKind::kZeroRun) {
          Status s = writer_->add_zero_page(pfn);
          if (!s.ok()) {
            handle_write_error(s);
            if (state_ == State::kNospace) return;
            continue;
          }
          ++zero_;
        } else {
          ++unavailable_;  // stays absent in the file
        }
        account(pfn);
      }
      if (bad) violation();
      return;
    }
  }
}

void DumpSession::store_page(std::uint64_t pfn, PageCompression compression,
                             std::span<const std::byte> stored) {
  if (accounted(pfn)) {
    violation();
    return;
  }
  Status s = ok_status();
  switch (compression) {
    case PageCompression::kNone:
      if (stored.size() != start_.page_size) {
        violation();
        return;
      }
      s = writer_->add_page(pfn, 0, stored);
      break;
    case PageCompression::kZstd:
      if (stored.size() >= start_.page_size) {
        violation();
        return;
      }
      s = writer_->add_page(pfn, kKdumpPageZstd, stored);  // checked by the digest at the end
      break;
    case PageCompression::kLz4:
      // kdump has no LZ4 page flag: decompress, store as zstd (or raw if that does not shrink).
      if (!compressor_.decompress(PageCodec::kLz4, stored, page_buffer_).ok()) {
        violation();
        return;
      }
      if (compressor_.compress(PageCodec::kZstd, page_buffer_, stored_buffer_)) {
        s = writer_->add_page(pfn, kKdumpPageZstd, stored_buffer_);
      } else {
        s = writer_->add_page(pfn, 0, page_buffer_);
      }
      break;
  }
  if (!s.ok()) {
    handle_write_error(s);
    return;
  }
  account(pfn);
  page_pfns_[pfn / 64] |= std::uint64_t{1} << (pfn % 64);
  ++received_;
  payload_bytes_ += stored.size();
}

void DumpSession::handle_write_error(const Status& status) {
  if (status.ok()) return;
  if (status.error().code() == ErrorCode::kInvalidArgument) {
    violation();
    return;
  }
  if (state_ != State::kNospace) {
    enter_nospace(writer_->out_of_space() ? "disk-full" : "write-error");
  }
}

void DumpSession::enter_nospace(std::string reason) {
  state_ = State::kNospace;
  reason_ = std::move(reason);
  if (hooks_ != nullptr) hooks_->run("dump-nospace", identity_.address, directory_);
  emit(DumpEvent::Kind::kProgress);
}

void DumpSession::on_end(std::span<const std::byte> body, Clock::time_point now,
                         std::int64_t utc_seconds) {
  auto end = decode_end(body);
  if (!end.ok()) {
    violation();
    return;
  }
  if (end_) {
    if (*end_ != *end) violation();  // repeats must agree; the first one wins
    return;
  }
  end_ = *end;
  if (state_ == State::kReceiving) {
    state_ = State::kDraining;
    drain_deadline_ = now + config_.drain_timeout;
  }
  if (state_ == State::kNospace || nothing_missing()) finalize(utc_seconds);
}

bool DumpSession::nothing_missing() const {
  return end_ && metadata_ && tracker_.missing_below(end_->data_packets) == 0 &&
         chunks_.partial_pages() == 0;
}

void DumpSession::tick(Clock::time_point now, std::int64_t utc_seconds, bool disk_low) {
  if (finished()) return;
  if (disk_low && (state_ == State::kReceiving || state_ == State::kDraining)) {
    enter_nospace("disk-full");
  }
  bool idle = now - last_packet_ >= config_.idle_timeout;
  if ((state_ == State::kReceiving && idle) ||
      (state_ == State::kDraining && now >= drain_deadline_) ||
      (state_ == State::kNospace && (idle || end_))) {
    finalize(utc_seconds);
    return;
  }
  if (now - last_flush_ >= std::chrono::seconds(1)) {
    last_flush_ = now;
    handle_write_error(writer_->flush());
  }
  if (now - last_progress_ >= config_.progress_interval) {
    last_progress_ = now;
    emit(DumpEvent::Kind::kProgress);
  }
  if (now - last_meta_ >= config_.meta_interval) {
    last_meta_ = now;
    write_meta(utc_seconds);
  }
}

void DumpSession::abort(std::int64_t utc_seconds) {
  if (!finished()) finalize(utc_seconds);
}

void DumpSession::append_console_line(std::string_view line) {
  if (log_fd_ < 0) return;
  std::string text = log_line_escape(line) + "\n";
  (void)!::write(log_fd_, text.data(), text.size());
}

std::string DumpSession::verify_digest() {
  auto file = PosixFile::open((directory_ / kIncompleteName).string());
  if (!file.ok()) return "mismatch";
  auto dump = KdumpCompressedDump::open(std::move(*file));
  if (!dump.ok()) return "mismatch";
  PageDigest digest;
  std::vector<std::byte> page(start_.page_size);
  for (std::uint64_t word = 0; word < page_pfns_.size(); ++word) {
    for (std::uint64_t bits = page_pfns_[word]; bits != 0; bits &= bits - 1) {
      std::uint64_t pfn = word * 64 + static_cast<std::uint64_t>(std::countr_zero(bits));
      if (!(*dump)->memory().read(pfn * start_.page_size, page).ok()) return "mismatch";
      digest.add_page(pfn, page);
    }
  }
  return digest.ok() && digest.value() == end_->digest ? "match" : "mismatch";
}

void DumpSession::finalize(std::int64_t utc_seconds) {
  if (!writer_->layout_known()) (void)writer_->freeze_layout();
  handle_write_error(writer_->flush());
  bool nospace = state_ == State::kNospace;
  std::uint64_t done = received_ + zero_ + unavailable_;
  std::uint64_t missing = metadata_ && dumpable_ > done ? dumpable_ - done : 0;
  bool counts_equal = end_ && end_->pages_sent == received_ && end_->zero_pages == zero_ &&
                      end_->unavailable == unavailable_ &&
                      tracker_.missing_below(end_->data_packets) == 0;
  bool sender_ok = end_ && end_->status == EndStatus::kComplete;
  bool complete = !nospace && !writer_->failed() && metadata_ && !meta_late_ && missing == 0 &&
                  unavailable_ == 0 && counts_equal && sender_ok;
  if (start_.digest_alg == DigestAlg::kNone) {
    digest_state_ = "none";
  } else if (complete) {
    digest_state_ = verify_digest();
    complete = digest_state_ == "match";
  }
  if (!complete && !reason_) {
    if (end_ && !sender_ok) {
      reason_ = "sender-error";
    } else if (meta_late_) {
      reason_ = "meta-late";
    } else if (!metadata_) {
      reason_ = "meta-missing";
    } else if (!end_) {
      reason_ = "sender-lost";
    } else if (missing > 0 || !counts_equal) {
      reason_ = "lost-packets";
    } else if (unavailable_ > 0) {
      reason_ = "pages-unavailable";
    } else if (digest_state_ == "mismatch") {
      reason_ = "digest-mismatch";
    } else {
      reason_ = "write-error";
    }
  }
  Status finished_file = writer_->finish(complete);
  if (complete && finished_file.ok()) {
    std::error_code ec;
    std::filesystem::rename(directory_ / kIncompleteName, directory_ / kCompleteName, ec);
    if (ec) {
      complete = false;
      reason_ = "write-error";
    }
  } else if (complete) {
    complete = false;
    reason_ = "write-error";
  }
  state_ = complete ? State::kComplete : State::kIncomplete;
  ended_ = rfc3339_utc(utc_seconds);
  write_meta(utc_seconds);
  if (log_fd_ >= 0) {
    ::close(log_fd_);
    log_fd_ = -1;
  }
  if (hooks_ != nullptr) hooks_->run("dump-done", identity_.address, directory_);
  emit(complete ? DumpEvent::Kind::kCompleted : DumpEvent::Kind::kFailed);
}

DumpProgress DumpSession::progress() const {
  DumpProgress p;
  p.dumpable = metadata_ ? dumpable_ : 0;
  p.received = received_;
  p.zero = zero_;
  p.unavailable = unavailable_;
  std::uint64_t done = received_ + zero_ + unavailable_;
  p.missing = finished() && metadata_ && dumpable_ > done ? dumpable_ - done : 0;
  p.data_packets = tracker_.stats().data_packets;
  p.groups_recovered = tracker_.stats().groups_recovered;
  if (finished() && end_) p.groups_lost = tracker_.groups_missing_below(end_->data_packets);
  p.file_bytes = writer_ ? writer_->stats().file_bytes : 0;
  return p;
}

std::string DumpSession::state_name() const {
  switch (state_) {
    case State::kReceiving: return "receiving";
    case State::kDraining: return "draining";
    case State::kNospace: return "nospace";
    case State::kComplete: return "complete";
    case State::kIncomplete: return "incomplete";
  }
  return "unknown";
}

DumpEvent DumpSession::event(DumpEvent::Kind kind) const {
  DumpEvent e;
  e.kind = kind;
  e.address = identity_.address;
  e.host_name = identity_.host_name;
  e.host_id = identity_.host_id;
  e.session_id = identity_.session_id;
  e.directory = directory_;
  e.vmcore = directory_ / (state_ == State::kComplete ? kCompleteName : kIncompleteName);
  e.state = state_name();
  e.reason = reason_;
  e.release = start_.release;
  if (metadata_) e.panic_message = metadata_->panic_message;
  e.progress = progress();
  return e;
}

void DumpSession::emit(DumpEvent::Kind kind) {
  if (events_) events_(event(kind));
}

void DumpSession::write_meta(std::int64_t) {
  ReceivedDumpMeta m;
  m.host_name = identity_.host_name;
  m.host_id = identity_.host_id;
  m.address = identity_.address;
  m.session_id = identity_.session_id;
  m.start = start_;
  if (metadata_) {
    m.panic_message = metadata_->panic_message;
    m.command_line = metadata_->command_line;
    m.erased = metadata_->erased;
  }
  m.started = started_;
  if (!ended_.empty()) m.ended = ended_;
  m.state = state_name();
  m.reason = reason_;
  m.fec_k = start_.fec_k;
  m.fec_m = start_.fec_m;
  m.progress = progress();
  m.end = end_;
  m.digest = digest_state_;
  m.counters = counters_;
  if (wire_) {
    m.counters.accepted = wire_->accepted;
    m.counters.duplicate += wire_->duplicate;
    m.counters.too_old = wire_->too_old;
    m.counters.auth_failed = wire_->auth_failed;
    m.counters.queue_full = wire_->queue_full;
    m.counters.protocol_violation += wire_->protocol_violation;
  }
  (void)write_meta_json(directory_, m);
}

}  // namespace vmscope
