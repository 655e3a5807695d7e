#pragma once
// Where the operative field view takes its pictures from: a latest-frame mailbox, a signal when a newer
// picture is in it, and who is told when a picture reached the screen.

#include <QtQml/qqmlregistration.h>
#include <QObject>
#include <functional>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/media/video_frame.hpp"

namespace surgilink::console {

// Lives on the GUI thread; its mailbox and announce()/notePresented() may be used from any thread.
class PictureFeed : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("the session's; reached as mentor.feed")

 public:
  // Called on the thread that presented (the render thread): the picture captured at `capture_time`
  // reached the screen at `presented_at` (both on `clock`).
  using PresentedListener =
      std::function<void(core::CaptureTime capture_time, core::CaptureTime presented_at)>;

  PictureFeed(const core::Clock& clock, PresentedListener on_presented, QObject* parent = nullptr);

  media::LatestFrameMailbox& mailbox() { return mailbox_; }
  const media::LatestFrameMailbox& mailbox() const { return mailbox_; }
  // Any thread: a newer picture is in the mailbox; pictureReady() follows on the GUI thread.
  void announce();
  // Any thread: the picture captured at `capture_time` is on screen now.
  void notePresented(core::CaptureTime capture_time);

 signals:
  void pictureReady();

 private:
  const core::Clock& clock_;
  PresentedListener on_presented_;
  media::LatestFrameMailbox mailbox_;
};

}  // namespace surgilink::console
