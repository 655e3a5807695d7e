#include "operative_field_view.hpp"

#include <QImage>
#include <QQuickWindow>
#include <QSGImageNode>
#include <QSGTexture>
#include <opencv2/imgproc.hpp>

#include "mentor_session.hpp"

namespace surgilink::console {

OperativeFieldView::OperativeFieldView(QQuickItem* parent) : QQuickItem(parent) {
  setFlag(ItemHasContents, true);
  connect(this, &QQuickItem::windowChanged, this, [this](QQuickWindow* w) {
    if (w)
      connect(w, &QQuickWindow::frameSwapped, this, &OperativeFieldView::on_frame_swapped,
              Qt::DirectConnection);
  });
}

void OperativeFieldView::setSession(MentorSession* session) {
  if (session_ == session) return;
  if (session_) disconnect(session_, nullptr, this, nullptr);
  session_ = session;
  if (session_) connect(session_, &MentorSession::pictureReady, this, &QQuickItem::update);
  emit sessionChanged();
}

void OperativeFieldView::on_frame_swapped() {
  std::optional<core::CaptureTime> capture;
  {
    std::lock_guard lock(pending_mutex_);
    capture = std::exchange(pending_capture_, std::nullopt);
  }
  if (capture && session_) session_->notePresented(*capture, session_->clock().now());
}

QSGNode* OperativeFieldView::updatePaintNode(QSGNode* old_node, UpdatePaintNodeData*) {
  auto* node = static_cast<QSGImageNode*>(old_node);
  if (!session_) return node;
  const auto& mailbox = session_->mailbox();
  const std::uint64_t generation = mailbox.generation();
  if (generation != shown_generation_) {
    shown_generation_ = generation;
    if (auto frame = mailbox.latest()) {
      // Decoder planes may carry row padding: gather them into one tight I420 buffer for the conversion.
      const int w = frame->width(), h = frame->height();
      i420_.create(h * 3 / 2, w, CV_8UC1);  // allocates only when the picture size changes
      for (int row = 0; row < h; ++row)
        std::memcpy(i420_.ptr(row), frame->plane(0) + row * frame->stride(0), w);
      std::uint8_t* u = i420_.ptr(h);
      std::uint8_t* v = u + (w / 2) * (h / 2);
      for (int row = 0; row < h / 2; ++row) {
        std::memcpy(u + row * (w / 2), frame->plane(1) + row * frame->stride(1), w / 2);
        std::memcpy(v + row * (w / 2), frame->plane(2) + row * frame->stride(2), w / 2);
      }
      QImage image(w, h, QImage::Format_RGBX8888);
      cv::Mat rgba(h, w, CV_8UC4, image.bits(), image.bytesPerLine());
      cv::cvtColor(i420_, rgba, cv::COLOR_YUV2RGBA_I420);
      if (!node) {
        node = window()->createImageNode();
        node->setOwnsTexture(true);
        node->setFiltering(QSGTexture::Linear);
      }
      node->setTexture(window()->createTextureFromImage(image));
      std::lock_guard lock(pending_mutex_);
      pending_capture_ = frame->capture_time();
      frames_shown_.fetch_add(1);
      QMetaObject::invokeMethod(this, &OperativeFieldView::framesShownChanged, Qt::QueuedConnection);
    }
  }
  if (node && node->texture()) {
    // Fit with the picture's aspect ratio, centred (letterbox): surgeons must never see a stretched field.
    const QSizeF picture = node->texture()->textureSize();
    const double scale = std::min(width() / picture.width(), height() / picture.height());
    const QRectF rect((width() - picture.width() * scale) / 2, (height() - picture.height() * scale) / 2,
                      picture.width() * scale, picture.height() * scale);
    node->setRect(rect);
    if (rect != video_rect_) {
      video_rect_ = rect;
      QMetaObject::invokeMethod(this, &OperativeFieldView::videoRectChanged, Qt::QueuedConnection);
    }
  }
  return node;
}

}  // namespace surgilink::console
