#pragma once
// Badges the surgeon sees on the OR display: vital-sign alarms and "mentor disconnected" (DESIGN.md §8).
// Drawn only on the OR display, never on the stream to the mentor.

#include <memory>
#include <mutex>
#include <string>

#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::sender {

// set_*: network thread; has_content/draw: the OR display's streaming thread.
class OrDisplayBadges : public media::OrDisplayOverlay {
 public:
  // Empty: no alarm. E.g. "spo2 low, hr high".
  void set_alarms(std::string text);
  void set_mentor_disconnected(bool disconnected);

  bool has_content() const override;
  void draw(media::I420Picture picture, core::CaptureTime capture_time) override;

 private:
  mutable std::mutex mutex_;
  std::string alarms_;
  bool mentor_disconnected_ = false;
};

}  // namespace surgilink::sender
