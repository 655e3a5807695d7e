#pragma once
// Where motion anchoring puts each annotation on the current frame, as the renderer consumes it.

#include <string>
#include <unordered_map>

#include <opencv2/core.hpp>

#include "surgilink/annotation/annotation.hpp"

namespace surgilink::annotation {

// Placement of one annotation on one frame. Plain value type; any thread.
struct Placement {
  // Maps pixels of the frame the mentor drew on (the annotation's reference capture) to pixels of the current
  // frame, both at the current frame's size, pixel centres on integer coordinates (OpenCV's convention).
  cv::Matx33d homography = cv::Matx33d::eye();
  double confidence = 1.0;          // 0..1: inlier ratio x coverage of the motion estimates behind it
  bool position_uncertain = false;  // confidence too low to trust: drawn faded, flagged "position uncertain"
  float opacity = 1.0F;             // multiplies the annotation colour's alpha
};

// Placements by annotation id; an annotation without one is drawn where it was drawn, fully opaque.
using Placements = std::unordered_map<std::string, Placement>;

// Pixel position of a normalised point on a frame of `size`: 0 and 1 are the outer edges of the picture, so
// pixel centres sit at integer coordinates (x = p.x * width - 0.5).
inline cv::Point2d to_pixels(NormalisedPoint p, cv::Size size) {
  return {static_cast<double>(p.x) * size.width - 0.5, static_cast<double>(p.y) * size.height - 0.5};
}

// Applies a homography to a pixel position.
inline cv::Point2d map_point(const cv::Matx33d& h, cv::Point2d p) {
  const double w = h(2, 0) * p.x + h(2, 1) * p.y + h(2, 2);
  return {(h(0, 0) * p.x + h(0, 1) * p.y + h(0, 2)) / w, (h(1, 0) * p.x + h(1, 1) * p.y + h(1, 2)) / w};
}

}  // namespace surgilink::annotation
