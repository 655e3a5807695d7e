#include "operative_field_view.hpp"

#include <QImage>
#include <QQuickWindow>
#include <QSGImageNode>
#include <QSGTexture>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "picture_feed.hpp"
#include "window_pixel_code.hpp"

namespace surgilink::console {

OperativeFieldView::OperativeFieldView(QQuickItem* parent) : QQuickItem(parent) {
  setFlag(ItemHasContents, true);
  connect(this, &QQuickItem::windowChanged, this, [this](QQuickWindow* w) {
    if (w)
      connect(w, &QQuickWindow::frameSwapped, this, &OperativeFieldView::on_frame_swapped,
              Qt::DirectConnection);
  });
}

void OperativeFieldView::setFeed(PictureFeed* feed) {
  if (feed_ == feed) return;
  if (feed_) disconnect(feed_, nullptr, this, nullptr);
  feed_ = feed;
  if (feed_) connect(feed_, &PictureFeed::pictureReady, this, &QQuickItem::update);
  emit feedChanged();
}

void OperativeFieldView::on_frame_swapped() {
  std::optional<core::CaptureTime> capture;
  {
    std::lock_guard lock(pending_mutex_);
    capture = std::exchange(pending_capture_, std::nullopt);
  }
  if (capture && feed_) feed_->notePresented(*capture);
}

namespace {
// Gathers the decoder's planes (which may carry row padding) into one tight I420 buffer.
void compact_i420(const media::VideoFrame& frame, cv::Mat& i420) {
  const int w = frame.width(), h = frame.height();
  i420.create(h * 3 / 2, w, CV_8UC1);  // allocates only when the picture size changes
  for (int row = 0; row < h; ++row) std::memcpy(i420.ptr(row), frame.plane(0) + row * frame.stride(0), w);
  std::uint8_t* u = i420.ptr(h);
  std::uint8_t* v = u + (w / 2) * (h / 2);
  for (int row = 0; row < h / 2; ++row) {
    std::memcpy(u + row * (w / 2), frame.plane(1) + row * frame.stride(1), w / 2);
    std::memcpy(v + row * (w / 2), frame.plane(2) + row * frame.stride(2), w / 2);
  }
}
}  // namespace

QImage OperativeFieldView::picture_at_full_size(const media::VideoFrame& frame) {
  // A GPU scales the texture for free: upload every pixel, in the byte order OpenGL takes as is.
  const int w = frame.width(), h = frame.height();
  compact_i420(frame, i420_);
  QImage image(w, h, QImage::Format_RGBX8888);
  cv::Mat rgba(h, w, CV_8UC4, image.bits(), image.bytesPerLine());
  cv::cvtColor(i420_, rgba, cv::COLOR_YUV2RGBA_I420);
  return image;
}

QImage OperativeFieldView::picture_at_shown_size(const media::VideoFrame& frame) {
  // The software renderer would scale the picture with QPainter on every repaint; scaling the planes once
  // to the device pixels it is shown at (down, or up on a wall screen) makes the repaint a plain copy.
  const int w = frame.width(), h = frame.height();
  const double dpr = window()->effectiveDevicePixelRatio();
  const QSizeF shown = letterboxed(size(), w, h).size() * dpr;
  const int sw = std::max(2, static_cast<int>(shown.width()) & ~1),
            sh = std::max(2, static_cast<int>(shown.height()) & ~1);
  shown_i420_.create(sh * 3 / 2, sw, CV_8UC1);
  const cv::Mat y(h, w, CV_8UC1, const_cast<std::uint8_t*>(frame.plane(0)), frame.stride(0));
  const cv::Mat u(h / 2, w / 2, CV_8UC1, const_cast<std::uint8_t*>(frame.plane(1)), frame.stride(1));
  const cv::Mat v(h / 2, w / 2, CV_8UC1, const_cast<std::uint8_t*>(frame.plane(2)), frame.stride(2));
  cv::Mat shown_y = shown_i420_.rowRange(0, sh);
  cv::resize(y, shown_y, shown_y.size(), 0, 0, cv::INTER_LINEAR);
  // I420's chroma planes follow Y as sh/4 rows of sw bytes each; view them as (sh/2) x (sw/2).
  cv::Mat shown_u(sh / 2, sw / 2, CV_8UC1, shown_i420_.ptr(sh));
  cv::Mat shown_v(sh / 2, sw / 2, CV_8UC1, shown_i420_.ptr(sh) + (sw / 2) * (sh / 2));
  cv::resize(u, shown_u, shown_u.size(), 0, 0, cv::INTER_LINEAR);
  cv::resize(v, shown_v, shown_v.size(), 0, 0, cv::INTER_LINEAR);
  QImage image(sw, sh, QImage::Format_RGB32);  // the raster engine's own format: no conversion when drawn
  cv::Mat bgra(sh, sw, CV_8UC4, image.bits(), image.bytesPerLine());
  cv::cvtColor(shown_i420_, bgra, cv::COLOR_YUV2BGRA_I420);
  image.setDevicePixelRatio(dpr);
  return image;
}

QSGNode* OperativeFieldView::updatePaintNode(QSGNode* old_node, UpdatePaintNodeData*) {
  auto* node = static_cast<QSGImageNode*>(old_node);
  if (!feed_) return node;
  const auto& mailbox = feed_->mailbox();
  const std::uint64_t generation = mailbox.generation();
  if (generation != shown_generation_) {
    shown_generation_ = generation;
    if (auto frame = mailbox.latest()) {
      const bool software = window()->rendererInterface()->graphicsApi() == QSGRendererInterface::Software;
      QImage image = software ? picture_at_shown_size(*frame) : picture_at_full_size(*frame);
      if (!node) {
        node = window()->createImageNode();
        node->setOwnsTexture(true);
        node->setFiltering(QSGTexture::Linear);
      }
      node->setTexture(window()->createTextureFromImage(image));
      picture_size_ = QSizeF(frame->width(), frame->height());
      std::lock_guard lock(pending_mutex_);
      pending_capture_ = frame->capture_time();
      frames_shown_.fetch_add(1);
      QMetaObject::invokeMethod(this, &OperativeFieldView::framesShownChanged, Qt::QueuedConnection);
    }
  }
  if (node && node->texture()) {
    // Fit with the picture's aspect ratio, centred (letterbox): surgeons must never see a stretched field.
    const QSizeF picture = picture_size_;
    QRectF rect = letterboxed(size(), static_cast<int>(picture.width()), static_cast<int>(picture.height()));
    // A picture already scaled to its place is drawn pixel for pixel, at whole device pixels: any leftover
    // fraction would make the software renderer scale it again.
    const double dpr = window()->effectiveDevicePixelRatio();
    const QSize texture = node->texture()->textureSize();
    if (texture != picture.toSize() && std::abs(texture.width() - rect.width() * dpr) <= 2 &&
        std::abs(texture.height() - rect.height() * dpr) <= 2) {
      rect = QRectF(std::round(rect.x() * dpr) / dpr, std::round(rect.y() * dpr) / dpr, texture.width() / dpr,
                    texture.height() / dpr);
    }
    node->setRect(rect);
    if (rect != video_rect_) {
      video_rect_ = rect;
      QMetaObject::invokeMethod(this, &OperativeFieldView::videoRectChanged, Qt::QueuedConnection);
    }
  }
  return node;
}

}  // namespace surgilink::console
