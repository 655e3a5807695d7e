#pragma once
// A run of evenly spaced samples of one waveform, stamped on the sender's capture clock.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/vitals/vital_sign.hpp"

namespace surgilink::vitals {

// Plain value type; any thread.
struct WaveformChunk {
  Waveform waveform = Waveform::kEcgII;
  Unit unit = Unit::kMilliVolt;                                          // info(waveform).unit
  core::CaptureTime first_sample{};                                      // capture time of samples[0]
  std::chrono::nanoseconds sample_period{std::chrono::milliseconds{2}};  // 2 ms = 500 Hz
  std::vector<float> samples;

  // Capture time of samples[index].
  core::CaptureTime time_of(std::size_t index) const {
    return first_sample + sample_period * static_cast<std::int64_t>(index);
  }
  bool operator==(const WaveformChunk&) const = default;
};

}  // namespace surgilink::vitals
