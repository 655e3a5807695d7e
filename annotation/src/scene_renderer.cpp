#include "surgilink/annotation/scene_renderer.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <stdexcept>
#include <string>

#include <opencv2/imgproc.hpp>

#include "label_typeface.hpp"
#include "text.hpp"

namespace surgilink::annotation {

namespace {

// Fixed-point bits for sub-pixel drawing (OpenCV's `shift`): 1/16 px.
constexpr int kShift = 4;
constexpr double kOne = 1 << kShift;
// Mapped points are clamped here so that a wild homography cannot overflow the fixed-point coordinates.
constexpr double kFarOff = 100'000.0;
// Near-black outline under every shape: visible on red tissue, on instruments and on white highlights.
const cv::Scalar kOutline(20, 20, 20, 255);
// Label backing: black at this alpha.
constexpr int kBackingAlpha = 160;
constexpr int kMinEllipseSegments = 16;
constexpr int kMaxEllipseSegments = 128;
constexpr double kChordErrorPx = 0.25;
// A stroke's points closer than this to the simplified line are dropped before drawing: a mentor's drag gives
// a point every few pixels, and each segment of a thick anti-aliased line costs OpenCV a polygon and a disc.
constexpr double kSimplifyPx = 0.4;

// Sizes, all derived from the frame height so a scene looks the same at 720p and 1080p.
struct LineWidths {
  int line = 1;      // OpenCV thickness of the coloured line
  int outlined = 3;  // OpenCV thickness of the outline under it: line + 2 x outline width (at least 1.5 px)
};

// OpenCV's anti-aliased thick lines come out solid over t + 2 px for an odd thickness t (t + 1 for an even
// one, 1 px for t = 1), so a requested width in pixels is turned into the thickness whose solid width is
// nearest: without that, thin lines would be relatively much wider on small frames than on large ones.
int opencv_thickness(double width_px) {
  const auto solid = [](int t) { return t == 1 ? 1.0 : static_cast<double>(t % 2 == 1 ? t + 2 : t + 1); };
  int best = 1;
  for (int t = 2; solid(t) <= width_px + 2.0; ++t) {
    if (std::abs(solid(t) - width_px) < std::abs(solid(best) - width_px)) best = t;
  }
  return best;
}

LineWidths line_widths_for(float width, int frame_height) {
  const double line_px = std::max(1.0, static_cast<double>(width) * frame_height);
  const double outline_px = std::max(1.5, 0.35 * line_px);
  return LineWidths{opencv_thickness(line_px), opencv_thickness(line_px + 2.0 * outline_px)};
}

struct Dot {
  cv::Point2d centre;
  double radius;
  bool filled;
};

struct Text {
  std::u32string glyphs;  // drawn with the label typeface when there is one (any script)
  int pixel_size = 0;
  std::string ascii;   // else with OpenCV's Hershey font, which has ASCII only
  cv::Point2d origin;  // baseline start
  double scale;
  int thickness;
  cv::Rect backing;
};

// One annotation reduced to what OpenCV draws, in pixels of the current frame.
struct Shape {
  std::vector<std::vector<cv::Point2d>> open_lines;
  std::vector<std::vector<cv::Point2d>> closed_lines;
  std::vector<std::vector<cv::Point2d>> fills;  // convex polygons
  std::vector<Dot> dots;
  std::optional<Text> text;
  LineWidths widths;
};

cv::Point fixed(cv::Point2d p) {
  return {static_cast<int>(std::lround(std::clamp(p.x, -kFarOff, kFarOff) * kOne)),
          static_cast<int>(std::lround(std::clamp(p.y, -kFarOff, kFarOff) * kOne))};
}

std::vector<cv::Point> fixed(const std::vector<cv::Point2d>& points) {
  std::vector<cv::Point> out;
  out.reserve(points.size());
  for (const auto& p : points) out.push_back(fixed(p));
  return out;
}

// Hershey fonts are ASCII only: anything else is drawn as '?'.
std::string ascii_of(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((c & 0xC0) != 0x80) {
      out += '?';  // lead byte of a multi-byte character; its continuation bytes are skipped
    }
  }
  return out;
}

std::vector<cv::Point2d> simplified(const std::vector<cv::Point2d>& line) {
  if (line.size() <= 2) return line;
  std::vector<cv::Point2f> in;
  in.reserve(line.size());
  for (const auto& p : line) {
    in.emplace_back(static_cast<float>(std::clamp(p.x, -kFarOff, kFarOff)),
                    static_cast<float>(std::clamp(p.y, -kFarOff, kFarOff)));
  }
  std::vector<cv::Point2f> out;
  cv::approxPolyDP(in, out, kSimplifyPx, false);
  return {out.begin(), out.end()};
}

class ShapeBuilder {
 public:
  ShapeBuilder(cv::Size frame, const cv::Matx33d& homography) : frame_(frame), h_(homography) {}

  // Empty when the placement puts the annotation out of sight (behind the camera plane).
  std::optional<Shape> build(const Annotation& a) const {
    Shape shape;
    shape.widths = line_widths_for(a.width, frame_.height);
    const double line_px = std::max(1.0, static_cast<double>(a.width) * frame_.height);
    std::vector<cv::Point2d> points;
    points.reserve(a.points.size());
    for (const NormalisedPoint& p : a.points) {
      auto mapped = map(to_pixels(p, frame_));
      if (!mapped) return std::nullopt;
      points.push_back(*mapped);
    }
    if (points.empty()) return std::nullopt;
    switch (a.kind) {
      case AnnotationKind::kStroke:
        if (points.size() == 1) {
          shape.dots.push_back({points.front(), std::max(1.0, line_px / 2.0), true});
        } else {
          shape.open_lines.push_back(simplified(points));
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
        shape.closed_lines.push_back(std::move(*outline));
        break;
      }
      case AnnotationKind::kLabel:
        add_label(a.text, points.front(), shape);
        break;
      case AnnotationKind::kPointer: {
        const double ring = std::max(0.02 * frame_.height, 3.0 * line_px);
        shape.dots.push_back({points.front(), ring, false});
        shape.dots.push_back({points.front(), std::max(1.5, 0.6 * line_px), true});
        break;
      }
    }
    return shape;
  }

 private:
  std::optional<cv::Point2d> map(cv::Point2d p) const {
    const double w = h_(2, 0) * p.x + h_(2, 1) * p.y + h_(2, 2);
    if (!(w > 1e-9)) return std::nullopt;
    const cv::Point2d q = map_point(h_, p);
    if (!std::isfinite(q.x) || !std::isfinite(q.y)) return std::nullopt;
    return q;
  }

  void add_arrow(cv::Point2d tail, cv::Point2d head, double line_px, Shape& shape) const {
    const cv::Point2d along = head - tail;
    const double length = std::hypot(along.x, along.y);
    if (length < 1.0) {
      shape.dots.push_back({head, std::max(1.0, line_px), true});
      return;
    }
    const cv::Point2d unit = along * (1.0 / length);
    const cv::Point2d normal(-unit.y, unit.x);
    const double head_length = std::min(std::max(5.0 * line_px, 0.03 * frame_.height), 0.6 * length);
    const double head_half_width = 0.6 * head_length;
    const cv::Point2d base = head - unit * head_length;
    // The shaft stops inside the head so its round cap does not blunt the tip.
    shape.open_lines.push_back({tail, base + unit * (0.3 * head_length)});
    shape.fills.push_back({head, base + normal * head_half_width, base - normal * head_half_width});
  }

  // The ellipse is drawn in the reference frame and its outline mapped point by point: under a homography it
  // is no longer an axis-aligned ellipse.
  std::optional<std::vector<cv::Point2d>> ellipse(const Annotation& a) const {
    const cv::Point2d c1 = to_pixels(a.points[0], frame_);
    const cv::Point2d c2 = to_pixels(a.points[1], frame_);
    const cv::Point2d centre = (c1 + c2) * 0.5;
    const double rx = std::abs(c2.x - c1.x) / 2.0;
    const double ry = std::abs(c2.y - c1.y) / 2.0;
    // Enough segments that the chords stay within kChordErrorPx of the curve, and no more: each segment of a
    // thick anti-aliased line costs OpenCV a polygon and a disc.
    const double radius = std::max({rx, ry, 1.0});
    const double step = std::acos(std::max(-1.0, 1.0 - kChordErrorPx / radius));
    const int segments = std::clamp(static_cast<int>(std::ceil(std::numbers::pi / step)), kMinEllipseSegments,
                                    kMaxEllipseSegments);
    std::vector<cv::Point2d> outline;
    outline.reserve(static_cast<std::size_t>(segments));
    for (int i = 0; i < segments; ++i) {
      const double angle = 2.0 * std::numbers::pi * i / segments;
      auto mapped = map({centre.x + rx * std::cos(angle), centre.y + ry * std::sin(angle)});
      if (!mapped) return std::nullopt;
      outline.push_back(*mapped);
    }
    return outline;
  }

  void add_label(const std::string& text, cv::Point2d anchor, Shape& shape) const {
    Text t;
    cv::Size size;
    int baseline = 0;
    auto* typeface = detail::LabelTypeface::shared();
    auto glyphs = typeface != nullptr ? detail::visible_text(text) : std::nullopt;
    if (glyphs) {
      // About the height of the Hershey text below (which sizes "Ag" to 3 % of the frame).
      t.glyphs = std::move(*glyphs);
      t.pixel_size = std::max(8, static_cast<int>(std::lround(0.04 * frame_.height)));
      const auto extent = typeface->measure(t.glyphs, t.pixel_size);
      size = cv::Size(extent.width, extent.ascent);
      baseline = extent.descent;
    } else {
      t.ascii = ascii_of(text);
      const int font = cv::FONT_HERSHEY_SIMPLEX;
      const cv::Size unit_size = cv::getTextSize("Ag", font, 1.0, 1, &baseline);
      t.scale = 0.03 * frame_.height / std::max(1, unit_size.height);
      t.thickness = std::max(1, static_cast<int>(std::lround(t.scale * 1.6)));
      size = cv::getTextSize(t.ascii, font, t.scale, t.thickness, &baseline);
    }
    const int pad = std::max(2, static_cast<int>(std::lround(0.008 * frame_.height)));
    const int box_width = size.width + 2 * pad;
    const int box_height = size.height + baseline + 2 * pad;
    // The anchor is the box's top-left corner; the box is kept on the frame so the text stays readable.
    const int left =
        std::clamp(static_cast<int>(std::lround(anchor.x)), 0, std::max(0, frame_.width - box_width));
    const int top =
        std::clamp(static_cast<int>(std::lround(anchor.y)), 0, std::max(0, frame_.height - box_height));
    t.backing = cv::Rect(left, top, box_width, box_height) & cv::Rect({0, 0}, frame_);
    t.origin = {static_cast<double>(left + pad), static_cast<double>(top + pad + size.height)};
    shape.text = std::move(t);
  }

  cv::Size frame_;
  cv::Matx33d h_;
};

// Rectangle holding every pixel the shape draws, clipped to the frame.
cv::Rect bounds_of(const Shape& shape, cv::Size frame) {
  double min_x = kFarOff, min_y = kFarOff, max_x = -kFarOff, max_y = -kFarOff;
  const auto include = [&](cv::Point2d p, double margin) {
    min_x = std::min(min_x, p.x - margin);
    min_y = std::min(min_y, p.y - margin);
    max_x = std::max(max_x, p.x + margin);
    max_y = std::max(max_y, p.y + margin);
  };
  const double margin = shape.widths.outlined / 2.0 + 2.0;
  for (const auto* group : {&shape.open_lines, &shape.closed_lines, &shape.fills}) {
    for (const auto& line : *group) {
      for (const auto& p : line) include(p, margin);
    }
  }
  for (const Dot& d : shape.dots) include(d.centre, d.radius + margin);
  cv::Rect box;
  if (max_x >= min_x) {
    const cv::Point top_left(static_cast<int>(std::floor(std::clamp(min_x, -kFarOff, kFarOff))),
                             static_cast<int>(std::floor(std::clamp(min_y, -kFarOff, kFarOff))));
    const cv::Point bottom_right(static_cast<int>(std::ceil(std::clamp(max_x, -kFarOff, kFarOff))) + 1,
                                 static_cast<int>(std::ceil(std::clamp(max_y, -kFarOff, kFarOff))) + 1);
    box = cv::Rect(top_left, bottom_right);
  }
  if (shape.text) box |= shape.text->backing;
  return box & cv::Rect({0, 0}, frame);
}

// Draws one pass: the outline pass widens every line and dot by the outline on each side.
void draw_pass(const Shape& shape, const cv::Scalar& colour, bool outline_pass, cv::Mat& target) {
  const int thickness = outline_pass ? shape.widths.outlined : shape.widths.line;
  const int widen = thickness - shape.widths.line;
  const int line_type = outline_pass ? cv::LINE_8 : cv::LINE_AA;
  for (const auto& line : shape.open_lines) {
    const std::vector<std::vector<cv::Point>> polyline{fixed(line)};
    cv::polylines(target, polyline, false, colour, thickness, line_type, kShift);
  }
  for (const auto& line : shape.closed_lines) {
    const std::vector<std::vector<cv::Point>> polyline{fixed(line)};
    cv::polylines(target, polyline, true, colour, thickness, line_type, kShift);
  }
  for (const auto& polygon : shape.fills) {
    const std::vector<cv::Point> corners = fixed(polygon);
    cv::fillConvexPoly(target, corners, colour, cv::LINE_AA, kShift);
    if (outline_pass) {
      const std::vector<std::vector<cv::Point>> edge{corners};
      cv::polylines(target, edge, true, colour, widen, cv::LINE_AA, kShift);
    }
  }
  for (const Dot& d : shape.dots) {
    const int radius = static_cast<int>(std::lround(d.radius * kOne));
    if (d.filled) {
      cv::circle(target, fixed(d.centre), radius + static_cast<int>((widen / 2.0) * kOne), colour, cv::FILLED,
                 cv::LINE_AA, kShift);
    } else {
      cv::circle(target, fixed(d.centre), radius, colour, thickness, cv::LINE_AA, kShift);
    }
  }
  if (shape.text && !outline_pass) {
    const Text& t = *shape.text;
    if (!t.glyphs.empty()) {
      detail::LabelTypeface::shared()->draw(
          target, cv::Point(static_cast<int>(t.origin.x), static_cast<int>(t.origin.y)), t.glyphs,
          t.pixel_size, colour);
      return;
    }
    cv::putText(target, t.ascii, cv::Point(static_cast<int>(t.origin.x), static_cast<int>(t.origin.y)),
                cv::FONT_HERSHEY_SIMPLEX, t.scale, colour, t.thickness, cv::LINE_AA);
  }
}

// Premultiplied "over" of black at kBackingAlpha: overlay = (0, 0, 0, a) + overlay * (1 - a).
void draw_backing(cv::Rect box, cv::Mat& target) {
  if (box.empty()) return;
  cv::Mat roi = target(box);
  roi.convertTo(roi, -1, (255.0 - kBackingAlpha) / 255.0);
  roi += cv::Scalar(0, 0, 0, kBackingAlpha);
}

// "position uncertain" in amber on a dark backing just above the annotation's box (below it at the top edge),
// kept inside the frame: anchoring lost the tissue, and the surgeon must not take the place for granted.
cv::Rect draw_uncertain_mark(cv::Rect box, cv::Size frame, cv::Mat& target) {
  static const std::string kText = "position uncertain";
  const double scale = 0.55 * frame.height / 1080.0;
  const int thickness = std::max(1, static_cast<int>(std::lround(1.5 * frame.height / 1080.0)));
  int baseline = 0;
  const cv::Size size = cv::getTextSize(kText, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline);
  const int pad = std::max(2, frame.height / 270);
  const int w = size.width + 2 * pad, h = size.height + baseline + 2 * pad;
  if (w > frame.width || h > frame.height) return {};
  int y = box.y - h - pad;
  if (y < 0) y = box.br().y + pad;
  const cv::Rect label(std::clamp(box.x, 0, frame.width - w), std::clamp(y, 0, frame.height - h), w, h);
  draw_backing(label, target);
  cv::putText(target, kText, cv::Point(label.x + pad, label.y + pad + size.height), cv::FONT_HERSHEY_SIMPLEX,
              scale, cv::Scalar(0, 191, 255, 255), thickness, cv::LINE_AA);
  return label;
}

int div255(int value) { return (value + 128 + ((value + 128) >> 8)) >> 8; }

// overlay = layer * opacity + overlay * (1 - layer_alpha * opacity) within `area`, both premultiplied BGRA.
void composite(const cv::Mat& layer, cv::Rect area, double opacity, cv::Mat& overlay, cv::Mat& keep) {
  const cv::Mat src = layer(area);
  cv::Mat dst = overlay(area);
  cv::Mat alpha;
  cv::extractChannel(src, alpha, 3);
  alpha.convertTo(alpha, CV_8U, -opacity, 255.0);  // 255 - alpha * opacity: how much of the overlay stays
  cv::Mat channels[] = {alpha, alpha, alpha, alpha};
  cv::merge(channels, 4, keep);
  cv::multiply(dst, keep, dst, 1.0 / 255.0);
  cv::addWeighted(src, opacity, dst, 1.0, 0.0, dst);
}

}  // namespace

cv::Rect SceneRenderer::draw(const Scene& scene, const Placements& placements, cv::Mat& overlay,
                             std::vector<cv::Rect>* boxes) {
  if (overlay.type() != CV_8UC4) throw std::invalid_argument("SceneRenderer::draw needs a CV_8UC4 overlay");
  const cv::Size frame = overlay.size();
  cv::Rect covered;
  for (const auto& annotation : scene.annotations) {
    const auto placed = placements.find(annotation->id);
    const Placement placement = placed != placements.end() ? placed->second : Placement{};
    const double opacity =
        (annotation->colour_rgba & 0xFFu) / 255.0 * std::clamp(placement.opacity, 0.0F, 1.0F);
    if (opacity <= 0.0) continue;
    const auto shape = ShapeBuilder(frame, placement.homography).build(*annotation);
    if (!shape) continue;
    const cv::Rect box = bounds_of(*shape, frame);
    if (box.empty()) continue;
    const std::uint32_t rgba = annotation->colour_rgba;
    const cv::Scalar colour((rgba >> 8) & 0xFFu, (rgba >> 16) & 0xFFu, (rgba >> 24) & 0xFFu, 255);

    // Opaque annotations go straight onto the overlay; translucent or faded ones are drawn opaque on scratch
    // first, so that the outline under the line does not show through it, then composited at their opacity.
    const bool opaque = opacity >= 0.995;
    if (!opaque) {
      if (scratch_.size() != frame) scratch_.create(frame, CV_8UC4);
      scratch_(box).setTo(cv::Scalar::all(0));
    }
    cv::Mat& target = opaque ? overlay : scratch_;
    if (shape->text) draw_backing(shape->text->backing, target);
    draw_pass(*shape, kOutline, true, target);
    draw_pass(*shape, colour, false, target);
    if (!opaque) composite(scratch_, box, opacity, overlay, keep_);
    if (boxes != nullptr) boxes->push_back(box);
    covered |= box;
    if (placement.position_uncertain) {
      const cv::Rect mark = draw_uncertain_mark(box, frame, overlay);
      if (!mark.empty()) {
        if (boxes != nullptr) boxes->push_back(mark);
        covered |= mark;
      }
    }
  }
  return covered;
}

void SceneRenderer::draw_onto_bgr(const Scene& scene, const Placements& placements, cv::Mat& bgr) {
  if (bgr.type() != CV_8UC3)
    throw std::invalid_argument("SceneRenderer::draw_onto_bgr needs a CV_8UC3 frame");
  cv::Mat overlay(bgr.size(), CV_8UC4, cv::Scalar::all(0));
  const cv::Rect covered = draw(scene, placements, overlay);
  blend_onto_bgr(overlay, covered, bgr);
}

bool blend_onto_bgr(const cv::Mat& overlay, cv::Rect area, cv::Mat& bgr) {
  if (overlay.type() != CV_8UC4 || bgr.type() != CV_8UC3 || overlay.size() != bgr.size()) return false;
  area &= cv::Rect({0, 0}, bgr.size());
  for (int row = area.y; row < area.y + area.height; ++row) {
    const auto* src = overlay.ptr<cv::Vec4b>(row);
    auto* dst = bgr.ptr<cv::Vec3b>(row);
    for (int col = area.x; col < area.x + area.width; ++col) {
      const int keep = 255 - src[col][3];
      for (int c = 0; c < 3; ++c) {
        dst[col][c] = static_cast<std::uint8_t>(std::min(255, src[col][c] + div255(dst[col][c] * keep)));
      }
    }
  }
  return true;
}

}  // namespace surgilink::annotation
