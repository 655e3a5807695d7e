#include "surgilink/annotation/scene_renderer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <opencv2/imgproc.hpp>

#include "surgilink/annotation/annotation_shape.hpp"

#include "label_typeface.hpp"
#include "text.hpp"

namespace surgilink::annotation {

namespace {

// Fixed-point bits for sub-pixel drawing (OpenCV's `shift`): 1/16 px.
constexpr int kShift = 4;
constexpr double kOne = 1 << kShift;
// Shapes keep their points within this of the picture; clamped again here so fixed point cannot overflow.
constexpr double kFarOff = 400'000.0;
// OpenCV's anti-aliased filled circle covers half of the pixels this much beyond the radius asked for
// (measured from 1.5 to 30 px).
constexpr double kDiscGrowth = 0.55;
// Hershey text (for labels when no font was found) sizes "Ag" to this fraction of the label's text size.
constexpr double kHersheyOfTextSize = 0.75;
constexpr int kHersheyFont = cv::FONT_HERSHEY_SIMPLEX;

cv::Scalar bgra_of(std::uint32_t rgba) {
  return cv::Scalar((rgba >> 8) & 0xFFu, (rgba >> 16) & 0xFFu, (rgba >> 24) & 0xFFu, 255);
}

// OpenCV puts pixel centres on integer coordinates, a shape on pixel corners: half a pixel apart.
cv::Point fixed(PixelPoint p) {
  return {static_cast<int>(std::lround(std::clamp(p.x - 0.5, -kFarOff, kFarOff) * kOne)),
          static_cast<int>(std::lround(std::clamp(p.y - 0.5, -kFarOff, kFarOff) * kOne))};
}

std::vector<cv::Point> fixed(const std::vector<PixelPoint>& points) {
  std::vector<cv::Point> out;
  out.reserve(points.size());
  for (const auto& p : points) out.push_back(fixed(p));
  return out;
}

// The thickness whose anti-aliased line OpenCV draws solid over `width` px: t + 2 px for an odd t, t + 1 for
// an even one, 1 px for t = 1 (shapes come in odd widths, which all have one).
int thickness_for(int width) { return width <= 1 ? 1 : width <= 3 ? 2 : width - 2; }

// Hershey fonts are ASCII only: anything else is drawn as '?'.
std::string ascii_of(std::string_view text) {
  std::string out;
  for (const char byte : text) {
    const auto c = static_cast<unsigned char>(byte);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((c & 0xC0) != 0x80) {
      out += '?';  // lead byte of a multi-byte character; its continuation bytes are skipped
    }
  }
  return out;
}

// A label's text as OpenCV draws it: with the label typeface when there is one (any script), else with a
// Hershey font (ASCII only).
struct LabelText {
  std::u32string glyphs;
  std::string ascii;
  double scale = 1.0;
  int thickness = 1;
};

LabelText label_text(std::string_view utf8, int text_size) {
  LabelText t;
  if (detail::LabelTypeface::shared() != nullptr) {
    if (auto glyphs = detail::visible_text(utf8)) {
      t.glyphs = std::move(*glyphs);
      return t;
    }
  }
  t.ascii = ascii_of(utf8);
  int baseline = 0;
  const cv::Size unit_size = cv::getTextSize("Ag", kHersheyFont, 1.0, 1, &baseline);
  t.scale = kHersheyOfTextSize * text_size / std::max(1, unit_size.height);
  t.thickness = std::max(1, static_cast<int>(std::lround(t.scale * 1.6)));
  return t;
}

TextExtent measure_label(std::string_view utf8, int text_size) {
  const LabelText t = label_text(utf8, text_size);
  if (!t.glyphs.empty()) {
    const auto extent = detail::LabelTypeface::shared()->measure(t.glyphs, text_size);
    return {static_cast<double>(extent.width), static_cast<double>(extent.ascent),
            static_cast<double>(extent.descent)};
  }
  int baseline = 0;
  const cv::Size size = cv::getTextSize(t.ascii, kHersheyFont, t.scale, t.thickness, &baseline);
  return {static_cast<double>(size.width), static_cast<double>(size.height), static_cast<double>(baseline)};
}

cv::Rect rect_of(PixelBox box) { return {box.left, box.top, box.width, box.height}; }

// Rectangle holding every pixel the shape draws, clipped to the frame.
cv::Rect bounds_of(const AnnotationShape& shape, cv::Size frame) {
  double min_x = kFarOff, min_y = kFarOff, max_x = -kFarOff, max_y = -kFarOff;
  const auto include = [&](PixelPoint p, double margin) {
    min_x = std::min(min_x, p.x - margin);
    min_y = std::min(min_y, p.y - margin);
    max_x = std::max(max_x, p.x + margin);
    max_y = std::max(max_y, p.y + margin);
  };
  const double margin = shape.outlined_width / 2.0 + 2.0;
  for (const auto& line : shape.lines) {
    for (const auto& p : line.points) include(p, margin);
  }
  for (const auto& fill : shape.fills) {
    for (const auto& p : fill) include(p, margin);
  }
  for (const ShapeDot& d : shape.dots) include(d.centre, d.radius + margin);
  cv::Rect box;
  if (max_x >= min_x) {
    const cv::Point top_left(static_cast<int>(std::floor(std::clamp(min_x, -kFarOff, kFarOff))),
                             static_cast<int>(std::floor(std::clamp(min_y, -kFarOff, kFarOff))));
    const cv::Point bottom_right(static_cast<int>(std::ceil(std::clamp(max_x, -kFarOff, kFarOff))) + 1,
                                 static_cast<int>(std::ceil(std::clamp(max_y, -kFarOff, kFarOff))) + 1);
    box = cv::Rect(top_left, bottom_right);
  }
  if (shape.label) box |= rect_of(shape.label->backing);
  return box & cv::Rect({0, 0}, frame);
}

// Draws one pass: the outline pass widens every line and dot by the outline on each side. Its lines and rings
// are aliased: the outline only needs to be dark and wide, and anti-aliased thick lines cost the OR display
// thread a third of its time with many annotations up.
void draw_pass(const AnnotationShape& shape, const cv::Scalar& colour, bool outline_pass, cv::Mat& target) {
  const int thickness = thickness_for(outline_pass ? shape.outlined_width : shape.line_width);
  const int line_type = outline_pass ? cv::LINE_8 : cv::LINE_AA;
  for (const auto& line : shape.lines) {
    const std::vector<std::vector<cv::Point>> polyline{fixed(line.points)};
    cv::polylines(target, polyline, line.closed, colour, thickness, line_type, kShift);
  }
  for (const auto& polygon : shape.fills) {
    const std::vector<cv::Point> corners = fixed(polygon);
    cv::fillConvexPoly(target, corners, colour, cv::LINE_AA, kShift);
    if (outline_pass) {
      const std::vector<std::vector<cv::Point>> edge{corners};
      cv::polylines(target, edge, true, colour, thickness_for(shape.edge_width), cv::LINE_AA, kShift);
    }
  }
  for (const ShapeDot& d : shape.dots) {
    if (d.filled) {
      const double radius = std::max(0.0, d.radius + (outline_pass ? shape.outline_grow : 0) - kDiscGrowth);
      cv::circle(target, fixed(d.centre), static_cast<int>(std::lround(radius * kOne)), colour, cv::FILLED,
                 cv::LINE_AA, kShift);
    } else {
      cv::circle(target, fixed(d.centre), static_cast<int>(std::lround(d.radius * kOne)), colour, thickness,
                 line_type, kShift);
    }
  }
  if (shape.label && !outline_pass) {
    const ShapeLabel& label = *shape.label;
    const cv::Point origin(static_cast<int>(label.text_start.x), static_cast<int>(label.text_start.y));
    const LabelText t = label_text(label.text, label.text_size);
    if (!t.glyphs.empty()) {
      detail::LabelTypeface::shared()->draw(target, origin, t.glyphs, label.text_size, colour);
    } else {
      cv::putText(target, t.ascii, origin, kHersheyFont, t.scale, colour, t.thickness, cv::LINE_AA);
    }
  }
}

// Premultiplied "over" of black at `alpha`: overlay = (0, 0, 0, a) + overlay * (1 - a).
void draw_backing(cv::Rect box, int alpha, cv::Mat& target) {
  if (box.empty()) return;
  cv::Mat roi = target(box);
  roi.convertTo(roi, -1, (255.0 - alpha) / 255.0);
  roi += cv::Scalar(0, 0, 0, alpha);
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
  draw_backing(label, kLabelBackingAlpha, target);
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
    ShapeFraming framing{
        {static_cast<double>(frame.width), static_cast<double>(frame.height)}, {}, placement.opacity};
    std::copy(placement.homography.val, placement.homography.val + 9, framing.homography.begin());
    const auto shape = shape_of(*annotation, framing, measure_label);
    if (!shape) continue;
    const cv::Rect box = bounds_of(*shape, frame);
    if (box.empty()) continue;

    // Opaque annotations go straight onto the overlay; translucent or faded ones are drawn opaque on scratch
    // first, so that the outline under the line does not show through it, then composited at their opacity.
    const bool opaque = shape->opaque();
    if (!opaque) {
      if (scratch_.size() != frame) scratch_.create(frame, CV_8UC4);
      scratch_(box).setTo(cv::Scalar::all(0));
    }
    cv::Mat& target = opaque ? overlay : scratch_;
    if (shape->label) draw_backing(rect_of(shape->label->backing), shape->label->backing_alpha, target);
    draw_pass(*shape, bgra_of(shape->outline_rgba), true, target);
    draw_pass(*shape, bgra_of(shape->colour_rgba), false, target);
    if (!opaque) composite(scratch_, box, shape->opacity, overlay, keep_);
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
