#include "surgilink/annotation/frame_history.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

namespace surgilink::annotation {

FrameHistory::FrameHistory(std::chrono::nanoseconds span) : span_(span) {
  if (span_.count() <= 0) throw std::invalid_argument("FrameHistory needs a positive span");
}

bool FrameHistory::push(core::CaptureTime capture_time, const cv::Mat& grey_small) {
  if (grey_small.empty() || grey_small.type() != CV_8UC1) return false;
  if (!frames_.empty() && capture_time <= frames_.back().capture_time) return false;
  frames_.push_back(HistoryFrame{capture_time, grey_small});
  while (frames_.front().capture_time < capture_time - span_) frames_.pop_front();
  return true;
}

const HistoryFrame* FrameHistory::nearest(core::CaptureTime t) const {
  if (frames_.empty()) return nullptr;
  const auto later =
      std::lower_bound(frames_.begin(), frames_.end(), t,
                       [](const HistoryFrame& f, core::CaptureTime v) { return f.capture_time < v; });
  if (later == frames_.begin()) return &*later;
  if (later == frames_.end()) return &frames_.back();
  const auto earlier = std::prev(later);
  return (t - earlier->capture_time) <= (later->capture_time - t) ? &*earlier : &*later;
}

const HistoryFrame* FrameHistory::at(core::CaptureTime t) const {
  const HistoryFrame* found = nearest(t);
  return found != nullptr && found->capture_time == t ? found : nullptr;
}

cv::Size small_size(cv::Size full, int small_width) {
  const int width = std::max(1, std::min(small_width, full.width));
  const int height =
      std::max(1, static_cast<int>(std::lround(static_cast<double>(full.height) * width / full.width)));
  return {width, height};
}

cv::Mat downscale_luma(const cv::Mat& luma, cv::Size small) {
  cv::Mat out;
  cv::resize(luma, out, small, 0, 0, cv::INTER_AREA);
  return out;
}

}  // namespace surgilink::annotation
