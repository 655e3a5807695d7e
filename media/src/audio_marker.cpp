#include "surgilink/media/audio_marker.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace surgilink::media {

namespace {
constexpr std::size_t kMarkerSamples = kVoiceSampleRate / 50;  // 20 ms
constexpr double kF0 = 800.0, kF1 = 3200.0;
}  // namespace

std::vector<float> audio_marker_waveform(AudioMarker who, float amplitude) {
  const double f0 = who == AudioMarker::kOr ? kF0 : kF1, f1 = who == AudioMarker::kOr ? kF1 : kF0;
  std::vector<float> out(kMarkerSamples);
  const double duration = static_cast<double>(kMarkerSamples) / kVoiceSampleRate;
  for (std::size_t i = 0; i < kMarkerSamples; ++i) {
    const double t = static_cast<double>(i) / kVoiceSampleRate;
    const double phase = 2 * std::numbers::pi * (f0 * t + (f1 - f0) * t * t / (2 * duration));
    const double window = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * static_cast<double>(i) /
                                               static_cast<double>(kMarkerSamples - 1));
    out[i] = static_cast<float>(amplitude * window * std::sin(phase));
  }
  return out;
}

std::vector<float> audio_marker_track(double seconds, std::chrono::milliseconds period, AudioMarker who) {
  const auto total = static_cast<std::size_t>(std::max(0.0, seconds) * kVoiceSampleRate);
  std::vector<float> track(total, 0.0f);
  const auto marker = audio_marker_waveform(who);
  const auto step = static_cast<std::size_t>(period.count()) * kVoiceSampleRate / 1000;
  if (step == 0) return track;
  for (std::size_t at = step / 2; at + marker.size() <= total; at += step) {
    std::copy(marker.begin(), marker.end(), track.begin() + static_cast<std::ptrdiff_t>(at));
  }
  return track;
}

AudioMarkerDetector::AudioMarkerDetector(AudioMarker who, float threshold,
                                         std::chrono::milliseconds refractory)
    : marker_(audio_marker_waveform(who, 1.0f)), threshold_(threshold), refractory_(refractory) {
  double energy = 0;
  for (const float m : marker_) energy += static_cast<double>(m) * m;
  marker_norm_ = static_cast<float>(std::sqrt(energy));
}

std::vector<core::CaptureTime> AudioMarkerDetector::feed(std::span<const float> samples,
                                                         core::CaptureTime first_sample) {
  std::vector<core::CaptureTime> out;
  const std::size_t n = marker_.size();
  std::vector<float>& all = window_;  // reused: no allocation per block once it has grown
  all.clear();
  all.insert(all.end(), history_.begin(), history_.end());
  all.insert(all.end(), samples.begin(), samples.end());
  const auto before = static_cast<std::ptrdiff_t>(history_.size());
  const auto time_of = [&](std::size_t index) {
    const auto offset = static_cast<std::ptrdiff_t>(index) - before;
    return first_sample + std::chrono::duration_cast<core::CaptureTime::duration>(
                              std::chrono::duration<double>(static_cast<double>(offset) / kVoiceSampleRate));
  };
  if (all.size() >= n) {
    double energy = 0;
    for (std::size_t i = 0; i + 1 < n; ++i) energy += static_cast<double>(all[i]) * all[i];
    for (std::size_t start = 0; start + n <= all.size(); ++start) {
      const float newest = all[start + n - 1];
      energy += static_cast<double>(newest) * newest;
      // Silence has no shape: a window must also carry some sound (−60 dBFS) to count (and silent windows,
      // most of a marker track, cost no correlation).
      const bool loud = energy / static_cast<double>(n) > 1e-6;
      float corr = 0;
      if (loud) {
        float dot = 0;
        for (std::size_t k = 0; k < n; ++k) dot += all[start + k] * marker_[k];
        corr = static_cast<float>(dot / (std::sqrt(energy) * marker_norm_));
      }
      if (loud && corr >= threshold_ && (!in_peak_ || corr > peak_)) {
        in_peak_ = true;
        peak_ = corr;
        peak_at_ = time_of(start);
        since_peak_ = 0;
      } else if (in_peak_ && ++since_peak_ > n / 2) {
        // The correlation fell for half a chirp after its best: that was the chirp.
        if (found_ == 0 || peak_at_ - last_found_ >= refractory_) {
          out.push_back(peak_at_);
          last_found_ = peak_at_;
          ++found_;
        }
        in_peak_ = false;
        peak_ = 0;
      }
      const float oldest = all[start];
      energy -= static_cast<double>(oldest) * oldest;
    }
  }
  const std::size_t keep = std::min(all.size(), n - 1);
  history_.assign(all.end() - static_cast<std::ptrdiff_t>(keep), all.end());
  return out;
}

}  // namespace surgilink::media
