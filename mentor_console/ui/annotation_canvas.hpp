#pragma once
// Telestration on the console: the drawing surface over the live picture. Its painting is
// annotation_painter's, its gestures DrawingGestures'; this item wires them to Qt Quick.

#include <QtQml/qqmlregistration.h>
#include <QColor>
#include <QPointF>
#include <QQuickPaintedItem>
#include <QRectF>
#include <QString>
#include <QTimer>
#include <functional>
#include <memory>
#include <optional>

#include "core/drawing_gestures.hpp"
#include "mentor_session.hpp"
#include "surgilink/annotation/operation.hpp"
#include "surgilink/annotation/scene.hpp"
#include "surgilink/core/capture_clock.hpp"

namespace surgilink::console {

// The drawing surface laid over the operative field: paints the session's annotation scene over the video
// rectangle and turns the mentor's mouse, touch and stylus drags into annotation operations. Touch and
// stylus arrive as mouse events (Qt synthesises them for an item that takes only the mouse), so one path
// serves all three. GUI thread only.
class AnnotationCanvas : public QQuickPaintedItem, private DrawingGestureListener {
  Q_OBJECT
  QML_ELEMENT
  Q_PROPERTY(surgilink::console::MentorSession* session READ session WRITE setSession NOTIFY sessionChanged)
  // The picture's rectangle inside this item (OperativeFieldView::videoRect when the canvas fills it).
  Q_PROPERTY(QRectF videoRect READ videoRect WRITE setVideoRect NOTIFY videoRectChanged)
  Q_PROPERTY(Tool tool READ tool WRITE setTool NOTIFY toolChanged)
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
  // The drawing tools, as QML names them (AnnotationCanvas.Arrow).
  enum class Tool {
    Pen = static_cast<int>(DrawingTool::kPen),
    Arrow = static_cast<int>(DrawingTool::kArrow),
    Circle = static_cast<int>(DrawingTool::kCircle),
    Label = static_cast<int>(DrawingTool::kLabel),
    Pointer = static_cast<int>(DrawingTool::kPointer),
  };
  Q_ENUM(Tool)

  // Where operations go; by default the session's proposeAnnotation. Tests record them instead.
  using OperationSink = std::function<void(annotation::AnnotationOperation)>;
  // Capture time of the picture on screen now (the session's by default), for anchoring.
  using ShownPicture = std::function<std::optional<core::CaptureTime>()>;

  static constexpr std::chrono::milliseconds kBatchInterval = DrawingGestures::kBatchInterval;

  explicit AnnotationCanvas(QQuickItem* parent = nullptr);

  MentorSession* session() const { return session_; }
  void setSession(MentorSession* session);
  QRectF videoRect() const { return video_rect_; }
  void setVideoRect(QRectF rect);
  Tool tool() const { return static_cast<Tool>(gestures_.tool()); }
  void setTool(Tool tool);
  QColor colour() const { return colour_; }
  void setColour(const QColor& colour);
  double lineWidth() const { return line_width_; }
  void setLineWidth(double width);
  QString author() const { return author_; }
  void setAuthor(const QString& author);
  bool mayDraw() const { return may_draw_; }
  void setMayDraw(bool may);
  bool labelPending() const { return gestures_.pending_label().has_value(); }
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
  // DrawingGestureListener
  void send(annotation::AnnotationOperation op) override;
  core::CaptureTime shown_capture() override;
  void label_pending_changed() override { emit labelPendingChanged(); }
  void own_pointer_changed() override { update(); }

  std::uint32_t colour_rgba() const;
  std::optional<annotation::NormalisedPoint> normalised(QPointF item_position, bool clamp) const;
  // Runs the trailing timer while the gestures hold points back: the rest of a batch goes out when the drag
  // pauses.
  void follow_batch();

  MentorSession* session_ = nullptr;
  OperationSink sink_;
  ShownPicture shown_picture_;
  std::shared_ptr<const annotation::Scene> scene_ = std::make_shared<const annotation::Scene>();
  QRectF video_rect_;
  QColor colour_{0xff, 0xeb, 0x3b};
  double line_width_ = 0.004;
  QString author_;
  bool may_draw_ = false;
  bool has_own_ = false;
  DrawingGestures gestures_{*this};
  QTimer trailing_;
};

}  // namespace surgilink::console
