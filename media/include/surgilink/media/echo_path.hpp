#pragma once
// A simulated loudspeaker→microphone loop (the room's echo path), for the echo tests and the bench: what a
// VoicePlayout hands to its speaker comes back into a VoiceCapture's microphone `delay` later, scaled by
// `gain`, as a speakerphone's microphone hears its own loudspeaker. Both ends go by the capture clock, so the
// two pipelines need not start together: the capture adds, to its block that starts at t, what was played
// at t − delay.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::media {

// played() on the playout's streaming thread, add_echo() on the capture's; counters from any thread.
class EchoPath {
 public:
  // `gain` is linear (0.3 ≈ −10 dB); `delay` at most `remembered` (what is played is kept that long).
  EchoPath(std::chrono::milliseconds delay, float gain,
           std::chrono::milliseconds remembered = std::chrono::milliseconds{1000});

  // 48 kHz mono samples handed to the speaker, the first at `at`.
  void played(std::span<const float> samples, core::CaptureTime at);
  // Adds to 48 kHz mono microphone samples (the first captured at `at`) what was played `delay` before each.
  // Samples whose echo was not played (nothing played then, or not yet known) get none.
  void add_echo(std::span<float> samples, core::CaptureTime at);

  // Microphone samples that got an echo / none (nothing was played `delay` before them).
  std::uint64_t echoed_samples() const;
  std::uint64_t unechoed_samples() const;

 private:
  static std::int64_t sample_index(core::CaptureTime at);

  const std::int64_t delay_samples_;
  const float gain_;
  mutable std::mutex mutex_;
  // A ring of what was played, by absolute sample index (capture clock × 48 kHz): slot i % size holds
  // sample `index_[slot]`.
  std::vector<float> played_;
  std::vector<std::int64_t> index_;
  std::uint64_t echoed_ = 0, unechoed_ = 0;
};

}  // namespace surgilink::media
