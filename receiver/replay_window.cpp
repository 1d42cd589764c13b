#include "receiver/replay_window.h"

namespace vmscope::dumpwire {

bool ReplayWindow::test(std::uint64_t seq) const {
  std::uint64_t bit = seq % kSize;
  return ((bits_[bit / 64] >> (bit % 64)) & 1) != 0;
}

void ReplayWindow::set(std::uint64_t seq) {
  std::uint64_t bit = seq % kSize;
  bits_[bit / 64] |= std::uint64_t{1} << (bit % 64);
}

void ReplayWindow::clear(std::uint64_t seq) {
  std::uint64_t bit = seq % kSize;
  bits_[bit / 64] &= ~(std::uint64_t{1} << (bit % 64));
}

ReplayWindow::Verdict ReplayWindow::check(std::uint64_t seq) const {
  if (!highest_ || seq > *highest_) return Verdict::kFresh;
  if (*highest_ - seq >= kSize) return Verdict::kTooOld;
  return test(seq) ? Verdict::kDuplicate : Verdict::kFresh;
}

void ReplayWindow::mark(std::uint64_t seq) {
  if (check(seq) != Verdict::kFresh) return;
  if (highest_ && seq > *highest_) {
    // Slots of the sequence numbers that leave the window are reused by the new ones.
    std::uint64_t advance = seq - *highest_;
    if (advance >= kSize) {
      bits_.fill(0);
    } else {
      for (std::uint64_t s = *highest_ + 1; s <= seq; ++s) clear(s);
    }
  }
  if (!highest_ || seq > *highest_) highest_ = seq;
  set(seq);
}

}  // namespace vmscope::dumpwire
