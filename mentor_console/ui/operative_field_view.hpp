#pragma once
// The live operative field in QML: shows the newest decoded picture with the right aspect ratio, and tells
// its feed when each picture actually reached the screen (after the scene graph swapped it).

#include <QtQml/qqmlregistration.h>
#include <QImage>
#include <QQuickItem>
#include <QRectF>
#include <atomic>
#include <mutex>
#include <opencv2/core/mat.hpp>
#include <optional>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::media {
class VideoFrame;
}

namespace surgilink::console {

class PictureFeed;

// Repaints only when the feed says a new picture is in the mailbox. The frame is converted to RGB and
// uploaded on the scene graph's render thread, never on the GUI thread.
class OperativeFieldView : public QQuickItem {
  Q_OBJECT
  QML_ELEMENT
  Q_PROPERTY(surgilink::console::PictureFeed* feed READ feed WRITE setFeed NOTIFY feedChanged)
  Q_PROPERTY(QRectF videoRect READ videoRect NOTIFY videoRectChanged)
  Q_PROPERTY(int framesShown READ framesShown NOTIFY framesShownChanged)

 public:
  explicit OperativeFieldView(QQuickItem* parent = nullptr);

  PictureFeed* feed() const { return feed_; }
  void setFeed(PictureFeed* feed);
  // Where the picture is drawn inside the item (letterboxed), in item coordinates.
  QRectF videoRect() const { return video_rect_; }
  int framesShown() const { return frames_shown_.load(); }

 signals:
  void feedChanged();
  void videoRectChanged();
  void framesShownChanged();

 protected:
  QSGNode* updatePaintNode(QSGNode* old_node, UpdatePaintNodeData*) override;

 private:
  void on_frame_swapped();  // render thread
  QImage picture_at_full_size(const media::VideoFrame& frame);
  QImage picture_at_shown_size(const media::VideoFrame& frame);

  PictureFeed* feed_ = nullptr;
  QRectF video_rect_;
  std::uint64_t shown_generation_ = 0;  // render thread
  cv::Mat i420_;                        // render thread: the compacted picture, reused frame to frame
  cv::Mat shown_i420_;                  // render thread: the picture scaled to its size on screen
  QSizeF picture_size_;                 // render thread: the decoded picture's size
  std::atomic<int> frames_shown_{0};
  std::mutex pending_mutex_;
  std::optional<core::CaptureTime> pending_capture_;  // drawn, waiting for its swap
};

}  // namespace surgilink::console
