#include "or_screen_times.hpp"

#include <algorithm>

namespace surgilink::sender {

void OrScreenTimes::composed(core::CaptureTime capture, core::CaptureTime at) {
  std::lock_guard lock(mutex_);
  branch_.add(at - capture);
}

void OrScreenTimes::shown(core::CaptureTime capture, core::CaptureTime at) {
  std::lock_guard lock(mutex_);
  window_.add(at - capture);
  if (shown_.size() < kMaxShown) shown_.emplace_back(capture, at);
}

std::optional<core::CaptureTime> OrScreenTimes::first_shown_from(core::CaptureTime capture) const {
  std::lock_guard lock(mutex_);
  const auto it = std::lower_bound(shown_.begin(), shown_.end(), capture,
                                   [](const auto& s, core::CaptureTime c) { return s.first < c; });
  if (it == shown_.end()) return std::nullopt;
  return it->second;
}

core::LatencySummary OrScreenTimes::branch() const {
  std::lock_guard lock(mutex_);
  return branch_.summary();
}

core::LatencySummary OrScreenTimes::window() const {
  std::lock_guard lock(mutex_);
  return window_.summary();
}

}  // namespace surgilink::sender
