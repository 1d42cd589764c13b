#include "receiver/fec_group_tracker.h"

#include <bit>

#include "receiver/dump_fec.h"

namespace vmscope::dumpwire {

FecGroupTracker::FecGroupTracker(unsigned fec_k, unsigned fec_m, std::uint64_t max_data_index,
                                 Limits limits)
    : k_(fec_k), m_(fec_m), max_data_index_(max_data_index), limits_(limits) {}

bool FecGroupTracker::has(std::uint64_t data_index) const {
  std::uint64_t word = data_index / 64;
  return word < seen_.size() && ((seen_[word] >> (data_index % 64)) & 1) != 0;
}

void FecGroupTracker::mark(std::uint64_t data_index) {
  std::uint64_t word = data_index / 64;
  if (word >= seen_.size()) seen_.resize(std::max<std::size_t>(word + 1, seen_.size() * 2), 0);
  seen_[word] |= std::uint64_t{1} << (data_index % 64);
}

std::uint64_t FecGroupTracker::missing_below(std::uint64_t count) const {
  std::uint64_t present = 0;
  std::uint64_t full_words = std::min<std::uint64_t>(count / 64, seen_.size());
  for (std::uint64_t w = 0; w < full_words; ++w) present += std::popcount(seen_[w]);
  for (std::uint64_t i = full_words * 64; i < count; ++i) present += has(i) ? 1 : 0;
  return count - present;
}

std::uint64_t FecGroupTracker::groups_missing_below(std::uint64_t count) const {
  if (k_ == 0) return 0;
  std::uint64_t groups = 0;
  for (std::uint64_t first = 0; first < count; first += k_) {
    std::uint64_t end = std::min<std::uint64_t>(first + k_, count);
    for (std::uint64_t i = first; i < end; ++i) {
      if (!has(i)) {
        ++groups;
        break;
      }
    }
  }
  return groups;
}

FecGroupTracker::Group& FecGroupTracker::open_group(std::uint64_t number) {
  auto [it, inserted] = groups_.try_emplace(number);
  if (inserted) {
    it->second.data.resize(k_);
    it->second.parity.resize(m_);
  }
  return it->second;
}

void FecGroupTracker::hold(Group& group, std::size_t bytes) {
  group.bytes += bytes;
  held_bytes_ += bytes;
}

FecGroupTracker::Arrival FecGroupTracker::add_data(std::uint64_t data_index, MessageType type,
                                                   std::span<const std::byte> body,
                                                   std::vector<RecoveredPacket>& recovered) {
  if (data_index >= max_data_index_) return Arrival::kOutOfRange;
  if (has(data_index)) {
    ++stats_.duplicates;
    return Arrival::kDuplicate;
  }
  mark(data_index);
  ++stats_.data_packets;
  if (k_ == 0) return Arrival::kNew;
  std::uint64_t number = data_index / k_;
  if (number < given_up_below_) return Arrival::kNew;
  Group& group = open_group(number);
  auto& slot = group.data[data_index % k_];
  slot.emplace(fec_symbol(type, body, 0));
  hold(group, slot->size());
  ++group.data_count;
  close_if_whole(number);
  if (groups_.count(number)) try_recover(number, recovered);
  enforce_bounds(number);
  return Arrival::kNew;
}

void FecGroupTracker::add_parity(const ParityMessage& parity,
                                 std::vector<RecoveredPacket>& recovered) {
  if (k_ == 0 || parity.parity_index >= m_ || parity.group_size == 0 || parity.group_size > k_ ||
      parity.group >= max_data_index_ / k_ + 1 || parity.parity.size() != parity.symbol_length) {
    ++stats_.parity_inconsistent;
    return;
  }
  std::uint64_t number = parity.group;
  std::uint64_t first = number * k_;
  if (number < given_up_below_) {
    ++stats_.parity_ignored;
    return;
  }
  if (!groups_.count(number)) {
    bool whole = true;
    for (std::uint64_t i = first; i < first + parity.group_size && whole; ++i) whole = has(i);
    if (whole) {
      ++stats_.parity_ignored;
      return;
    }
  }
  Group& group = open_group(number);
  if ((group.size && *group.size != parity.group_size) ||
      (group.symbol_length != 0 && group.symbol_length != parity.symbol_length)) {
    ++stats_.parity_inconsistent;
    return;
  }
  group.size = parity.group_size;
  group.symbol_length = parity.symbol_length;
  auto& slot = group.parity[parity.parity_index];
  if (!slot) {
    slot.emplace(parity.parity.begin(), parity.parity.end());
    hold(group, slot->size());
    ++group.parity_count;
  }
  close_if_whole(number);
  if (groups_.count(number)) try_recover(number, recovered);
  enforce_bounds(number);
}

void FecGroupTracker::close_if_whole(std::uint64_t number) {
  auto it = groups_.find(number);
  if (it == groups_.end()) return;
  if (it->second.data_count >= it->second.size.value_or(k_)) {
    held_bytes_ -= it->second.bytes;
    groups_.erase(it);
  }
}

void FecGroupTracker::try_recover(std::uint64_t number, std::vector<RecoveredPacket>& recovered) {
  auto it = groups_.find(number);
  Group& group = it->second;
  if (!group.size || group.data_count + group.parity_count < *group.size) return;
  unsigned size = *group.size;
  std::vector<std::optional<std::vector<std::byte>>> data(size);
  for (unsigned i = 0; i < size; ++i) {
    if (!group.data[i]) continue;
    if (group.data[i]->size() > group.symbol_length) {
      ++stats_.parity_inconsistent;  // a data packet longer than the group's symbols
      return;
    }
    data[i] = std::move(group.data[i]);
    data[i]->resize(group.symbol_length, std::byte{0});
  }
  bool any_beyond = false;  // data slots past k' would mean the group size is wrong
  for (unsigned i = size; i < k_; ++i) any_beyond |= group.data[i].has_value();
  std::vector<bool> was_missing(size);
  for (unsigned i = 0; i < size; ++i) was_missing[i] = !data[i];
  Status status = any_beyond ? Status(Error(ErrorCode::kInvalidArgument, "group size"))
                             : fec_recover(data, group.parity, group.symbol_length);
  if (!status.ok()) {
    ++stats_.parity_inconsistent;
  } else {
    bool any = false;
    for (unsigned i = 0; i < size; ++i) {
      if (!was_missing[i]) continue;
      auto content = parse_fec_symbol(*data[i]);
      std::uint64_t index = number * k_ + i;
      if (!content.ok()) {
        ++stats_.bad_symbols;
        continue;
      }
      mark(index);
      ++stats_.recovered_packets;
      any = true;
      recovered.push_back({index, content->type,
                           std::vector<std::byte>(content->body.begin(), content->body.end())});
    }
    if (any) ++stats_.groups_recovered;
  }
  // Recovered or not decodable: either way nothing more can be learned from this group.
  held_bytes_ -= group.bytes;
  groups_.erase(it);
}

void FecGroupTracker::enforce_bounds(std::uint64_t keep) {
  while (groups_.size() > limits_.max_open_groups || held_bytes_ > limits_.max_held_bytes) {
    auto oldest = groups_.begin();
    if (oldest->first == keep && groups_.size() == 1) break;
    if (oldest->first == keep) ++oldest;
    given_up_below_ = std::max(given_up_below_, oldest->first + 1);
    held_bytes_ -= oldest->second.bytes;
    ++stats_.groups_given_up;
    groups_.erase(oldest);
  }
}

}  // namespace vmscope::dumpwire
