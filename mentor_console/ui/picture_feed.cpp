#include "picture_feed.hpp"

namespace surgilink::console {

PictureFeed::PictureFeed(const core::Clock& clock, PresentedListener on_presented, QObject* parent)
    : QObject(parent), clock_(clock), on_presented_(std::move(on_presented)) {}

void PictureFeed::announce() {
  QMetaObject::invokeMethod(this, &PictureFeed::pictureReady, Qt::QueuedConnection);
}

void PictureFeed::notePresented(core::CaptureTime capture_time) {
  if (on_presented_) on_presented_(capture_time, clock_.now());
}

}  // namespace surgilink::console
