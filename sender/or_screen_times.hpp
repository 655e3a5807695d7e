#pragma once
// How long the OR's own pictures take (issue 13): capture → composed by the OR display branch, and capture →
// handed to the OR window's screen. Bounded memory however long the case.

#include <mutex>

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

 private:
  mutable std::mutex mutex_;
  core::LatencySeries branch_, window_;
};

}  // namespace surgilink::sender
