#include "surgilink/media/synthetic_truth.hpp"

#include <cstdlib>

#include "surgilink/media/synthetic_scene.hpp"

namespace surgilink::media {

SyntheticTruth::SyntheticTruth(std::shared_ptr<const SyntheticScene> scene, std::size_t capacity)
    : scene_(std::move(scene)), frames_(capacity == 0 ? 1 : capacity) {}

void SyntheticTruth::note(core::CaptureTime captured, std::chrono::nanoseconds scene_time) {
  std::lock_guard lock(mutex_);
  frames_[next_] = {captured, scene_time};
  next_ = (next_ + 1) % frames_.size();
}

std::optional<std::chrono::nanoseconds> SyntheticTruth::scene_time_of(core::CaptureTime t) const {
  // Capture times travel as NTP-64 to the console and back: allow for rounding, not for another frame.
  constexpr std::chrono::nanoseconds kTolerance = std::chrono::milliseconds{1};
  for (const auto& [captured, scene_time] : frames_) {
    if (captured.time_since_epoch().count() != 0 && captured - t < kTolerance && t - captured < kTolerance)
      return scene_time;
  }
  return std::nullopt;
}

std::optional<cv::Matx23d> SyntheticTruth::tissue_motion(core::CaptureTime from, core::CaptureTime to) const {
  std::optional<std::chrono::nanoseconds> a, b;
  {
    std::lock_guard lock(mutex_);
    a = scene_time_of(from);
    b = scene_time_of(to);
  }
  if (!a || !b || !scene_) return std::nullopt;
  // tissue_motion reads only the scene's fixed camera path: safe beside render() on the capture thread.
  return scene_->tissue_motion(*a, *b);
}

}  // namespace surgilink::media
