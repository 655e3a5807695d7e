#pragma once
// The surgeon's monitor (issue 13): the OR display's pictures in a window on it, and how long they take to
// get there.

#include <functional>
#include <memory>

#include <nlohmann/json.hpp>

#include "or_screen_times.hpp"
#include "sender_settings.hpp"
#include "surgilink/media/or_monitor_window.hpp"

namespace surgilink::sender {

// Owns the OR window, if there is one. picture(): the OR display branch's streaming thread; the rest: the
// network thread.
class OrMonitor {
 public:
  // Opens the window when `settings.window` says so (unset: when this machine has a display). Throws when a
  // window was asked for and cannot open; unasked, logs why and goes on without one. `on_touch` gets the
  // touches on the window's picture (its pixels), `on_key` the keys pressed in it, on the window's event
  // thread.
  OrMonitor(const OrDisplaySettings& settings, const core::Clock& clock,
            std::function<void(double x, double y)> on_touch, std::function<void(const std::string&)> on_key);
  // A newly composed OR display picture (what --or-screenshot saves): timed, and handed to the window.
  void picture(const std::shared_ptr<const media::VideoFrame>& picture);
  bool window_open() const { return window_ != nullptr; }
  bool full_screen() const { return window_ && window_->full_screen(); }
  // Once a second: logs, once, a window that failed (e.g. closed); the stream goes on regardless.
  void check();
  // The figures for --report-json: capture → composed, capture → handed to the window's screen.
  nlohmann::json report() const;
  // When the window first showed a picture captured at `capture` or later (see OrScreenTimes).
  std::optional<core::CaptureTime> first_shown_from(core::CaptureTime capture) const {
    return times_.first_shown_from(capture);
  }

 private:
  const core::Clock& clock_;
  std::string video_sink_;
  OrScreenTimes times_;
  std::unique_ptr<media::OrMonitorWindow> window_;
  bool failure_logged_ = false;
};

}  // namespace surgilink::sender
