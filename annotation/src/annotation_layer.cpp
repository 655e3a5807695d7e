#include "surgilink/annotation/annotation_layer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <utility>

#include <opencv2/imgproc.hpp>

namespace surgilink::annotation {

namespace {

// Placements closer than this everywhere on the frame look the same: no redraw.
constexpr double kMoveTolerancePx = 0.05;

int round_up_even(int v) { return v + (v & 1); }

// Limited-range conversion of a premultiplied BGRA pixel, in 16.16 fixed point, applied to (B, G, R, A):
// Y = 16 a + (kr R + kg G + kb B), Cb = 128 a + (...), Cr = 128 a + (...), with a = A / 255, so a transparent
// pixel converts to 0 and an opaque one to the usual value.
struct YuvRows {
  std::array<int, 4> y;
  std::array<int, 4> cb;
  std::array<int, 4> cr;
};

constexpr int kFixedOne = 1 << 16;

std::array<int, 4> fixed_row(double b, double g, double r, double a) {
  const auto f = [](double v) { return static_cast<int>(std::lround(v * kFixedOne)); };
  return {f(b), f(g), f(r), f(a)};
}

YuvRows rows_for(YuvMatrix matrix) {
  constexpr double kY = 16.0 / 255.0;
  constexpr double kC = 128.0 / 255.0;
  if (matrix == YuvMatrix::kBt709) {
    return {fixed_row(0.062007, 0.614231, 0.182586, kY), fixed_row(0.439216, -0.338572, -0.100644, kC),
            fixed_row(-0.040274, -0.398942, 0.439216, kC)};
  }
  return {fixed_row(0.097906, 0.504129, 0.256788, kY), fixed_row(0.439216, -0.290993, -0.148223, kC),
          fixed_row(-0.071427, -0.367788, 0.439216, kC)};
}

// Writes the premultiplied plane `row` of every pixel of `bgra` into `out`, and 255 - alpha into `keep` when
// it is given. Most pixels of a layer are transparent; they take the short branch.
void convert(const cv::Mat& bgra, const std::array<int, 4>& row, cv::Mat& out, cv::Mat* keep) {
  const int kb = row[0];
  const int kg = row[1];
  const int kr = row[2];
  const int ka = row[3];
  for (int r = 0; r < bgra.rows; ++r) {
    const std::uint8_t* src = bgra.ptr<std::uint8_t>(r);
    std::uint8_t* dst = out.ptr<std::uint8_t>(r);
    std::uint8_t* kept = keep != nullptr ? keep->ptr<std::uint8_t>(r) : nullptr;
    for (int c = 0; c < bgra.cols; ++c, src += 4) {
      const int alpha = src[3];
      int value = 0;
      if (alpha != 0) {
        value =
            std::clamp((kb * src[0] + kg * src[1] + kr * src[2] + ka * alpha + kFixedOne / 2) >> 16, 0, 255);
      }
      dst[c] = static_cast<std::uint8_t>(value);
      if (kept != nullptr) kept[c] = static_cast<std::uint8_t>(255 - alpha);
    }
  }
}

// dst = premultiplied + dst * keep / 255 over one plane area.
void blend_plane(const cv::Mat& premultiplied, const cv::Mat& keep, cv::Rect area, std::uint8_t* plane,
                 int stride, cv::Size plane_size) {
  area &= cv::Rect({0, 0}, plane_size);
  if (area.empty()) return;
  cv::Mat dst(plane_size, CV_8UC1, plane, static_cast<std::size_t>(stride));
  cv::Mat roi = dst(area);
  cv::multiply(roi, keep(area), roi, 1.0 / 255.0);
  cv::add(roi, premultiplied(area), roi);
}

}  // namespace

AnnotationLayer::AnnotationLayer(cv::Size frame_size, YuvMatrix matrix)
    : frame_size_(frame_size), matrix_(matrix) {
  if (frame_size.width <= 0 || frame_size.height <= 0) {
    throw std::invalid_argument("AnnotationLayer needs a positive frame size");
  }
  const cv::Size even(round_up_even(frame_size.width), round_up_even(frame_size.height));
  overlay_ = cv::Mat(even, CV_8UC4, cv::Scalar::all(0));
  luma_ = cv::Mat(even, CV_8UC1, cv::Scalar::all(0));
  keep_ = cv::Mat(even, CV_8UC1, cv::Scalar::all(255));
  chroma_u_ = cv::Mat(even / 2, CV_8UC1, cv::Scalar::all(0));
  chroma_v_ = cv::Mat(even / 2, CV_8UC1, cv::Scalar::all(0));
  keep_half_ = cv::Mat(even / 2, CV_8UC1, cv::Scalar::all(255));
}

bool AnnotationLayer::update(std::shared_ptr<const Scene> scene, const Placements& placements) {
  if (scene == scene_ && !placements_moved(placements)) return false;
  scene_ = std::move(scene);
  placements_ = placements;
  for (const cv::Rect& area : areas_) overlay_(area).setTo(cv::Scalar::all(0));
  std::vector<cv::Rect> boxes;
  covered_ = cv::Rect();
  if (scene_) {
    cv::Mat visible = overlay_(cv::Rect({0, 0}, frame_size_));
    covered_ = renderer_.draw(*scene_, placements_, visible, &boxes);
  }
  areas_ = tiles_covering(boxes);
  for (const cv::Rect& area : areas_) convert_to_yuv(area);
  ++redraws_;
  return true;
}

bool AnnotationLayer::placements_moved(const Placements& placements) const {
  if (placements.size() != placements_.size()) return true;
  const std::array<cv::Point2d, 4> corners{cv::Point2d{0, 0}, cv::Point2d(frame_size_.width, 0),
                                           cv::Point2d(0, frame_size_.height),
                                           cv::Point2d(frame_size_.width, frame_size_.height)};
  for (const auto& [id, now] : placements) {
    const auto before = placements_.find(id);
    if (before == placements_.end()) return true;
    const Placement& then = before->second;
    if (now.opacity != then.opacity || now.position_uncertain != then.position_uncertain) return true;
    for (const cv::Point2d& c : corners) {
      const cv::Point2d a = map_point(now.homography, c);
      const cv::Point2d b = map_point(then.homography, c);
      if (!(std::hypot(a.x - b.x, a.y - b.y) <= kMoveTolerancePx)) return true;
    }
  }
  return false;
}

std::vector<cv::Rect> AnnotationLayer::tiles_covering(const std::vector<cv::Rect>& boxes) const {
  const cv::Size size = overlay_.size();
  const int columns = (size.width + kTile - 1) / kTile;
  const int rows = (size.height + kTile - 1) / kTile;
  std::vector<std::uint8_t> marked(static_cast<std::size_t>(columns * rows), 0);
  for (const cv::Rect& box : boxes) {
    const cv::Rect inside = box & cv::Rect({0, 0}, size);
    if (inside.empty()) continue;
    for (int ty = inside.y / kTile; ty <= (inside.br().y - 1) / kTile; ++ty) {
      for (int tx = inside.x / kTile; tx <= (inside.br().x - 1) / kTile; ++tx) {
        marked[static_cast<std::size_t>(ty * columns + tx)] = 1;
      }
    }
  }
  // Runs of marked tiles along each tile row: few, wide rectangles, so the OpenCV calls work on long rows.
  std::vector<cv::Rect> areas;
  for (int ty = 0; ty < rows; ++ty) {
    int tx = 0;
    while (tx < columns) {
      if (marked[static_cast<std::size_t>(ty * columns + tx)] == 0) {
        ++tx;
        continue;
      }
      const int first = tx;
      while (tx < columns && marked[static_cast<std::size_t>(ty * columns + tx)] != 0) ++tx;
      areas.push_back(cv::Rect(first * kTile, ty * kTile, (tx - first) * kTile, kTile) &
                      cv::Rect({0, 0}, size));
    }
  }
  return areas;
}

void AnnotationLayer::convert_to_yuv(cv::Rect area) {
  const YuvRows rows = rows_for(matrix_);
  const cv::Mat bgra = overlay_(area);
  cv::Mat luma = luma_(area);
  cv::Mat keep = keep_(area);
  convert(bgra, rows.y, luma, &keep);
  // Chroma from the 2x2 means of the premultiplied pixels (areas have even coordinates and sizes).
  const cv::Rect half(area.x / 2, area.y / 2, area.width / 2, area.height / 2);
  cv::resize(bgra, half_scratch_, half.size(), 0, 0, cv::INTER_AREA);
  cv::Mat u = chroma_u_(half);
  cv::Mat v = chroma_v_(half);
  cv::Mat keep_half = keep_half_(half);
  convert(half_scratch_, rows.cb, u, &keep_half);
  convert(half_scratch_, rows.cr, v, nullptr);
}

bool AnnotationLayer::blend_onto_i420(std::uint8_t* y, int y_stride, std::uint8_t* u, int u_stride,
                                      std::uint8_t* v, int v_stride, int width, int height) const {
  if (y == nullptr || u == nullptr || v == nullptr || width != frame_size_.width ||
      height != frame_size_.height) {
    return false;
  }
  const cv::Size chroma_size((width + 1) / 2, (height + 1) / 2);
  for (const cv::Rect& area : areas_) {
    const cv::Rect half(area.x / 2, area.y / 2, area.width / 2, area.height / 2);
    blend_plane(luma_, keep_, area, y, y_stride, frame_size_);
    blend_plane(chroma_u_, keep_half_, half, u, u_stride, chroma_size);
    blend_plane(chroma_v_, keep_half_, half, v, v_stride, chroma_size);
  }
  return true;
}

bool AnnotationLayer::blend_onto_bgr(cv::Mat& bgr) const {
  if (bgr.size() != frame_size_) return false;
  for (const cv::Rect& area : areas_) {
    if (!annotation::blend_onto_bgr(overlay(), area, bgr)) return false;
  }
  return true;
}

}  // namespace surgilink::annotation
