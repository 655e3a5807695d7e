#pragma once
// The last couple of seconds of small grey pictures, by capture time: what the mentor's annotations are
// anchored from.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>

#include <opencv2/core.hpp>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::annotation {

// A downscaled luma picture of the frame captured at `capture_time`. Any thread.
struct HistoryFrame {
  core::CaptureTime capture_time;
  cv::Mat grey;  // CV_8UC1, small (e.g. 480 px wide)
};

// Ring of recent frames, oldest first. One thread at a time (the OR display's frame thread).
class FrameHistory {
 public:
  // Keeps frames up to `span` older than the newest. Throws std::invalid_argument unless span > 0.
  explicit FrameHistory(std::chrono::nanoseconds span = std::chrono::seconds{2});

  // Adds the newest frame and drops those older than the span. Refuses (false, nothing kept) a frame that is
  // not newer than the newest, or not a non-empty CV_8UC1 picture. The picture is shared, not copied: the
  // caller must not write into it afterwards.
  bool push(core::CaptureTime capture_time, const cv::Mat& grey_small);

  // The frame whose capture time is nearest `t`, or nullptr when the history is empty.
  const HistoryFrame* nearest(core::CaptureTime t) const;
  // The frame captured exactly at `t`, or nullptr.
  const HistoryFrame* at(core::CaptureTime t) const;
  const HistoryFrame* newest() const { return frames_.empty() ? nullptr : &frames_.back(); }
  const HistoryFrame* oldest() const { return frames_.empty() ? nullptr : &frames_.front(); }
  std::size_t size() const { return frames_.size(); }

 private:
  std::chrono::nanoseconds span_;
  std::deque<HistoryFrame> frames_;
};

// Width of the small grey pictures anchoring works on.
inline constexpr int kSmallWidth = 480;

// The size a frame of `full` is reduced to for a small width (height keeps the aspect, at least 1).
cv::Size small_size(cv::Size full, int small_width = kSmallWidth);

// Downscales a full-size luma plane (a header over an I420 frame's Y plane works) to `small` with area
// averaging. Any thread.
cv::Mat downscale_luma(const cv::Mat& luma, cv::Size small);

}  // namespace surgilink::annotation
