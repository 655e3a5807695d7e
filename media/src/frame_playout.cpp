#include "surgilink/media/frame_playout.hpp"

#include <algorithm>
#include <vector>

namespace surgilink::media {

using std::chrono::nanoseconds;

namespace {
constexpr std::size_t kSpacingsKept = 30;
constexpr nanoseconds kDefaultInterval = std::chrono::milliseconds{33};
}  // namespace

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
    std::vector<nanoseconds> excess;
    excess.reserve(seen_.size());
    for (const auto& s : seen_) excess.push_back(s.transit - base);
    const auto q = excess.begin() + static_cast<std::ptrdiff_t>((excess.size() - 1) * 99 / 100);
    std::nth_element(excess.begin(), q, excess.end());
    nanoseconds interval = kDefaultInterval;
    if (!spacing_.empty()) {
      std::vector<nanoseconds> s(spacing_.begin(), spacing_.end());
      const auto m = s.begin() + static_cast<std::ptrdiff_t>(s.size() / 2);
      std::nth_element(s.begin(), m, s.end());
      interval = *m;
    }
    // A frame this much later than its schedule still shows before the picture counts as frozen.
    const nanoseconds bearable = std::max(nanoseconds{0}, freeze_after_ - interval - nanoseconds{kMargin});
    wanted = std::clamp(*q - bearable, nanoseconds{0}, budget_);
  }
  if (wanted > hold_) {
    hold_ = std::min(wanted, hold_ + nanoseconds{kRiseStep});
  } else {
    hold_ = std::max(wanted, hold_ - nanoseconds{kFallStep});
  }
  return std::max(at, captured + base + hold_);
}

}  // namespace surgilink::media
