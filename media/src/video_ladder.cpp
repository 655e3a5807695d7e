#include "surgilink/media/video_ladder.hpp"

#include <algorithm>

namespace surgilink::media {

namespace {

// Floors: the bitrate below which x264 ultrafast smears surgical detail at that size and rate more than the
// next step down would (measured on the synthetic scene; the pixel code survives far lower).
const std::vector<LadderStep>& standard_steps() {
  static const std::vector<LadderStep> steps{
      {"1080p60", 1920, 1080, 60, 5000}, {"1080p30", 1920, 1080, 30, 3000}, {"720p30", 1280, 720, 30, 1500},
      {"720p15", 1280, 720, 15, 800},    {"540p15", 960, 540, 15, 0},
  };
  return steps;
}

}  // namespace

VideoLadder::VideoLadder(const VideoProfile& top) {
  steps_.push_back({top.name, top.width, top.height, top.fps, 0});
  for (const auto& s : standard_steps()) {
    const bool smaller = s.width * s.height * s.fps < top.width * top.height * top.fps &&
                         s.width <= top.width && s.fps <= top.fps;
    if (smaller) steps_.push_back(s);
  }
  // The top keeps the floor of its standard step (a profile of its own size and rate), else that of the
  // next one down scaled up: it is left only when the rate no longer carries it.
  for (const auto& s : standard_steps()) {
    if (s.width == top.width && s.height == top.height && s.fps == top.fps)
      steps_.front().floor_kbps = s.floor_kbps;
  }
  steps_.back().floor_kbps = 0;
}

const LadderStep& VideoLadder::choose(std::uint32_t target_kbps, core::CaptureTime now) {
  // Down: as far as needed, at once — a stream over the link's rate freezes the picture.
  std::size_t next = current_;
  while (next + 1 < steps_.size() && target_kbps < steps_[next].floor_kbps) ++next;
  if (next != current_) {
    current_ = next;
    up_since_.reset();
    ++changes_;
    return steps_[current_];
  }
  // Up: one step, after the target has held well above that step's floor.
  if (current_ > 0 && target_kbps >= kUpMargin * steps_[current_ - 1].floor_kbps) {
    if (!up_since_) up_since_ = now;
    if (now - *up_since_ >= kUpAfter) {
      --current_;
      up_since_ = now;  // the wait for the next step up starts now
      ++changes_;
    }
  } else {
    up_since_.reset();
  }
  return steps_[current_];
}

}  // namespace surgilink::media
