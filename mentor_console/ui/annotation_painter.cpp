#include "annotation_painter.hpp"

#include <QColor>
#include <QFont>
#include <QFontMetricsF>
#include <QImage>
#include <QPen>
#include <QPolygonF>
#include <QString>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

#include "surgilink/annotation/annotation_shape.hpp"

namespace surgilink::console {

namespace {

using annotation::AnnotationShape;
using annotation::PixelPoint;

// Largest side of the scratch picture a translucent annotation is drawn into: bounds memory on bad geometry.
constexpr int kMaxLayerSide = 8192;

QColor colour_of(std::uint32_t rgba) {
  return QColor(static_cast<int>((rgba >> 24) & 0xFFu), static_cast<int>((rgba >> 16) & 0xFFu),
                static_cast<int>((rgba >> 8) & 0xFFu));
}

// A pen as wide as the shape's width: the OR display draws that width, its outline solid.
QPen round_pen(const QColor& colour, int width) {
  return QPen(colour, width, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
}

QPointF point(PixelPoint p) { return {p.x, p.y}; }

QPolygonF polygon(const std::vector<PixelPoint>& points) {
  QPolygonF out;
  out.reserve(static_cast<qsizetype>(points.size()));
  for (const PixelPoint& p : points) out.push_back(point(p));
  return out;
}

QFont label_font(int text_size) {
  QFont font;
  font.setPixelSize(std::max(1, text_size));
  return font;
}

annotation::TextExtent measure_label(std::string_view utf8, int text_size) {
  const QFontMetricsF metrics(label_font(text_size));
  const QString text = QString::fromUtf8(utf8.data(), static_cast<qsizetype>(utf8.size()));
  return {metrics.horizontalAdvance(text), metrics.ascent(), metrics.descent()};
}

// One pass: the outline pass widens every line and dot by the outline on each side.
void draw_pass(QPainter& painter, const AnnotationShape& shape, const QColor& colour, bool outline_pass) {
  painter.setBrush(Qt::NoBrush);
  painter.setPen(round_pen(colour, outline_pass ? shape.outlined_width : shape.line_width));
  for (const auto& line : shape.lines) {
    if (line.closed) {
      painter.drawPolygon(polygon(line.points));
    } else {
      painter.drawPolyline(polygon(line.points));
    }
  }
  for (const auto& dot : shape.dots) {
    if (!dot.filled) painter.drawEllipse(point(dot.centre), dot.radius, dot.radius);
  }
  painter.setBrush(colour);
  painter.setPen(outline_pass ? round_pen(colour, shape.edge_width) : QPen(Qt::NoPen));
  for (const auto& fill : shape.fills) painter.drawPolygon(polygon(fill));
  painter.setPen(Qt::NoPen);
  for (const auto& dot : shape.dots) {
    if (!dot.filled) continue;
    const double radius = dot.radius + (outline_pass ? shape.outline_grow : 0);
    painter.drawEllipse(point(dot.centre), radius, radius);
  }
  if (shape.label && !outline_pass) {
    painter.setFont(label_font(shape.label->text_size));
    painter.setPen(colour);
    painter.drawText(point(shape.label->text_start), QString::fromStdString(shape.label->text));
  }
}

// The whole shape, opaque, in the shape's pixels.
void draw_opaque(QPainter& painter, const AnnotationShape& shape) {
  if (shape.label) {
    const auto& box = shape.label->backing;
    painter.fillRect(QRectF(box.left, box.top, box.width, box.height),
                     QColor(0, 0, 0, shape.label->backing_alpha));
  }
  draw_pass(painter, shape, colour_of(shape.outline_rgba), true);
  draw_pass(painter, shape, colour_of(shape.colour_rgba), false);
}

}  // namespace

void paint_annotation(QPainter& painter, const annotation::Annotation& annotation, QRectF video_rect,
                      const annotation::Placement* placement) {
  const QRectF video = video_rect.normalized();
  annotation::ShapeFraming framing{{video.width(), video.height()}};
  if (placement) {
    std::copy(placement->homography.val, placement->homography.val + 9, framing.homography.begin());
    framing.opacity = placement->opacity;
  }
  const auto shape = annotation::shape_of(annotation, framing, measure_label);
  if (!shape) return;
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setRenderHint(QPainter::TextAntialiasing);
  painter.translate(video.topLeft());
  painter.setClipRect(QRectF(QPointF(0, 0), video.size()), Qt::IntersectClip);
  if (shape->opaque()) {
    draw_opaque(painter, *shape);
  } else if (video.width() <= kMaxLayerSide && video.height() <= kMaxLayerSide) {
    // Drawn opaque first and then faded as a whole, so that the outline does not show through the line.
    QImage layer(video.size().toSize(), QImage::Format_ARGB32_Premultiplied);
    layer.fill(Qt::transparent);
    {
      QPainter layer_painter(&layer);
      layer_painter.setRenderHint(QPainter::Antialiasing);
      layer_painter.setRenderHint(QPainter::TextAntialiasing);
      draw_opaque(layer_painter, *shape);
    }
    painter.setOpacity(painter.opacity() * shape->opacity);
    painter.drawImage(QPointF(0, 0), layer);
  }
  painter.restore();
}

void paint_annotation_scene(QPainter& painter, const annotation::Scene& scene, QRectF video_rect,
                            const annotation::Placements* placements) {
  for (const auto& annotation : scene.annotations) {
    if (!annotation) continue;
    const annotation::Placement* placement = nullptr;
    if (placements) {
      const auto found = placements->find(annotation->id);
      if (found != placements->end()) placement = &found->second;
    }
    paint_annotation(painter, *annotation, video_rect, placement);
  }
}

}  // namespace surgilink::console
