#include "annotation_canvas.hpp"

#include <QFontMetricsF>
#include <QImage>
#include <QMouseEvent>
#include <QPainterPath>
#include <QPolygonF>
#include <QSGNode>
#include <algorithm>
#include <cmath>
#include <string>

#include "mentor_session.hpp"
#include "surgilink/annotation/scene_authority.hpp"

namespace surgilink::console {

namespace {

using annotation::Annotation;
using annotation::AnnotationKind;
using annotation::NormalisedPoint;
using std::chrono::milliseconds;

// The same near-black outline as the OR display's renderer: it keeps a line visible on red tissue.
const QColor kOutline(20, 20, 20);
// Label backing: black at this alpha (as on the OR display).
constexpr int kBackingAlpha = 160;
// Largest side of the scratch picture a translucent annotation is drawn into: bounds memory on bad geometry.
constexpr int kMaxLayerSide = 8192;
// A stroke takes a new point only this far (in screen pixels) from the last one: a drag reports a move for
// every pixel, and the sender bounds a stroke's points.
constexpr double kMinStepPx = 1.0;
// An arrow or ellipse whose drag stayed within this many screen pixels is a stray click: it is withdrawn.
constexpr double kStrayClickPx = 3.0;

// OpenCV draws a thick anti-aliased line in a whole-pixel thickness t, solid over t + 2 px for an odd t and
// t + 1 for an even one (1 px for t = 1), and the OR display asks for the t whose solid width is nearest to
// the width it wants. Rounding the same way here keeps a thin line as thick on the console as on the OR.
double solid_width(int t) {
  return t <= 1 ? std::max(0, t) : static_cast<double>(t % 2 == 1 ? t + 2 : t + 1);
}

int opencv_thickness(double width_px) {
  int best = 1;
  for (int t = 2; solid_width(t) <= width_px + 2.0 && t < 100'000; ++t) {
    if (std::abs(solid_width(t) - width_px) < std::abs(solid_width(best) - width_px)) best = t;
  }
  return best;
}

// Width of QPainter's pen that covers what OpenCV's thickness t covers: its solid part plus the half-covered
// edge pixels.
double pen_width_of(int t) { return t <= 0 ? 0.0 : solid_width(t) + 0.5; }

// Sizes derived from the picture's height, as the OR display derives them from the frame's.
struct Widths {
  double px = 1.0;        // the line width asked for: shapes (arrow heads, dots, rings) are sized from it
  double line = 1.0;      // pen of the coloured line
  double outlined = 4.0;  // pen of the outline under it: line + 2 x outline width
  double edge = 3.0;      // pen of the outline around a filled shape (an arrow head)
  double grow = 1.0;      // radius the outline adds to a filled dot
};

Widths widths_for(float width, double frame_height) {
  const double fraction = std::isfinite(width) ? std::clamp(static_cast<double>(width), 0.0, 1.0) : 0.0;
  const double px = std::max(1.0, fraction * frame_height);
  const int line = opencv_thickness(px);
  const int outlined = opencv_thickness(px + 2.0 * std::max(1.5, 0.35 * px));
  return {px, pen_width_of(line), pen_width_of(outlined), pen_width_of(outlined - line),
          (outlined - line) / 2.0};
}

QColor colour_of(std::uint32_t rgba) {
  return QColor(static_cast<int>((rgba >> 24) & 0xFFu), static_cast<int>((rgba >> 16) & 0xFFu),
                static_cast<int>((rgba >> 8) & 0xFFu));
}

QPen round_pen(const QColor& colour, double width) {
  return QPen(colour, width, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
}

// One annotation reduced to what QPainter draws, in the painter's coordinates.
struct Shape {
  std::vector<QPolygonF> open_lines;
  std::vector<QPolygonF> closed_lines;
  std::vector<QPolygonF> fills;
  struct Dot {
    QPointF centre;
    double radius;
    bool filled;
  };
  std::vector<Dot> dots;
  struct Label {
    QString text;
    QFont font;
    QPointF baseline_start;
    QRectF backing;
  };
  std::optional<Label> label;
  Widths widths;
};

QPointF on_picture(NormalisedPoint p, QRectF video) {
  return {video.x() + static_cast<double>(p.x) * video.width(),
          video.y() + static_cast<double>(p.y) * video.height()};
}

void add_arrow(QPointF tail, QPointF head, double line, double frame_height, Shape& shape) {
  const QPointF along = head - tail;
  const double length = std::hypot(along.x(), along.y());
  if (length < 1.0) {
    shape.dots.push_back({head, std::max(1.0, line), true});
    return;
  }
  const QPointF unit = along / length;
  const QPointF normal(-unit.y(), unit.x());
  const double head_length = std::min(std::max(5.0 * line, 0.03 * frame_height), 0.6 * length);
  const double head_half_width = 0.6 * head_length;
  const QPointF base = head - unit * head_length;
  // The shaft stops inside the head so that its round cap does not blunt the tip.
  shape.open_lines.push_back(QPolygonF({tail, base + unit * (0.3 * head_length)}));
  shape.fills.push_back(QPolygonF({head, base + normal * head_half_width, base - normal * head_half_width}));
}

void add_label(const std::string& text, QPointF anchor, QRectF video, Shape& shape) {
  Shape::Label label;
  label.text = QString::fromStdString(text);
  // Text about 3 % of the picture high, as on the OR display (its height is the capitals' height there).
  label.font.setPixelSize(std::max(1, static_cast<int>(std::lround(0.03 * video.height() / 0.72))));
  const QFontMetricsF metrics(label.font);
  const double pad = std::max(2.0, std::round(0.008 * video.height()));
  const double box_width = metrics.horizontalAdvance(label.text) + 2.0 * pad;
  const double box_height = metrics.capHeight() + metrics.descent() + 2.0 * pad;
  // The anchor is the box's top-left corner; the box is kept on the picture so the text stays readable.
  const double left = std::clamp(anchor.x(), video.left(), std::max(video.left(), video.right() - box_width));
  const double top = std::clamp(anchor.y(), video.top(), std::max(video.top(), video.bottom() - box_height));
  label.backing = QRectF(left, top, box_width, box_height).intersected(video);
  label.baseline_start = QPointF(left + pad, top + pad + metrics.capHeight());
  shape.label = std::move(label);
}

std::optional<Shape> shape_of(const Annotation& a, QRectF video) {
  const double frame_height = video.height();
  Shape shape;
  shape.widths = widths_for(a.width, frame_height);
  const double line = shape.widths.px;
  QPolygonF points;
  points.reserve(static_cast<qsizetype>(a.points.size()));
  for (const NormalisedPoint& p : a.points) {
    // The scene is the sender's, checked there; a console still never draws from a coordinate it cannot
    // trust.
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) return std::nullopt;
    points.push_back(on_picture(p, video));
  }
  if (points.isEmpty()) return std::nullopt;
  switch (a.kind) {
    case AnnotationKind::kStroke:
      if (points.size() == 1) {
        shape.dots.push_back({points.front(), std::max(1.0, line / 2.0), true});
      } else {
        shape.open_lines.push_back(std::move(points));
      }
      break;
    case AnnotationKind::kArrow:
      if (points.size() != 2) return std::nullopt;
      add_arrow(points[0], points[1], line, frame_height, shape);
      break;
    case AnnotationKind::kEllipse: {
      if (points.size() != 2) return std::nullopt;
      QPainterPath outline;
      outline.addEllipse(QRectF(points[0], points[1]).normalized());
      shape.closed_lines.push_back(outline.toFillPolygon());
      break;
    }
    case AnnotationKind::kLabel:
      add_label(a.text, points.front(), video, shape);
      break;
    case AnnotationKind::kPointer: {
      const double ring = std::max(0.02 * frame_height, 3.0 * line);
      shape.dots.push_back({points.front(), ring, false});
      shape.dots.push_back({points.front(), std::max(1.5, 0.6 * line), true});
      break;
    }
    default:
      return std::nullopt;
  }
  return shape;
}

// One pass: the outline pass widens every line and dot by the outline on each side.
void draw_pass(QPainter& painter, const Shape& shape, const QColor& colour, bool outline_pass) {
  const double thickness = outline_pass ? shape.widths.outlined : shape.widths.line;
  painter.setBrush(Qt::NoBrush);
  painter.setPen(round_pen(colour, thickness));
  for (const auto& line : shape.open_lines) painter.drawPolyline(line);
  for (const auto& line : shape.closed_lines) painter.drawPolygon(line);
  for (const auto& dot : shape.dots) {
    if (!dot.filled) painter.drawEllipse(dot.centre, dot.radius, dot.radius);
  }
  painter.setBrush(colour);
  painter.setPen(outline_pass ? round_pen(colour, shape.widths.edge) : QPen(Qt::NoPen));
  for (const auto& polygon : shape.fills) painter.drawPolygon(polygon);
  painter.setPen(Qt::NoPen);
  for (const auto& dot : shape.dots) {
    if (!dot.filled) continue;
    const double radius = dot.radius + (outline_pass ? shape.widths.grow : 0.0);
    painter.drawEllipse(dot.centre, radius, radius);
  }
  if (shape.label && !outline_pass) {
    painter.setFont(shape.label->font);
    painter.setPen(colour);
    painter.drawText(shape.label->baseline_start, shape.label->text);
  }
}

void draw_opaque(QPainter& painter, const Shape& shape, const QColor& colour) {
  if (shape.label) painter.fillRect(shape.label->backing, QColor(0, 0, 0, kBackingAlpha));
  draw_pass(painter, shape, kOutline, true);
  draw_pass(painter, shape, colour, false);
}

}  // namespace

void paint_annotation(QPainter& painter, const Annotation& annotation, QRectF video_rect) {
  const QRectF video = video_rect.normalized();
  if (!video.isValid() || !std::isfinite(video.width()) || !std::isfinite(video.height())) return;
  const double opacity = (annotation.colour_rgba & 0xFFu) / 255.0;
  if (opacity <= 0.0) return;
  const auto shape = shape_of(annotation, video);
  if (!shape) return;
  const QColor colour = colour_of(annotation.colour_rgba);
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setRenderHint(QPainter::TextAntialiasing);
  painter.setClipRect(video, Qt::IntersectClip);
  if (opacity >= 0.995) {
    draw_opaque(painter, *shape, colour);
  } else if (video.width() <= kMaxLayerSide && video.height() <= kMaxLayerSide) {
    // Drawn opaque first and then faded as a whole, so that the outline does not show through the line.
    QImage layer(video.size().toSize(), QImage::Format_ARGB32_Premultiplied);
    layer.fill(Qt::transparent);
    {
      QPainter layer_painter(&layer);
      layer_painter.setRenderHint(QPainter::Antialiasing);
      layer_painter.setRenderHint(QPainter::TextAntialiasing);
      layer_painter.translate(-video.topLeft());
      draw_opaque(layer_painter, *shape, colour);
    }
    painter.setOpacity(painter.opacity() * opacity);
    painter.drawImage(video.topLeft(), layer);
  }
  painter.restore();
}

void paint_annotation_scene(QPainter& painter, const annotation::Scene& scene, QRectF video_rect) {
  for (const auto& annotation : scene.annotations) {
    if (annotation) paint_annotation(painter, *annotation, video_rect);
  }
}

AnnotationCanvas::AnnotationCanvas(QQuickItem* parent) : QQuickPaintedItem(parent) {
  setAcceptedMouseButtons(Qt::LeftButton);
  trailing_.setSingleShot(true);
  trailing_.setTimerType(Qt::PreciseTimer);
  trailing_.setInterval(kBatchInterval);
  // The timer fires at least a batch interval after the last send, so the send clock moves on by one.
  connect(&trailing_, &QTimer::timeout, this,
          [this] { flush(std::max(last_event_, last_sent_ + kBatchInterval)); });
}

void AnnotationCanvas::setSession(MentorSession* session) {
  if (session_ == session) return;
  if (session_) disconnect(session_, nullptr, this, nullptr);
  session_ = session;
  if (session_) {
    connect(session_, &MentorSession::annotationsChanged, this,
            [this] { setScene(session_->annotationScene()); });
    setScene(session_->annotationScene());
  }
  emit sessionChanged();
}

void AnnotationCanvas::setVideoRect(QRectF rect) {
  if (rect == video_rect_) return;
  video_rect_ = rect;
  if (label_point_) emit labelPendingChanged();  // its position follows the picture
  update();
  emit videoRectChanged();
}

void AnnotationCanvas::setTool(const QString& tool) {
  if (tool == tool_) return;
  tool_ = tool;
  if (tool_ != "label") cancelLabel();
  emit toolChanged();
}

void AnnotationCanvas::setColour(const QColor& colour) {
  if (colour == colour_) return;
  colour_ = colour;
  emit colourChanged();
}

void AnnotationCanvas::setLineWidth(double width) {
  const double clamped = std::isfinite(width) ? std::clamp(width, static_cast<double>(annotation::kMinWidth),
                                                           static_cast<double>(annotation::kMaxWidth))
                                              : 0.004;
  if (clamped == line_width_) return;
  line_width_ = clamped;
  emit lineWidthChanged();
}

void AnnotationCanvas::setAuthor(const QString& author) {
  if (author == author_) return;
  author_ = author;
  setScene(scene_);  // whose annotations are "own" changed
  emit authorChanged();
}

void AnnotationCanvas::setMayDraw(bool may) {
  if (may == may_draw_) return;
  may_draw_ = may;
  if (!may_draw_) {
    // The link or the pen went away mid-gesture: nothing more of it can reach the sender.
    trailing_.stop();
    pending_.clear();
    gesture_ = Gesture::kNone;
    own_pointer_.reset();
    cancelLabel();
    update();
  }
  emit mayDrawChanged();
}

QPointF AnnotationCanvas::labelPosition() const {
  if (!label_point_) return {};
  return on_picture(*label_point_, video_rect_);
}

void AnnotationCanvas::setScene(std::shared_ptr<const annotation::Scene> scene) {
  scene_ = scene ? std::move(scene) : std::make_shared<const annotation::Scene>();
  const std::string author = author_.toStdString();
  const bool own =
      !author.empty() &&
      std::any_of(scene_->annotations.begin(), scene_->annotations.end(), [&author](const auto& a) {
        return a && a->author == author && a->kind != AnnotationKind::kPointer;
      });
  if (own != has_own_) {
    has_own_ = own;
    emit hasOwnAnnotationsChanged();
  }
  update();
}

void AnnotationCanvas::paint(QPainter* painter) {
  if (!own_pointer_) {
    paint_annotation_scene(*painter, *scene_, video_rect_);
    return;
  }
  // The own pointer is drawn where the hand is now, not where the sender's echo says it was.
  const std::string own_pointer_id = annotation::pointer_id(author_.toStdString());
  for (const auto& a : scene_->annotations) {
    if (a && a->id != own_pointer_id) paint_annotation(*painter, *a, video_rect_);
  }
  paint_annotation(*painter, *own_pointer_, video_rect_);
}

QSGNode* AnnotationCanvas::updatePaintNode(QSGNode* old_node, UpdatePaintNodeData* data) {
  if (scene_->annotations.empty() && !own_pointer_) {
    // What QQuickPaintedItem itself does for an empty item: the next update() with content makes a new node.
    delete old_node;
    return nullptr;
  }
  return QQuickPaintedItem::updatePaintNode(old_node, data);
}

void AnnotationCanvas::send(annotation::AnnotationOperation op) {
  if (sink_) {
    sink_(std::move(op));
  } else if (session_) {
    session_->proposeAnnotation(std::move(op));
  }
}

std::string AnnotationCanvas::next_id() {
  // Skip every counter already in the scene: after a restart of the console the sender still holds the
  // drawings of the previous run under the same author.
  const std::string author = author_.toStdString();
  for (const auto& a : scene_->annotations) {
    if (!a || !annotation::is_drawing_id_of(a->id, author)) continue;
    counter_ = std::max<std::uint64_t>(counter_, std::stoull(a->id.substr(author.size() + 1)));
  }
  return author + "-" + std::to_string(++counter_);
}

std::uint32_t AnnotationCanvas::colour_rgba() const {
  const QColor c = colour_.isValid() ? colour_.toRgb() : QColor(0xff, 0xeb, 0x3b);
  return (static_cast<std::uint32_t>(c.red()) << 24) | (static_cast<std::uint32_t>(c.green()) << 16) |
         (static_cast<std::uint32_t>(c.blue()) << 8) | static_cast<std::uint32_t>(c.alpha());
}

core::CaptureTime AnnotationCanvas::shown_capture() const {
  std::optional<core::CaptureTime> shown;
  if (shown_picture_) {
    shown = shown_picture_();
  } else if (session_) {
    shown = session_->shownCaptureTime();
  }
  return shown.value_or(core::CaptureTime{});
}

std::optional<NormalisedPoint> AnnotationCanvas::normalised(QPointF item_position, bool clamp) const {
  const QRectF video = video_rect_.normalized();
  if (video.width() < 1.0 || video.height() < 1.0) return std::nullopt;
  const double x = (item_position.x() - video.x()) / video.width();
  const double y = (item_position.y() - video.y()) / video.height();
  if (!std::isfinite(x) || !std::isfinite(y)) return std::nullopt;
  if (!clamp && (x < 0.0 || x > 1.0 || y < 0.0 || y > 1.0)) return std::nullopt;
  return NormalisedPoint{static_cast<float>(std::clamp(x, 0.0, 1.0)),
                         static_cast<float>(std::clamp(y, 0.0, 1.0))};
}

void AnnotationCanvas::mousePressEvent(QMouseEvent* event) {
  const auto at = normalised(event->position(), false);
  // Outside the picture (the letterbox bars) or without the pen, the press belongs to whatever is below.
  if (event->button() != Qt::LeftButton || !may_draw_ || gesture_ != Gesture::kNone || !at) {
    event->ignore();
    return;
  }
  const milliseconds now{event->timestamp()};
  if (tool_ == "pointer") {
    gesture_ = Gesture::kPointing;
    Annotation shown;
    shown.id = annotation::pointer_id(author_.toStdString());
    shown.author = author_.toStdString();
    shown.kind = AnnotationKind::kPointer;
    shown.points = {*at};
    shown.colour_rgba = colour_rgba();
    shown.width = annotation::kPointerWidth;
    own_pointer_ = std::move(shown);
    send(annotation::Pointer{*at, colour_rgba(), shown_capture()});
    last_sent_ = last_event_ = now;
    last_point_ = first_point_ = *at;
    update();
    event->accept();
    return;
  }
  if (author_.isEmpty()) {  // no id can be proposed before the sender has named this console
    event->ignore();
    return;
  }
  if (tool_ == "label") {
    label_point_ = *at;
    emit labelPendingChanged();
    event->accept();
    return;
  }
  AnnotationKind kind = AnnotationKind::kStroke;
  if (tool_ == "arrow") {
    kind = AnnotationKind::kArrow;
  } else if (tool_ == "circle") {
    kind = AnnotationKind::kEllipse;
  } else if (tool_ != "pen") {
    event->ignore();
    return;
  }
  cancelLabel();
  annotation::Begin begin;
  Annotation& draft = begin.draft;
  draft.id = next_id();
  draft.author = author_.toStdString();
  draft.kind = kind;
  // An arrow or ellipse starts as a point (both ends at the press); the drag moves its second point.
  draft.points = kind == AnnotationKind::kStroke ? std::vector<NormalisedPoint>{*at}
                                                 : std::vector<NormalisedPoint>{*at, *at};
  draft.colour_rgba = colour_rgba();
  draft.width = static_cast<float>(line_width_);
  draft.reference_capture = shown_capture();
  gesture_ = Gesture::kDrawing;
  drawing_id_ = draft.id;
  drawing_kind_ = kind;
  drawing_points_ = draft.points.size();
  last_point_ = first_point_ = *at;
  pending_.clear();
  last_sent_ = last_event_ = now;
  send(std::move(begin));
  event->accept();
}

void AnnotationCanvas::mouseMoveEvent(QMouseEvent* event) {
  if (gesture_ == Gesture::kNone) {
    event->ignore();
    return;
  }
  // Past the picture's edge the drawing follows along the edge: the sender takes only points on the frame.
  if (const auto at = normalised(event->position(), true)) add_point(*at, milliseconds{event->timestamp()});
  event->accept();
}

void AnnotationCanvas::mouseReleaseEvent(QMouseEvent* event) {
  if (gesture_ == Gesture::kNone || event->button() != Qt::LeftButton) {
    event->ignore();
    return;
  }
  const milliseconds now{event->timestamp()};
  // The release point is taken, and whatever is pending goes before the Commit.
  if (const auto at = normalised(event->position(), true)) take_point(*at, now);
  finish_gesture();
  event->accept();
}

void AnnotationCanvas::mouseUngrabEvent() {
  // The grab was taken away (a popup, the window lost the pointer): end the drawing where it is.
  if (gesture_ != Gesture::kNone) finish_gesture();
}

void AnnotationCanvas::add_point(NormalisedPoint p, milliseconds at) {
  if (!take_point(p, at)) return;
  if (at - last_sent_ >= kBatchInterval) {
    flush(at);
  } else if (!trailing_.isActive()) {
    trailing_.start();
  }
}

bool AnnotationCanvas::take_point(NormalisedPoint p, milliseconds at) {
  last_event_ = at;
  const double step =
      std::hypot((p.x - last_point_.x) * video_rect_.width(), (p.y - last_point_.y) * video_rect_.height());
  if (gesture_ == Gesture::kPointing) {
    own_pointer_->points = {p};
    update();
    pending_ = {p};
  } else if (drawing_kind_ == AnnotationKind::kStroke) {
    if (step < kMinStepPx) return false;
    if (drawing_points_ + pending_.size() >= annotation::AnnotationLimits{}.max_points_per_stroke)
      return false;
    pending_.push_back(p);
  } else {
    if (step <= 0.0) return false;
    pending_ = {p};  // only the drag end counts for an arrow's head or an ellipse's far corner
  }
  last_point_ = p;
  return true;
}

void AnnotationCanvas::flush(milliseconds at) {
  trailing_.stop();
  if (pending_.empty()) return;
  if (gesture_ == Gesture::kDrawing) {
    drawing_points_ += pending_.size();
    send(annotation::Extend{drawing_id_, std::move(pending_)});
  } else if (gesture_ == Gesture::kPointing) {
    send(annotation::Pointer{pending_.back(), colour_rgba(), shown_capture()});
  }
  pending_.clear();
  last_sent_ = at;
}

void AnnotationCanvas::finish_gesture() {
  flush(std::max(last_event_, last_sent_));
  if (gesture_ == Gesture::kDrawing) {
    send(annotation::Commit{drawing_id_});
    const double dx = (last_point_.x - first_point_.x) * video_rect_.width();
    const double dy = (last_point_.y - first_point_.y) * video_rect_.height();
    if (drawing_kind_ != AnnotationKind::kStroke && std::hypot(dx, dy) < kStrayClickPx) {
      send(annotation::Delete{drawing_id_});
    }
  } else if (gesture_ == Gesture::kPointing) {
    // From now on the sender's pointer shows until it expires, as on the OR display.
    own_pointer_.reset();
    update();
  }
  gesture_ = Gesture::kNone;
}

void AnnotationCanvas::placeLabel(const QString& text) {
  if (!label_point_) return;
  // One line of visible text within the sender's limit: anything else would only be refused.
  QString line;
  std::size_t chars = 0;
  const std::size_t max_chars = annotation::AnnotationLimits{}.max_label_chars;
  for (const char32_t c : text.simplified().toUcs4()) {
    if (chars == max_chars) break;
    if (!QChar::isPrint(c) && c != U' ') continue;
    line += QString::fromUcs4(&c, 1);
    ++chars;
  }
  line = line.trimmed();
  const NormalisedPoint at = *label_point_;
  cancelLabel();
  if (line.isEmpty() || !may_draw_ || author_.isEmpty()) return;
  annotation::Begin begin;
  Annotation& draft = begin.draft;
  draft.id = next_id();
  draft.author = author_.toStdString();
  draft.kind = AnnotationKind::kLabel;
  draft.points = {at};
  draft.colour_rgba = colour_rgba();
  draft.width = static_cast<float>(line_width_);
  draft.text = line.toStdString();
  draft.reference_capture = shown_capture();
  const std::string id = draft.id;
  send(std::move(begin));
  send(annotation::Commit{id});
}

void AnnotationCanvas::cancelLabel() {
  if (!label_point_) return;
  label_point_.reset();
  emit labelPendingChanged();
}

void AnnotationCanvas::undo() {
  if (!may_draw_) return;
  if (gesture_ == Gesture::kDrawing) {
    // Undo takes the drawing in progress; nothing more may be sent for it.
    trailing_.stop();
    pending_.clear();
    gesture_ = Gesture::kNone;
  }
  send(annotation::Undo{});
}

void AnnotationCanvas::clearMine() {
  if (!may_draw_) return;
  if (gesture_ == Gesture::kDrawing) {
    trailing_.stop();
    pending_.clear();
    gesture_ = Gesture::kNone;
  }
  send(annotation::Clear{annotation::ClearScope::kMine});
}

}  // namespace surgilink::console
