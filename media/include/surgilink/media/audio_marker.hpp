#pragma once
// The audio timestamp code, as the pixel code is for video: a short chirp put into the sound at known moments
// and found again, to the sample, wherever the sound is heard. Mouth-to-ear latency = when a chirp is heard
// − when it was spoken (both on the capture clock).

#include <cstddef>
#include <span>
#include <vector>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::media {

inline constexpr int kVoiceSampleRate = 48000;

// Whose code: the OR's chirp rises, the mentor's falls. Two different codes, so that an echo canceller never
// takes one side's code for the echo of the other's (it would cancel it), and each side finds only the
// other's.
enum class AudioMarker { kOr, kMentor };

// The chirp: 20 ms, 800 → 3200 Hz (OR) or 3200 → 800 Hz (mentor) linear, Hann window, peak `amplitude`.
std::vector<float> audio_marker_waveform(AudioMarker who = AudioMarker::kOr, float amplitude = 0.5f);

// A test track: silence with one chirp every `period`, the first at `period`/2, `seconds` long. The bench
// feeds it to `file:` inputs.
std::vector<float> audio_marker_track(double seconds, std::chrono::milliseconds period,
                                      AudioMarker who = AudioMarker::kOr);

// Finds chirps in a stream of 48 kHz mono samples by normalised cross-correlation. One thread at a time.
class AudioMarkerDetector {
 public:
  // `threshold`: correlation (0..1) a chirp must reach; chirps closer than `refractory` count once.
  explicit AudioMarkerDetector(AudioMarker who = AudioMarker::kOr, float threshold = 0.6f,
                               std::chrono::milliseconds refractory = std::chrono::milliseconds{150});
  // `first_sample` is when samples[0] was captured / heard. Returns when each chirp found in this block (or
  // begun in an earlier one) started.
  std::vector<core::CaptureTime> feed(std::span<const float> samples, core::CaptureTime first_sample);
  std::size_t found() const { return found_; }

 private:
  std::vector<float> marker_;
  float marker_norm_ = 0;
  float threshold_;
  std::chrono::nanoseconds refractory_;
  std::vector<float> history_;  // the last marker_.size() - 1 samples before the current block
  std::vector<float> window_;   // history_ + the current block
  // A candidate peak still rising: its correlation and start time.
  float peak_ = 0;
  core::CaptureTime peak_at_{};
  std::size_t since_peak_ = 0;
  bool in_peak_ = false;
  core::CaptureTime last_found_{};
  std::size_t found_ = 0;
};

}  // namespace surgilink::media
