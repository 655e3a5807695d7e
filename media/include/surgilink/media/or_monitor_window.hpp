#pragma once
// The OR display's pictures in a window on the OR monitor (issue 13), drawn by a plain GStreamer video sink
// (no toolkit on the OR side): latest-frame, so a slow screen skips pictures and never holds the OR display
// branch, the stream to the mentors or the recording.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/media/video_frame.hpp"

namespace surgilink::media {

// Settings of the OR monitor window. Plain value type.
struct OrMonitorWindowSettings {
  // glimagesink (scales on the GPU) or xvimagesink (the X server's video overlay); both keep the picture's
  // shape with black borders.
  std::string video_sink = "glimagesink";
  // Called on the sink's streaming thread for each picture handed to the screen: its capture time and when.
  std::function<void(core::CaptureTime capture, core::CaptureTime shown)> on_shown;
  // Called on the window's event thread for a touch (or a click) on the picture, at (x, y) in its pixels.
  std::function<void(double x, double y)> on_touch;
};

// One window on the OR monitor. Construct and destroy on one thread; show() from the OR display branch's
// streaming thread; counters and error() from any thread.
class OrMonitorWindow {
 public:
  // Opens the window; throws if the sink is missing or cannot open a window (no display).
  OrMonitorWindow(OrMonitorWindowSettings settings, const core::Clock& clock);
  ~OrMonitorWindow();
  OrMonitorWindow(const OrMonitorWindow&) = delete;
  OrMonitorWindow& operator=(const OrMonitorWindow&) = delete;

  // Hands the picture to the window without copying it and returns at once; an older picture still waiting
  // is dropped.
  void show(std::shared_ptr<const VideoFrame> picture);
  std::uint64_t pictures_shown() const;    // reached the video sink
  std::uint64_t pictures_skipped() const;  // replaced by a newer one before the screen took them
  // The first error the window's pipeline reported (e.g. the window was closed), if any.
  std::optional<std::string> error() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace surgilink::media
