#include "reviewed_annotations.hpp"

#include "annotation_painter.hpp"
#include "case_review.hpp"

namespace surgilink::console {

ReviewedAnnotations::ReviewedAnnotations(QQuickItem* parent) : QQuickPaintedItem(parent) {}

void ReviewedAnnotations::setReview(CaseReview* review) {
  if (review_ == review) return;
  if (review_) disconnect(review_, nullptr, this, nullptr);
  review_ = review;
  if (review_) connect(review_, &CaseReview::momentChanged, this, [this] { update(); });
  emit reviewChanged();
  update();
}

void ReviewedAnnotations::setVideoRect(QRectF rect) {
  if (video_rect_ == rect) return;
  video_rect_ = rect;
  emit videoRectChanged();
  update();
}

void ReviewedAnnotations::paint(QPainter* painter) {
  // The OR display showed nothing of the scene while the surgeon had it hidden; neither does the review.
  if (!review_ || review_->annotationsHidden() || video_rect_.isEmpty()) return;
  // Where the OR display had placed them (motion anchoring), scaled to the picture's place on the screen.
  const auto placements =
      review_->moment().placements_for(cv::Size2d(video_rect_.width(), video_rect_.height()));
  paint_annotation_scene(*painter, *review_->scene(), video_rect_, &placements);
}

}  // namespace surgilink::console
