#include "surgilink/media/echo_path.hpp"

#include <algorithm>

#include "surgilink/media/audio_marker.hpp"

namespace surgilink::media {

EchoPath::EchoPath(std::chrono::milliseconds delay, float gain, std::chrono::milliseconds remembered)
    : delay_samples_(delay.count() * kVoiceSampleRate / 1000),
      gain_(gain),
      played_(static_cast<std::size_t>(std::max(remembered, delay + std::chrono::milliseconds{100}).count() *
                                       kVoiceSampleRate / 1000)),
      index_(played_.size(), -1) {}

std::int64_t EchoPath::sample_index(core::CaptureTime at) {
  // Nanoseconds since the epoch × 48 000 overflows 64 bits: whole seconds and the rest apart.
  const auto ns = at.time_since_epoch().count();
  const std::int64_t seconds = ns / 1'000'000'000, rest = ns % 1'000'000'000;
  return seconds * kVoiceSampleRate + (rest * kVoiceSampleRate + 500'000'000) / 1'000'000'000;
}

void EchoPath::played(std::span<const float> samples, core::CaptureTime at) {
  const std::int64_t first = sample_index(at);
  const auto size = static_cast<std::int64_t>(played_.size());
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const std::int64_t index = first + static_cast<std::int64_t>(i);
    const auto slot = static_cast<std::size_t>(index % size);
    played_[slot] = samples[i];
    index_[slot] = index;
  }
}

void EchoPath::add_echo(std::span<float> samples, core::CaptureTime at) {
  const std::int64_t first = sample_index(at) - delay_samples_;
  const auto size = static_cast<std::int64_t>(played_.size());
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const std::int64_t index = first + static_cast<std::int64_t>(i);
    const auto slot = static_cast<std::size_t>(index % size);
    if (index_[slot] != index) {
      ++unechoed_;
      continue;
    }
    samples[i] = std::clamp(samples[i] + gain_ * played_[slot], -1.0f, 1.0f);
    ++echoed_;
  }
}

std::uint64_t EchoPath::echoed_samples() const {
  std::lock_guard lock(mutex_);
  return echoed_;
}

std::uint64_t EchoPath::unechoed_samples() const {
  std::lock_guard lock(mutex_);
  return unechoed_;
}

}  // namespace surgilink::media
