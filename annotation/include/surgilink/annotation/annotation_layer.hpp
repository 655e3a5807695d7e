#pragma once
// The OR display's annotation layer: drawn once when the scene or its placement changes, blended onto every
// video frame, so 50 live annotations cost a blend per frame, not a redraw.

#include <cstdint>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "surgilink/annotation/placement.hpp"
#include "surgilink/annotation/scene.hpp"
#include "surgilink/annotation/scene_renderer.hpp"

namespace surgilink::annotation {

// How the display's I420 frames encode colour (limited range). OpenCV's and the synthetic scene's BGR<->I420
// conversions are BT.601.
enum class YuvMatrix : std::uint8_t { kBt601, kBt709 };

// One per display. One thread at a time (the OR display's frame thread).
class AnnotationLayer {
 public:
  // Side of the tiles the layer keeps track of drawn pixels in (even, so chroma tiles are whole).
  static constexpr int kTile = 32;

  // Throws std::invalid_argument unless the frame size is positive.
  explicit AnnotationLayer(cv::Size frame_size, YuvMatrix matrix = YuvMatrix::kBt601);

  // Redraws when the scene is another snapshot than last time, or a placement changed (a move of more than
  // 0.05 px anywhere on the frame, another opacity or uncertainty, annotations placed or no longer placed).
  // Returns true when it redrew. A null scene draws nothing.
  bool update(std::shared_ptr<const Scene> scene, const Placements& placements);

  // Composites the layer onto an I420 frame in place, touching only the pixels it covers. Returns false,
  // touching nothing, when width/height are not the layer's frame size or a plane is null.
  bool blend_onto_i420(std::uint8_t* y, int y_stride, std::uint8_t* u, int u_stride, std::uint8_t* v,
                       int v_stride, int width, int height) const;

  // Same onto a BGR frame (CV_8UC3) of the layer's size.
  bool blend_onto_bgr(cv::Mat& bgr) const;

  // The drawn layer: premultiplied BGRA (see SceneRenderer) of the frame size.
  cv::Mat overlay() const { return overlay_(cv::Rect({0, 0}, frame_size_)); }
  // The bounding rectangle of what the layer covers (empty when nothing is drawn); blending touches only the
  // tiles (kTile px squares) that hold drawn pixels, see areas().
  cv::Rect covered() const { return covered_; }
  const std::vector<cv::Rect>& areas() const { return areas_; }
  cv::Size frame_size() const { return frame_size_; }
  // How many times update() redrew.
  std::uint64_t redraws() const { return redraws_; }

 private:
  bool placements_moved(const Placements& placements) const;
  // Disjoint rectangles (runs of kTile x kTile tiles) covering `boxes`, within the even-sized overlay.
  std::vector<cv::Rect> tiles_covering(const std::vector<cv::Rect>& boxes) const;
  void convert_to_yuv(cv::Rect area);

  const cv::Size frame_size_;
  const YuvMatrix matrix_;
  SceneRenderer renderer_;
  std::shared_ptr<const Scene> scene_;
  Placements placements_;
  cv::Mat overlay_;              // premultiplied BGRA, sized up to even width and height
  cv::Mat luma_;                 // premultiplied Y (the +16 offset scaled by alpha), full resolution
  cv::Mat keep_;                 // 255 - alpha: how much of the video stays, full resolution
  cv::Mat chroma_u_;             // premultiplied Cb, half resolution
  cv::Mat chroma_v_;             // premultiplied Cr, half resolution
  cv::Mat keep_half_;            // 255 - mean alpha of each 2x2 block
  cv::Mat half_scratch_;         // the overlay averaged over 2x2 blocks, one area at a time
  std::vector<cv::Rect> areas_;  // where the layer has pixels: disjoint, even coordinates and sizes
  cv::Rect covered_;
  std::uint64_t redraws_ = 0;
};

}  // namespace surgilink::annotation
