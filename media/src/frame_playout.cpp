#include "surgilink/media/frame_playout.hpp"

#include <algorithm>

namespace surgilink::media {

using std::chrono::nanoseconds;

namespace {
constexpr std::size_t kSpacingsKept = 30;
constexpr nanoseconds kDefaultInterval = std::chrono::milliseconds{33};
}  // namespace

double FramePlayout::frozen_unheld() const {
  if (seen_.empty()) return 0.0;
  nanoseconds frozen{0};
  for (std::size_t i = 1; i < seen_.size(); ++i) {
    const nanoseconds gap = seen_[i].at - seen_[i - 1].at;
    if (gap < kStall) frozen += std::max(nanoseconds{0}, gap - freeze_after_);  // a stall is an outage
  }
  // Over the whole window even while it fills: a few seconds' freezes are no rate to hold every frame for.
  const nanoseconds span = std::max<nanoseconds>(seen_.back().at - seen_.front().at, kWindow);
  return static_cast<double>(frozen.count()) / static_cast<double>(span.count());
}

FramePlayout::FramePlayout(nanoseconds budget, nanoseconds freeze_after)
    : budget_(std::max(budget, nanoseconds{0})), freeze_after_(freeze_after) {}

core::CaptureTime FramePlayout::due(core::CaptureTime captured, core::CaptureTime at) {
  const nanoseconds transit = at - captured;
  if (last_at_ && at - *last_at_ >= kStall) resumed_at_ = at;
  last_at_ = std::max(at, last_at_.value_or(at));
  while (!seen_.empty() && seen_.front().at < at - kWindow) seen_.pop_front();
  if (!resumed_at_ || at - *resumed_at_ >= kAfterStall || seen_.empty()) seen_.push_back({at, transit});
  if (last_captured_ && captured > *last_captured_) {
    spacing_.push_back(captured - *last_captured_);
    if (spacing_.size() > kSpacingsKept) spacing_.pop_front();
  }
  if (!last_captured_ || captured > *last_captured_) last_captured_ = captured;

  nanoseconds base = seen_.back().transit;
  for (const auto& s : seen_) base = std::min(base, s.transit);
  nanoseconds wanted{0};
  if (budget_ > nanoseconds{0} && seen_.size() >= kMinFrames) {
    excess_.clear();
    for (const auto& s : seen_) excess_.push_back(s.transit - base);
    const auto q = excess_.begin() + static_cast<std::ptrdiff_t>((excess_.size() - 1) * 99 / 100);
    std::nth_element(excess_.begin(), q, excess_.end());
    nanoseconds interval = kDefaultInterval;
    if (!spacing_.empty()) {
      intervals_.assign(spacing_.begin(), spacing_.end());
      const auto m = intervals_.begin() + static_cast<std::ptrdiff_t>(intervals_.size() / 2);
      std::nth_element(intervals_.begin(), m, intervals_.end());
      interval = *m;
    }
    // A frame this much later than its schedule still shows before the picture counts as frozen.
    const nanoseconds bearable = std::max(nanoseconds{0}, freeze_after_ - interval - nanoseconds{kMargin});
    if (frozen_unheld() >= kWorthHolding) wanted = std::clamp(*q - bearable, nanoseconds{0}, budget_);
  }
  if (wanted > hold_) {
    hold_ = std::min(wanted, hold_ + nanoseconds{kRiseStep});
  } else {
    hold_ = std::max(wanted, hold_ - nanoseconds{kFallStep});
  }
  return std::max(at, captured + base + hold_);
}

}  // namespace surgilink::media
