#pragma once
// Telestration on the console: the mentor's drawing tools over the live picture, and the annotation scene
// drawn with QPainter so that it looks like the OpenCV drawing on the OR display.

#include <QColor>
#include <QPainter>
#include <QPointF>
#include <QQuickPaintedItem>
#include <QRectF>
#include <QString>
#include <QTimer>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "mentor_session.hpp"
#include "surgilink/annotation/operation.hpp"
#include "surgilink/annotation/scene.hpp"
#include "surgilink/core/capture_clock.hpp"

namespace surgilink::console {

// Draws `scene` into `video_rect` (the picture's place on the painter's device, letterboxing excluded):
// every shape over a dark outline, anti-aliased, sizes scaled with the rectangle's height, as
// annotation::SceneRenderer draws it on the OR display. Bad coordinates are skipped. GUI thread.
void paint_annotation_scene(QPainter& painter, const annotation::Scene& scene, QRectF video_rect);
// Same for one annotation (the console's own pointer, which the sender does not echo back at once).
void paint_annotation(QPainter& painter, const annotation::Annotation& annotation, QRectF video_rect);

// The drawing surface laid over the operative field: paints the session's annotation scene over the video
// rectangle and turns the mentor's mouse, touch and stylus drags into annotation operations. Touch and
// stylus arrive as mouse events (Qt synthesises them for an item that takes only the mouse), so one path
// serves all three. GUI thread only.
class AnnotationCanvas : public QQuickPaintedItem {
  Q_OBJECT
  Q_PROPERTY(surgilink::console::MentorSession* session READ session WRITE setSession NOTIFY sessionChanged)
  // The picture's rectangle inside this item (OperativeFieldView::videoRect when the canvas fills it).
  Q_PROPERTY(QRectF videoRect READ videoRect WRITE setVideoRect NOTIFY videoRectChanged)
  // "pen", "arrow", "circle", "label" or "pointer".
  Q_PROPERTY(QString tool READ tool WRITE setTool NOTIFY toolChanged)
  Q_PROPERTY(QColor colour READ colour WRITE setColour NOTIFY colourChanged)
  // Line width as a fraction of the frame height (clamped to kMinWidth..kMaxWidth).
  Q_PROPERTY(double lineWidth READ lineWidth WRITE setLineWidth NOTIFY lineWidthChanged)
  // This console's author name ("c2"): the prefix of the ids it proposes.
  Q_PROPERTY(QString author READ author WRITE setAuthor NOTIFY authorChanged)
  Q_PROPERTY(bool mayDraw READ mayDraw WRITE setMayDraw NOTIFY mayDrawChanged)
  // The label tool was clicked: the text field shows at labelPosition (item coordinates) until
  // placeLabel() or cancelLabel().
  Q_PROPERTY(bool labelPending READ labelPending NOTIFY labelPendingChanged)
  Q_PROPERTY(QPointF labelPosition READ labelPosition NOTIFY labelPendingChanged)
  // Something of this author's to undo or clear.
  Q_PROPERTY(bool hasOwnAnnotations READ hasOwnAnnotations NOTIFY hasOwnAnnotationsChanged)

 public:
  // Where operations go; by default the session's proposeAnnotation. Tests record them instead.
  using OperationSink = std::function<void(annotation::AnnotationOperation)>;
  // Capture time of the picture on screen now (the session's by default), for anchoring.
  using ShownPicture = std::function<std::optional<core::CaptureTime>()>;

  // Extend batches and pointer moves are sent at most this often (the sender's rate limit is per author).
  static constexpr std::chrono::milliseconds kBatchInterval{16};

  explicit AnnotationCanvas(QQuickItem* parent = nullptr);

  MentorSession* session() const { return session_; }
  void setSession(MentorSession* session);
  QRectF videoRect() const { return video_rect_; }
  void setVideoRect(QRectF rect);
  QString tool() const { return tool_; }
  void setTool(const QString& tool);
  QColor colour() const { return colour_; }
  void setColour(const QColor& colour);
  double lineWidth() const { return line_width_; }
  void setLineWidth(double width);
  QString author() const { return author_; }
  void setAuthor(const QString& author);
  bool mayDraw() const { return may_draw_; }
  void setMayDraw(bool may);
  bool labelPending() const { return label_point_.has_value(); }
  QPointF labelPosition() const;
  bool hasOwnAnnotations() const { return has_own_; }

  void setOperationSink(OperationSink sink) { sink_ = std::move(sink); }
  void setShownPicture(ShownPicture shown) { shown_picture_ = std::move(shown); }
  // The scene to draw (the session's, when there is one); also tells which ids are taken.
  void setScene(std::shared_ptr<const annotation::Scene> scene);

  // Sends the pending label with `text` (Begin with the text, then Commit); empty text cancels it.
  Q_INVOKABLE void placeLabel(const QString& text);
  Q_INVOKABLE void cancelLabel();
  Q_INVOKABLE void undo();
  Q_INVOKABLE void clearMine();

  void paint(QPainter* painter) override;

 signals:
  void sessionChanged();
  void videoRectChanged();
  void toolChanged();
  void colourChanged();
  void lineWidthChanged();
  void authorChanged();
  void mayDrawChanged();
  void labelPendingChanged();
  void hasOwnAnnotationsChanged();

 protected:
  // No node at all while there is nothing to draw: an empty picture-sized texture blended over the video on
  // every frame costs a software renderer as much as the video itself.
  QSGNode* updatePaintNode(QSGNode* old_node, UpdatePaintNodeData* data) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseUngrabEvent() override;

 private:
  enum class Gesture { kNone, kDrawing, kPointing };

  void send(annotation::AnnotationOperation op);
  std::string next_id();
  std::uint32_t colour_rgba() const;
  core::CaptureTime shown_capture() const;
  std::optional<annotation::NormalisedPoint> normalised(QPointF item_position, bool clamp) const;
  // Takes a drag point and sends the batch when it is due.
  void add_point(annotation::NormalisedPoint p, std::chrono::milliseconds at);
  // Takes a drag point into the pending batch; false when it adds nothing (no move, stroke full).
  bool take_point(annotation::NormalisedPoint p, std::chrono::milliseconds at);
  void flush(std::chrono::milliseconds at);
  void finish_gesture();

  MentorSession* session_ = nullptr;
  OperationSink sink_;
  ShownPicture shown_picture_;
  std::shared_ptr<const annotation::Scene> scene_ = std::make_shared<const annotation::Scene>();
  QRectF video_rect_;
  QString tool_ = "pen";
  QColor colour_{0xff, 0xeb, 0x3b};
  double line_width_ = 0.004;
  QString author_;
  bool may_draw_ = false;
  bool has_own_ = false;
  std::uint64_t counter_ = 0;  // last drawing counter proposed by this console

  Gesture gesture_ = Gesture::kNone;
  std::string drawing_id_;
  annotation::AnnotationKind drawing_kind_ = annotation::AnnotationKind::kStroke;
  std::size_t drawing_points_ = 0;                     // points proposed so far (stroke limit)
  annotation::NormalisedPoint last_point_;             // newest point taken
  annotation::NormalisedPoint first_point_;            // where the press was (arrow tail, ellipse corner)
  std::vector<annotation::NormalisedPoint> pending_;   // points not sent yet
  std::chrono::milliseconds last_sent_{0};             // event time of the last Begin/Extend/Pointer
  std::chrono::milliseconds last_event_{0};            // event time of the newest point
  QTimer trailing_;                                    // sends the rest of a batch when the drag pauses
  std::optional<annotation::Annotation> own_pointer_;  // drawn at once while pointing
  std::optional<annotation::NormalisedPoint> label_point_;
};

}  // namespace surgilink::console
