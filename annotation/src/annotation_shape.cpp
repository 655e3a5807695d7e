#include "surgilink/annotation/annotation_shape.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <opencv2/imgproc.hpp>

namespace surgilink::annotation {

namespace {

// Points are held within this many pixels of the picture: a wild homography then cannot overflow a
// renderer's fixed-point coordinates.
constexpr double kFarOff = 100'000.0;
// A stroke's points closer than this to the simplified line are dropped: a mentor's drag gives a point every
// few pixels, and each segment of a thick anti-aliased line costs a renderer a polygon and a disc.
constexpr double kSimplifyPx = 0.4;
// An ellipse gets enough segments that its chords stay this close to the curve, within these bounds.
constexpr double kChordErrorPx = 0.25;
constexpr int kMinEllipseSegments = 16;
constexpr int kMaxEllipseSegments = 128;

// Sizes are fractions of the picture's height, so a scene looks the same at 720p, 1080p and on a console.
constexpr double kMinOutlinePx = 1.5;
constexpr double kOutlinePerLine = 0.35;
constexpr double kArrowHeadPerLine = 5.0;    // head length: this many line widths ...
constexpr double kArrowHeadOfHeight = 0.03;  // ... or this much of the picture, whichever is longer
constexpr double kArrowHeadOfLength = 0.6;   // but at most this much of the arrow
constexpr double kArrowHeadHalfWidth = 0.6;  // of the head's length
constexpr double kShaftIntoHead = 0.3;       // of the head's length: the round cap does not blunt the tip
constexpr double kRingOfHeight = 0.02;       // pointer ring radius: this much of the picture ...
constexpr double kRingPerLine = 3.0;         // ... or this many line widths
constexpr double kPointerDotPerLine = 0.6;
constexpr double kTextOfHeight = 0.04;  // label text size
constexpr int kMinTextSize = 8;
constexpr double kPaddingOfHeight = 0.008;
constexpr int kMinPadding = 2;

// The odd whole-pixel width nearest to `px` (the thinner one on a tie): OpenCV draws an anti-aliased line
// of thickness t solid over 1, 3, 5, 7 ... px, so these are the widths the OR display can show.
int odd_width(double px) {
  const int below = std::max(1, 2 * static_cast<int>(std::floor((px - 1.0) / 2.0)) + 1);
  return (below + 2 - px) < (px - below) ? below + 2 : below;
}

PixelPoint operator+(PixelPoint a, PixelPoint b) { return {a.x + b.x, a.y + b.y}; }
PixelPoint operator-(PixelPoint a, PixelPoint b) { return {a.x - b.x, a.y - b.y}; }
PixelPoint operator*(PixelPoint a, double k) { return {a.x * k, a.y * k}; }

std::vector<PixelPoint> simplified(const std::vector<PixelPoint>& line) {
  if (line.size() <= 2) return line;
  std::vector<cv::Point2f> in;
  in.reserve(line.size());
  for (const auto& p : line) in.emplace_back(static_cast<float>(p.x), static_cast<float>(p.y));
  std::vector<cv::Point2f> out;
  cv::approxPolyDP(in, out, kSimplifyPx, false);
  std::vector<PixelPoint> kept;
  kept.reserve(out.size());
  for (const auto& p : out) kept.push_back({p.x, p.y});
  return kept;
}

class ShapeBuilder {
 public:
  ShapeBuilder(const ShapeFraming& framing, const MeasureText& measure)
      : frame_(framing.frame), h_(framing.homography), measure_(measure) {}

  std::optional<AnnotationShape> build(const Annotation& a, double opacity) const {
    AnnotationShape shape;
    shape.colour_rgba = a.colour_rgba;
    shape.opacity = opacity;
    const double fraction = std::isfinite(a.width) ? std::clamp(static_cast<double>(a.width), 0.0, 1.0) : 0.0;
    const double line_px = std::max(1.0, fraction * frame_.height);
    shape.line_width = odd_width(line_px);
    shape.outlined_width = odd_width(line_px + 2.0 * std::max(kMinOutlinePx, kOutlinePerLine * line_px));
    shape.outline_grow = (shape.outlined_width - shape.line_width) / 2;
    shape.edge_width = shape.outlined_width - shape.line_width + 1;

    std::vector<PixelPoint> points;
    points.reserve(a.points.size());
    for (const NormalisedPoint& p : a.points) {
      auto placed = map(on_frame(p));
      if (!placed) return std::nullopt;
      points.push_back(*placed);
    }
    if (points.empty()) return std::nullopt;
    switch (a.kind) {
      case AnnotationKind::kStroke:
        if (points.size() == 1) {
          shape.dots.push_back({points.front(), std::max(1.0, line_px / 2.0), true});
        } else {
          shape.lines.push_back({simplified(points), false});
        }
        break;
      case AnnotationKind::kArrow:
        if (points.size() != 2) return std::nullopt;
        add_arrow(points[0], points[1], line_px, shape);
        break;
      case AnnotationKind::kEllipse: {
        if (points.size() != 2) return std::nullopt;
        auto outline = ellipse(a);
        if (!outline) return std::nullopt;
        shape.lines.push_back({std::move(*outline), true});
        break;
      }
      case AnnotationKind::kLabel:
        if (!measure_) return std::nullopt;
        shape.label = label(a.text, points.front());
        break;
      case AnnotationKind::kPointer: {
        const double ring = std::max(kRingOfHeight * frame_.height, kRingPerLine * line_px);
        shape.dots.push_back({points.front(), ring, false});
        shape.dots.push_back({points.front(), std::max(kMinOutlinePx, kPointerDotPerLine * line_px), true});
        break;
      }
      default:
        return std::nullopt;
    }
    return shape;
  }

 private:
  PixelPoint on_frame(NormalisedPoint p) const {
    return {static_cast<double>(p.x) * frame_.width, static_cast<double>(p.y) * frame_.height};
  }

  // Through the homography, whose pixel centres sit on integer coordinates; nullopt behind the camera plane.
  std::optional<PixelPoint> map(PixelPoint p) const {
    const double x = p.x - 0.5, y = p.y - 0.5;
    const double w = h_[6] * x + h_[7] * y + h_[8];
    if (!(w > 1e-9)) return std::nullopt;
    const double mx = (h_[0] * x + h_[1] * y + h_[2]) / w + 0.5;
    const double my = (h_[3] * x + h_[4] * y + h_[5]) / w + 0.5;
    if (!std::isfinite(mx) || !std::isfinite(my)) return std::nullopt;
    return PixelPoint{std::clamp(mx, -kFarOff, kFarOff), std::clamp(my, -kFarOff, kFarOff)};
  }

  void add_arrow(PixelPoint tail, PixelPoint head, double line_px, AnnotationShape& shape) const {
    const PixelPoint along = head - tail;
    const double length = std::hypot(along.x, along.y);
    if (length < 1.0) {
      shape.dots.push_back({head, std::max(1.0, line_px), true});
      return;
    }
    const PixelPoint unit = along * (1.0 / length);
    const PixelPoint normal{-unit.y, unit.x};
    const double head_length =
        std::min(std::max(kArrowHeadPerLine * line_px, kArrowHeadOfHeight * frame_.height),
                 kArrowHeadOfLength * length);
    const double half_width = kArrowHeadHalfWidth * head_length;
    const PixelPoint base = head - unit * head_length;
    shape.lines.push_back({{tail, base + unit * (kShaftIntoHead * head_length)}, false});
    shape.fills.push_back({head, base + normal * half_width, base - normal * half_width});
  }

  // The ellipse is laid out on the frame it was drawn on and its outline moved point by point: under a
  // homography it is no longer an axis-aligned ellipse.
  std::optional<std::vector<PixelPoint>> ellipse(const Annotation& a) const {
    const PixelPoint c1 = on_frame(a.points[0]);
    const PixelPoint c2 = on_frame(a.points[1]);
    const PixelPoint centre = (c1 + c2) * 0.5;
    const double rx = std::abs(c2.x - c1.x) / 2.0;
    const double ry = std::abs(c2.y - c1.y) / 2.0;
    const double radius = std::max({rx, ry, 1.0});
    const double step = std::acos(std::max(-1.0, 1.0 - kChordErrorPx / radius));
    const int segments = std::clamp(static_cast<int>(std::ceil(std::numbers::pi / step)), kMinEllipseSegments,
                                    kMaxEllipseSegments);
    std::vector<PixelPoint> outline;
    outline.reserve(static_cast<std::size_t>(segments));
    for (int i = 0; i < segments; ++i) {
      const double angle = 2.0 * std::numbers::pi * i / segments;
      auto placed = map({centre.x + rx * std::cos(angle), centre.y + ry * std::sin(angle)});
      if (!placed) return std::nullopt;
      outline.push_back(*placed);
    }
    return outline;
  }

  // The anchor is the box's top-left corner; the box is kept on the picture so the text stays readable.
  ShapeLabel label(const std::string& text, PixelPoint anchor) const {
    ShapeLabel out;
    out.text = text;
    out.text_size = std::max(kMinTextSize, static_cast<int>(std::lround(kTextOfHeight * frame_.height)));
    out.padding = std::max(kMinPadding, static_cast<int>(std::lround(kPaddingOfHeight * frame_.height)));
    out.backing_alpha = kLabelBackingAlpha;
    const TextExtent extent = measure_(text, out.text_size);
    const int ascent = static_cast<int>(std::ceil(std::max(0.0, extent.ascent)));
    const int box_width = static_cast<int>(std::ceil(std::max(0.0, extent.width))) + 2 * out.padding;
    const int box_height =
        ascent + static_cast<int>(std::ceil(std::max(0.0, extent.descent))) + 2 * out.padding;
    const int frame_width = static_cast<int>(std::floor(frame_.width));
    const int frame_height = static_cast<int>(std::floor(frame_.height));
    const int left =
        std::clamp(static_cast<int>(std::floor(anchor.x)), 0, std::max(0, frame_width - box_width));
    const int top =
        std::clamp(static_cast<int>(std::floor(anchor.y)), 0, std::max(0, frame_height - box_height));
    out.backing = {left, top, std::min(box_width, frame_width - left),
                   std::min(box_height, frame_height - top)};
    out.text_start = {static_cast<double>(left + out.padding),
                      static_cast<double>(top + out.padding + ascent)};
    return out;
  }

  FrameSize frame_;
  Homography h_;
  const MeasureText& measure_;
};

}  // namespace

std::optional<AnnotationShape> shape_of(const Annotation& a, const ShapeFraming& framing,
                                        const MeasureText& measure) {
  const FrameSize frame = framing.frame;
  const auto drawable = [](double side) { return side >= 1.0 && side <= kFarOff; };  // false for NaN too
  if (!drawable(frame.width) || !drawable(frame.height)) return std::nullopt;
  const float placement = std::isfinite(framing.opacity) ? std::clamp(framing.opacity, 0.0F, 1.0F) : 0.0F;
  const double opacity = (a.colour_rgba & 0xFFu) / 255.0 * placement;
  if (opacity <= 0.0) return std::nullopt;
  return ShapeBuilder(framing, measure).build(a, opacity);
}

}  // namespace surgilink::annotation
