#pragma once
// Draws an annotation scene with OpenCV: anti-aliased, every shape over a dark outline so that it stands out
// on red tissue, sizes scaled with the frame height. Used by the OR display, clip export and tests.

#include <vector>

#include <opencv2/core.hpp>

#include "surgilink/annotation/placement.hpp"
#include "surgilink/annotation/scene.hpp"

namespace surgilink::annotation {

// Draws scenes into a premultiplied-alpha BGRA overlay: each pixel holds (B*a, G*a, R*a, a), so compositing
// is frame = overlay + frame * (1 - a) and a transparent pixel is all zero. Keeps scratch memory between
// calls, so one instance per thread; one thread at a time.
class SceneRenderer {
 public:
  // Draws `scene` over the picture `overlay` already holds (CV_8UC4, premultiplied; the caller clears it),
  // each annotation moved by its placement. Returns the rectangle holding every pixel drawn (empty when
  // nothing was), and when `boxes` is given appends each annotation's own rectangle to it. Throws
  // std::invalid_argument when `overlay` is not CV_8UC4.
  cv::Rect draw(const Scene& scene, const Placements& placements, cv::Mat& overlay,
                std::vector<cv::Rect>* boxes = nullptr);

  // Draws `scene` onto a BGR frame (CV_8UC3) of any size in place. Throws std::invalid_argument for another
  // type.
  void draw_onto_bgr(const Scene& scene, const Placements& placements, cv::Mat& bgr);

 private:
  cv::Mat scratch_;  // one translucent annotation at a time, composited onto the overlay
  cv::Mat keep_;     // per-pixel weight of the overlay under it
};

// frame = overlay + frame * (1 - alpha) within `area` (clipped to both pictures). `overlay` is CV_8UC4
// premultiplied, `bgr` CV_8UC3 of the same size; returns false, touching nothing, when they are not.
bool blend_onto_bgr(const cv::Mat& overlay, cv::Rect area, cv::Mat& bgr);

}  // namespace surgilink::annotation
