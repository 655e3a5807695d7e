#pragma once
// A token bucket: at most `rate` events a second on average, bursts up to `depth`. One thread.

#include <algorithm>
#include <chrono>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::core {

// Starts full. Time comes from the caller (a clock's now()), so tests drive it with SimulatedClock.
class TokenBucket {
 public:
  // `rate` tokens a second, at most `depth` held; both > 0 (checked by the configuration that sets them).
  TokenBucket(double rate, double depth) : rate_(rate), depth_(depth), tokens_(depth) {}

  // Takes one token at `now`; false (nothing taken) when the bucket is empty.
  bool take(CaptureTime now) {
    if (started_ && now > refilled_at_) {
      tokens_ = std::min(depth_, tokens_ + std::chrono::duration<double>(now - refilled_at_).count() * rate_);
    }
    if (!started_ || now > refilled_at_) refilled_at_ = now;
    started_ = true;
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  double rate_, depth_, tokens_;
  bool started_ = false;
  CaptureTime refilled_at_{};
};

}  // namespace surgilink::core
