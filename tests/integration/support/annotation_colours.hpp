#pragma once
// Finding the scripted mentor's annotation colours in a picture of the OR display (its PNG or a grab of the
// OR window).

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace surgilink::testing {

// Pixels of the scripted mentor's stroke green (#76ff03) and circle/arrow cyan (#00e5ff) in a BGR picture:
// the synthetic tissue is red, pink and brown, with white highlights.
inline cv::Mat annotation_colour_mask(const cv::Mat& bgr) {
  cv::Mat green, cyan;
  cv::inRange(bgr, cv::Scalar(0, 170, 60), cv::Scalar(110, 255, 180), green);
  cv::inRange(bgr, cv::Scalar(170, 170, 0), cv::Scalar(255, 255, 110), cyan);
  return green | cyan;
}

}  // namespace surgilink::testing
