#pragma once
// The OR display's pictures in a window on the OR monitor (issue 13), drawn by a plain GStreamer video sink
// (no toolkit on the OR side): latest-frame, so a slow screen skips pictures and never holds the OR display
// branch, the stream to the mentors or the recording.

#include <array>
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
  // ximagesink (scaled on the CPU by videoscale), glimagesink (scales on the GPU) or xvimagesink (the X
  // server's video overlay); each keeps the picture's shape with black borders.
  std::string video_sink = "ximagesink";
  // Called on the sink's streaming thread for each picture handed to the screen: its capture time and when.
  std::function<void(core::CaptureTime capture, core::CaptureTime shown)> on_shown;
  // Called on the window's event thread for a touch (or a click) on the picture, at (x, y) in its pixels.
  std::function<void(double x, double y)> on_touch;
  // Called on the window's event thread for a key pressed in the window, by its X key name ("h", "F11");
  // F11 itself toggles full screen first.
  std::function<void(const std::string& key)> on_key;
  // On X11 the window is SurgiLink's own: full screen (or half the monitor when false) on monitor `screen`
  // (RandR's order; one that does not exist is the first, logged).
  bool full_screen = true;
  int screen = 0;
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
  // Whether the window covers its whole monitor now; toggled by F11 or toggle_full_screen().
  bool full_screen() const;
  void toggle_full_screen();
  // Where the window is: x, y, width, height on the X screen (all 0 without an own X window).
  std::array<int, 4> geometry() const;
  // Where the window was placed, for the log ("monitor 0 of 1, 1920x1080+0+0"); empty off X11.
  const std::string& placed() const { return placed_; }

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  std::string placed_;
};

}  // namespace surgilink::media
