#pragma once
// NTP-style clock sync between a console and its sender (DESIGN.md §4): keep the minimum-RTT sample of a
// sliding window; its offset maps sender capture times to the console's clock, ±RTT/2 uncertainty.

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::session {

// One ping: t1 console sent, t2 sender received, t3 sender answered, t4 console received.
struct ClockSample {
  core::CaptureTime t1, t2, t3, t4;
  std::chrono::nanoseconds offset() const { return ((t2 - t1) + (t3 - t4)) / 2; }
  std::chrono::nanoseconds round_trip() const { return (t4 - t1) - (t3 - t2); }
};

// Network thread only.
class ClockSync {
 public:
  explicit ClockSync(std::size_t window = 16) : window_(window == 0 ? 1 : window) {}
  // Ignores impossible samples (negative round trip); returns whether it was used.
  bool add(const ClockSample& sample);
  bool synced() const { return best_.has_value(); }
  // Sender clock minus console clock.
  std::chrono::nanoseconds offset() const { return best_ ? best_->offset() : std::chrono::nanoseconds{0}; }
  std::chrono::nanoseconds uncertainty() const {
    return best_ ? best_->round_trip() / 2 : std::chrono::nanoseconds{0};
  }
  std::chrono::nanoseconds round_trip() const {
    return best_ ? best_->round_trip() : std::chrono::nanoseconds{0};
  }
  // A sender-clock time on the console's clock.
  core::CaptureTime to_local(core::CaptureTime sender_time) const { return sender_time - offset(); }

 private:
  std::size_t window_;
  std::deque<ClockSample> samples_;
  std::optional<ClockSample> best_;
};

}  // namespace surgilink::session
