#pragma once
// The steps the sender's stream takes down and back up when the link narrows (DESIGN.md §13): 1080p30 →
// 720p30 → 720p15 → 540p15, each used only above a floor of bitrate, changed with hysteresis so that a
// link near a floor does not make the picture flicker between sizes.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/media/video_profile.hpp"

namespace surgilink::media {

// One step: picture size and frame rate, and the least bitrate it is used at. Plain value type.
struct LadderStep {
  std::string name;  // "720p15"
  int width = 0, height = 0, fps = 0;
  std::uint32_t floor_kbps = 0;
  bool operator==(const LadderStep&) const = default;
};

// One thread (the sender's network thread).
class VideoLadder {
 public:
  // Steps from `top` (the configured profile) down to 540p15; the ladder never goes above `top`.
  explicit VideoLadder(const VideoProfile& top);

  // The step for this target bitrate: down at once when the target falls below the current step's floor,
  // up one step only after the target has stayed at 1.3 × the higher step's floor for 5 s.
  const LadderStep& choose(std::uint32_t target_kbps, core::CaptureTime now);

  const LadderStep& step() const { return steps_[current_]; }
  const std::vector<LadderStep>& steps() const { return steps_; }
  std::uint64_t changes() const { return changes_; }

  static constexpr double kUpMargin = 1.3;
  static constexpr std::chrono::seconds kUpAfter{5};

 private:
  std::vector<LadderStep> steps_;
  std::size_t current_ = 0;
  std::optional<core::CaptureTime> up_since_;
  std::uint64_t changes_ = 0;
};

}  // namespace surgilink::media
