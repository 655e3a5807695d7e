#pragma once
// Lip sync for vital signs: holds received numerics and waveform chunks until the picture captured at the
// same moment is on the mentor's screen, so numbers and video agree (as RTP audio/video sync does).

#include <cstddef>
#include <deque>
#include <optional>

#include "surgilink/vitals/vitals_receiver.hpp"

namespace surgilink::vitals {

// Network thread only (not thread-safe). All times are on the sender's capture clock.
class VitalsPlayout {
 public:
  // `max_held`: numerics and chunks kept at most; beyond it the oldest are released early rather than
  // growing without bound (a stalled video path must not stall the vitals).
  explicit VitalsPlayout(std::size_t max_held = 4096) : max_held_(max_held) {}

  // Holds the numerics and waveforms of `update` (its alarm flag is not held: alarms are never delayed).
  void push(const VitalsUpdate& update);
  // Everything whose time is at or before `until`: a numeric by its capture time, a waveform chunk by its
  // last sample; in arrival order.
  VitalsUpdate release(core::CaptureTime until);
  // The earliest time held (when the next release is due before the delay is added); none when empty.
  std::optional<core::CaptureTime> next_due() const;
  std::size_t held() const { return numerics_.size() + waveforms_.size(); }

 private:
  std::size_t max_held_;
  std::deque<NumericSample> numerics_;
  std::deque<WaveformChunk> waveforms_;
};

}  // namespace surgilink::vitals
