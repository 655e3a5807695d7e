#include "annotation_canvas.hpp"

#include <QMouseEvent>
#include <QSGNode>
#include <algorithm>
#include <cmath>
#include <string>

#include "annotation_painter.hpp"
#include "mentor_session.hpp"
#include "surgilink/annotation/scene_authority.hpp"

namespace surgilink::console {

using annotation::AnnotationKind;
using annotation::NormalisedPoint;
using std::chrono::milliseconds;

AnnotationCanvas::AnnotationCanvas(QQuickItem* parent) : QQuickPaintedItem(parent) {
  setAcceptedMouseButtons(Qt::LeftButton);
  gestures_.set_colour(colour_rgba());
  gestures_.set_width(static_cast<float>(line_width_));
  trailing_.setSingleShot(true);
  trailing_.setTimerType(Qt::PreciseTimer);
  trailing_.setInterval(kBatchInterval);
  connect(&trailing_, &QTimer::timeout, this, [this] {
    gestures_.send_waiting_batch();
    follow_batch();
  });
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
  gestures_.set_view_size(video_rect_.width(), video_rect_.height());
  if (labelPending()) emit labelPendingChanged();  // its position follows the picture
  update();
  emit videoRectChanged();
}

void AnnotationCanvas::setTool(Tool tool) {
  if (tool == this->tool()) return;
  gestures_.set_tool(static_cast<DrawingTool>(tool));
  emit toolChanged();
}

void AnnotationCanvas::setColour(const QColor& colour) {
  if (colour == colour_) return;
  colour_ = colour;
  gestures_.set_colour(colour_rgba());
  emit colourChanged();
}

void AnnotationCanvas::setLineWidth(double width) {
  const double clamped = std::isfinite(width) ? std::clamp(width, static_cast<double>(annotation::kMinWidth),
                                                           static_cast<double>(annotation::kMaxWidth))
                                              : 0.004;
  if (clamped == line_width_) return;
  line_width_ = clamped;
  gestures_.set_width(static_cast<float>(line_width_));
  emit lineWidthChanged();
}

void AnnotationCanvas::setAuthor(const QString& author) {
  if (author == author_) return;
  author_ = author;
  gestures_.set_author(author_.toStdString());
  setScene(scene_);  // whose annotations are "own" changed
  emit authorChanged();
}

void AnnotationCanvas::setMayDraw(bool may) {
  if (may == may_draw_) return;
  may_draw_ = may;
  gestures_.set_may_draw(may_draw_);
  follow_batch();
  if (!may_draw_) update();
  emit mayDrawChanged();
}

QPointF AnnotationCanvas::labelPosition() const {
  const auto at = gestures_.pending_label();
  if (!at) return {};
  return {video_rect_.x() + static_cast<double>(at->x) * video_rect_.width(),
          video_rect_.y() + static_cast<double>(at->y) * video_rect_.height()};
}

void AnnotationCanvas::setScene(std::shared_ptr<const annotation::Scene> scene) {
  scene_ = scene ? std::move(scene) : std::make_shared<const annotation::Scene>();
  gestures_.set_scene(scene_);
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
  const auto& own_pointer = gestures_.own_pointer();
  if (!own_pointer) {
    paint_annotation_scene(*painter, *scene_, video_rect_);
    return;
  }
  // The own pointer is drawn where the hand is now, not where the sender's echo says it was.
  for (const auto& a : scene_->annotations) {
    if (a && a->id != own_pointer->id) paint_annotation(*painter, *a, video_rect_);
  }
  paint_annotation(*painter, *own_pointer, video_rect_);
}

QSGNode* AnnotationCanvas::updatePaintNode(QSGNode* old_node, UpdatePaintNodeData* data) {
  if (scene_->annotations.empty() && !gestures_.own_pointer()) {
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

core::CaptureTime AnnotationCanvas::shown_capture() {
  std::optional<core::CaptureTime> shown;
  if (shown_picture_) {
    shown = shown_picture_();
  } else if (session_) {
    shown = session_->shownCaptureTime();
  }
  return shown.value_or(core::CaptureTime{});
}

std::uint32_t AnnotationCanvas::colour_rgba() const {
  const QColor c = colour_.isValid() ? colour_.toRgb() : QColor(0xff, 0xeb, 0x3b);
  return (static_cast<std::uint32_t>(c.red()) << 24) | (static_cast<std::uint32_t>(c.green()) << 16) |
         (static_cast<std::uint32_t>(c.blue()) << 8) | static_cast<std::uint32_t>(c.alpha());
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

void AnnotationCanvas::follow_batch() {
  if (!gestures_.batch_waiting()) {
    trailing_.stop();
  } else if (!trailing_.isActive()) {
    trailing_.start();
  }
}

void AnnotationCanvas::mousePressEvent(QMouseEvent* event) {
  const auto at = normalised(event->position(), false);
  // Outside the picture (the letterbox bars) or without the pen, the press belongs to whatever is below.
  const bool taken =
      event->button() == Qt::LeftButton && at && gestures_.press(*at, milliseconds{event->timestamp()});
  event->setAccepted(taken);
}

void AnnotationCanvas::mouseMoveEvent(QMouseEvent* event) {
  if (!gestures_.gesture_going_on()) {
    event->ignore();
    return;
  }
  // Past the picture's edge the drawing follows along the edge: the sender takes only points on the frame.
  if (const auto at = normalised(event->position(), true)) {
    gestures_.move(*at, milliseconds{event->timestamp()});
    follow_batch();
  }
  event->accept();
}

void AnnotationCanvas::mouseReleaseEvent(QMouseEvent* event) {
  if (!gestures_.gesture_going_on() || event->button() != Qt::LeftButton) {
    event->ignore();
    return;
  }
  gestures_.release(normalised(event->position(), true), milliseconds{event->timestamp()});
  follow_batch();
  event->accept();
}

void AnnotationCanvas::mouseUngrabEvent() {
  // The grab was taken away (a popup, the window lost the pointer): end the drawing where it is.
  gestures_.interrupt();
  follow_batch();
}

void AnnotationCanvas::placeLabel(const QString& text) {
  if (!labelPending()) return;
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
  gestures_.place_label(line.trimmed().toStdString());
}

void AnnotationCanvas::cancelLabel() { gestures_.cancel_label(); }

void AnnotationCanvas::undo() {
  gestures_.undo();
  follow_batch();
}

void AnnotationCanvas::clearMine() {
  gestures_.clear_mine();
  follow_batch();
}

}  // namespace surgilink::console
