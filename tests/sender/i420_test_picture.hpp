#pragma once
// A picture for the OR display's overlays to draw into in the sender's unit tests: tightly packed I420 of one
// grey, with views for OpenCV.

#include <algorithm>
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::sender::testing {

struct I420TestPicture {
  I420TestPicture(int w, int h, std::uint8_t grey = 120)
      : width(w),
        height(h),
        y(static_cast<std::size_t>(w * h), grey),
        u(static_cast<std::size_t>(w * h / 4), 128),
        v(static_cast<std::size_t>(w * h / 4), 128) {}
  int width, height;
  std::vector<std::uint8_t> y, u, v;

  media::I420Picture view() {
    media::I420Picture p;
    p.planes[0] = y.data();
    p.planes[1] = u.data();
    p.planes[2] = v.data();
    p.strides[0] = width;
    p.strides[1] = width / 2;
    p.strides[2] = width / 2;
    p.width = width;
    p.height = height;
    return p;
  }
  cv::Mat luma() { return cv::Mat(height, width, CV_8UC1, y.data()); }
  // As BGR, to look at.
  cv::Mat bgr() const {
    cv::Mat i420(height * 3 / 2, width, CV_8UC1);
    std::copy(y.begin(), y.end(), i420.data);
    std::copy(u.begin(), u.end(), i420.data + y.size());
    std::copy(v.begin(), v.end(), i420.data + y.size() + u.size());
    cv::Mat out;
    cv::cvtColor(i420, out, cv::COLOR_YUV2BGR_I420);
    return out;
  }
};

}  // namespace surgilink::sender::testing
