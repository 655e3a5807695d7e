#include "surgilink/session/clock_sync.hpp"

namespace surgilink::session {

bool ClockSync::add(const ClockSample& sample) {
  if (sample.round_trip().count() < 0 || sample.t4 < sample.t1 || sample.t3 < sample.t2) return false;
  samples_.push_back(sample);
  if (samples_.size() > window_) samples_.pop_front();
  best_ = samples_.front();
  for (const auto& s : samples_) {
    if (s.round_trip() < best_->round_trip()) best_ = s;
  }
  return true;
}

}  // namespace surgilink::session
