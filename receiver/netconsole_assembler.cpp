#include "receiver/netconsole_assembler.h"

#include <algorithm>
#include <cstring>

namespace vmscope {
namespace {

// Completed fragmented records remembered per sender, to ignore their late duplicates.
constexpr std::size_t kRecentDone = 32;

}  // namespace

NetconsoleAssembler::NetconsoleAssembler(NetconsoleMode mode, Limits limits)
    : mode_(mode), limits_(limits) {
  limits_.max_line = std::max<std::size_t>(limits_.max_line, 1);
  limits_.max_senders = std::max<std::size_t>(limits_.max_senders, 1);
  limits_.max_pending_per_sender = std::max<std::size_t>(limits_.max_pending_per_sender, 1);
  limits_.max_pending_total = std::max<std::size_t>(limits_.max_pending_total, 1);
}

std::vector<NetconsoleRecord> NetconsoleAssembler::feed(const std::string& sender,
                                                        std::string_view datagram,
                                                        Clock::time_point now) {
  ++stats_.datagrams;
  std::vector<NetconsoleRecord> out;
  Sender& state = touch(sender, out);
  if (mode_ != NetconsoleMode::kPlain) {
    auto parsed = parse_extended_datagram(datagram);
    if (parsed.ok()) {
      if (parsed->header.fragment) {
        feed_fragment(sender, state, std::move(parsed).value(), now, out);
      } else {
        NetconsoleRecord record = extended_record(parsed->header, parsed->body);
        record.sender = sender;
        ++stats_.extended_records;
        out.push_back(std::move(record));
      }
      return out;
    }
    if (mode_ == NetconsoleMode::kExtended) {
      ++stats_.malformed;
      return out;
    }
  }
  feed_plain(sender, state, datagram, now, out);
  return out;
}

NetconsoleAssembler::Sender& NetconsoleAssembler::touch(const std::string& sender,
                                                        std::vector<NetconsoleRecord>& out) {
  auto found = senders_.find(sender);
  if (found != senders_.end()) {
    lru_.splice(lru_.begin(), lru_, found->second.lru);
    return found->second;
  }
  if (senders_.size() >= limits_.max_senders) {
    const std::string victim = lru_.back();
    auto it = senders_.find(victim);
    if (!it->second.partial.empty()) {
      emit_line(victim, it->second.partial, true, out);
      ++stats_.lines_flushed;
    }
    auto p = pending_.lower_bound(PendingKey{victim, 0});
    while (p != pending_.end() && p->first.first == victim) {
      p = pending_.erase(p);
      ++stats_.fragments_evicted;
    }
    lru_.pop_back();
    senders_.erase(it);
    ++stats_.senders_evicted;
  }
  lru_.push_front(sender);
  Sender& state = senders_[sender];
  state.lru = lru_.begin();
  return state;
}

void NetconsoleAssembler::emit_line(const std::string& sender, std::string_view line,
                                    bool unterminated, std::vector<NetconsoleRecord>& out) {
  NetconsoleRecord record = plain_record(line);
  record.sender = sender;
  record.unterminated = unterminated;
  ++stats_.plain_lines;
  out.push_back(std::move(record));
}

void NetconsoleAssembler::feed_plain(const std::string& sender, Sender& state,
                                     std::string_view text, Clock::time_point now,
                                     std::vector<NetconsoleRecord>& out) {
  while (!text.empty()) {
    std::size_t newline = text.find('\n');
    if (state.partial.empty()) state.partial_since = now;
    state.partial.append(text.substr(0, newline));
    while (state.partial.size() > limits_.max_line) {
      emit_line(sender, std::string_view(state.partial).substr(0, limits_.max_line), true, out);
      state.partial.erase(0, limits_.max_line);
      state.partial_since = now;
      ++stats_.lines_split;
    }
    if (newline == std::string_view::npos) return;
    std::string_view line = state.partial;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!line.empty()) emit_line(sender, line, false, out);
    state.partial.clear();
    text.remove_prefix(newline + 1);
  }
}

void NetconsoleAssembler::feed_fragment(const std::string& sender, Sender& state,
                                        ExtendedDatagram datagram, Clock::time_point now,
                                        std::vector<NetconsoleRecord>& out) {
  ++stats_.fragments;
  const ExtendedHeader& header = datagram.header;
  const NetconsoleFragment fragment = *header.fragment;
  std::string_view piece = datagram.body;
  if (piece.empty() || piece.size() > fragment.total - fragment.offset) {
    ++stats_.fragments_invalid;
    return;
  }
  if (fragment.total > limits_.max_record) {
    ++stats_.fragments_over_limit;
    return;
  }
  for (const auto& [seq, when] : state.done) {
    if (seq == header.seq && now - when <= limits_.fragment_max_age) {
      ++stats_.fragments_duplicate;
      return;
    }
  }

  PendingKey key{sender, header.seq};
  auto it = pending_.find(key);
  if (it == pending_.end()) {
    if (state.open >= limits_.max_pending_per_sender) evict_oldest_pending(&sender);
    if (pending_.size() >= limits_.max_pending_total) evict_oldest_pending(nullptr);
    Pending fresh;
    fresh.header = header;
    fresh.body.assign(fragment.total, '\0');
    fresh.started = now;
    it = pending_.emplace(std::move(key), std::move(fresh)).first;
    ++state.open;
  } else if (it->second.header.identity != header.identity ||
             it->second.body.size() != fragment.total) {
    ++stats_.fragments_invalid;
    return;
  }

  Pending& pending = it->second;
  const std::uint32_t begin = fragment.offset;
  const auto end = static_cast<std::uint32_t>(begin + piece.size());
  for (const auto& [have_begin, have_end] : pending.have) {
    std::uint32_t lo = std::max(have_begin, begin);
    std::uint32_t hi = std::min(have_end, end);
    if (lo >= hi) continue;
    if (std::memcmp(pending.body.data() + lo, piece.data() + (lo - begin), hi - lo) != 0) {
      ++stats_.fragment_conflicts;
      drop_pending(it);
      return;
    }
    if (have_begin <= begin && end <= have_end) {
      ++stats_.fragments_duplicate;
      return;
    }
  }
  if (++pending.pieces > limits_.max_fragments) {
    ++stats_.fragments_over_limit;
    drop_pending(it);
    return;
  }
  std::memcpy(pending.body.data() + begin, piece.data(), piece.size());

  // Merge [begin, end) into the sorted disjoint list.
  auto& have = pending.have;
  have.emplace_back(begin, end);
  std::sort(have.begin(), have.end());
  std::size_t merged = 0;
  for (std::size_t i = 1; i < have.size(); ++i) {
    if (have[i].first <= have[merged].second) {
      have[merged].second = std::max(have[merged].second, have[i].second);
    } else {
      have[++merged] = have[i];
    }
  }
  have.resize(merged + 1);

  if (have.size() == 1 && have[0].first == 0 && have[0].second == fragment.total) {
    NetconsoleRecord record = extended_record(pending.header, pending.body);
    record.sender = sender;
    ++stats_.extended_records;
    out.push_back(std::move(record));
    state.done.emplace_back(header.seq, now);
    if (state.done.size() > kRecentDone) state.done.pop_front();
    drop_pending(it);
  }
}

void NetconsoleAssembler::drop_pending(std::map<PendingKey, Pending>::iterator it) {
  auto sender = senders_.find(it->first.first);
  if (sender != senders_.end() && sender->second.open > 0) --sender->second.open;
  pending_.erase(it);
}

void NetconsoleAssembler::evict_oldest_pending(const std::string* only_sender) {
  auto first = pending_.begin();
  if (only_sender) first = pending_.lower_bound(PendingKey{*only_sender, 0});
  auto oldest = pending_.end();
  for (auto it = first; it != pending_.end(); ++it) {
    if (only_sender && it->first.first != *only_sender) break;
    if (oldest == pending_.end() || it->second.started < oldest->second.started) oldest = it;
  }
  if (oldest == pending_.end()) return;
  ++stats_.fragments_evicted;
  drop_pending(oldest);
}

std::vector<NetconsoleRecord> NetconsoleAssembler::expire(Clock::time_point now) {
  std::vector<NetconsoleRecord> out;
  for (auto it = pending_.begin(); it != pending_.end();) {
    auto next = std::next(it);
    if (now - it->second.started > limits_.fragment_max_age) {
      ++stats_.fragments_expired;
      drop_pending(it);
    }
    it = next;
  }
  for (auto& [name, state] : senders_) {
    if (!state.partial.empty() && now - state.partial_since >= limits_.line_flush_after) {
      emit_line(name, state.partial, true, out);
      state.partial.clear();
      ++stats_.lines_flushed;
    }
    while (!state.done.empty() && now - state.done.front().second > limits_.fragment_max_age) {
      state.done.pop_front();
    }
  }
  return out;
}

}  // namespace vmscope
