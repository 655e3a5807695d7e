#pragma once
// How long the OR's own pictures take (issue 13): capture → composed by the OR display branch, and capture →
// handed to the OR window's screen. Bounded memory however long the case.

#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/latency_statistics.hpp"

namespace surgilink::sender {

// composed(): the display branch's streaming thread; shown(): the window's streaming thread; the summaries:
// any thread (the report at exit).
class OrScreenTimes {
 public:
  void composed(core::CaptureTime capture, core::CaptureTime at);
  void shown(core::CaptureTime capture, core::CaptureTime at);
  core::LatencySummary branch() const;  // capture → composed
  core::LatencySummary window() const;  // capture → on the window's screen
  // When the window first showed a picture captured at `capture` or later (a skipped picture's successor);
  // none when it never did, or the record of shown pictures was full (kMaxShown).
  std::optional<core::CaptureTime> first_shown_from(core::CaptureTime capture) const;
  static constexpr std::size_t kMaxShown = 65536;  // 36 min at 30 fps, 1 MiB

 private:
  mutable std::mutex mutex_;
  core::LatencySeries branch_, window_;
  std::vector<std::pair<core::CaptureTime, core::CaptureTime>> shown_;  // (capture, shown), in order
};

}  // namespace surgilink::sender
