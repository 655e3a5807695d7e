#pragma once
// What the synthetic source really showed, for measuring anchoring against exact motion (benchmark only).

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <opencv2/core/matx.hpp>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::media {

class SyntheticScene;

// The scene time of each recently captured frame, so that the exact tissue motion between two frames can be
// looked up by their capture times. The capture thread notes frames; any thread asks.
class SyntheticTruth {
 public:
  // Remembers the last `capacity` frames (about 17 s at 30 fps by default).
  explicit SyntheticTruth(std::shared_ptr<const SyntheticScene> scene, std::size_t capacity = 512);

  void note(core::CaptureTime captured, std::chrono::nanoseconds scene_time);

  // The 2x3 affine map of tissue from the frame captured at `from` to the one captured at `to` (frame pixels,
  // OpenCV centres), or nullopt when either frame is unknown (times within 1 ms of a noted frame match it).
  std::optional<cv::Matx23d> tissue_motion(core::CaptureTime from, core::CaptureTime to) const;

 private:
  std::optional<std::chrono::nanoseconds> scene_time_of(core::CaptureTime t) const;  // with mutex_ held

  std::shared_ptr<const SyntheticScene> scene_;
  mutable std::mutex mutex_;
  std::vector<std::pair<core::CaptureTime, std::chrono::nanoseconds>> frames_;
  std::size_t next_ = 0;
};

}  // namespace surgilink::media
