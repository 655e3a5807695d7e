#pragma once
// The annotation scene of a recorded case, laid over its picture in the review screen: the scene the OR had
// at the picture's time, drawn by the console's own annotation painter where the OR display had placed it.

#include <QtQml/qqmlregistration.h>
#include <QQuickPaintedItem>
#include <QRectF>

namespace surgilink::console {

class CaseReview;

// GUI thread only.
class ReviewedAnnotations : public QQuickPaintedItem {
  Q_OBJECT
  QML_ELEMENT
  Q_PROPERTY(surgilink::console::CaseReview* review READ review WRITE setReview NOTIFY reviewChanged)
  // Where the picture is drawn inside this item (the picture item's videoRect).
  Q_PROPERTY(QRectF videoRect READ videoRect WRITE setVideoRect NOTIFY videoRectChanged)

 public:
  explicit ReviewedAnnotations(QQuickItem* parent = nullptr);
  CaseReview* review() const { return review_; }
  void setReview(CaseReview* review);
  QRectF videoRect() const { return video_rect_; }
  void setVideoRect(QRectF rect);
  void paint(QPainter* painter) override;

 signals:
  void reviewChanged();
  void videoRectChanged();

 private:
  CaseReview* review_ = nullptr;
  QRectF video_rect_;
};

}  // namespace surgilink::console
