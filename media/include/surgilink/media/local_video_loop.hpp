#pragma once
// A live encode → decode loop on this machine, for measuring how decoded pictures get onto a screen
// (surgilink-display-paths): a moving test pattern stamped with the pixel timestamp code, encoded as the
// sender encodes and decoded as the console decodes, with no network in between.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "surgilink/media/video_frame.hpp"
#include "surgilink/media/video_profile.hpp"

namespace surgilink::media {

// Owns a GStreamer pipeline; construct, play and destroy on one thread (GStreamer's threads call back).
class LocalVideoLoop {
 public:
  // Decoded pictures go to `mailbox` without a copy (capture time = the pixel code's time); `on_picture` is
  // called on the streaming thread after each one.
  LocalVideoLoop(const VideoProfile& profile, LatestFrameMailbox& mailbox, std::function<void()> on_picture);
  // Decoded pictures go to the GStreamer video sink `sink_factory` (e.g. "qml6glsink"), which draws them
  // into `widget` (its "widget" property: a toolkit item, opaque here). Throws if the element is missing.
  LocalVideoLoop(const VideoProfile& profile, const std::string& sink_factory, void* widget);
  // A native window of the toolkit's (an X11 window id) for a plain GStreamer video sink.
  struct NativeWindow {
    std::uintptr_t handle = 0;
    int width = 0, height = 0;  // its size in pixels, for a sink that cannot scale (ximagesink)
  };
  // Decoded pictures go to the plain GStreamer video sink `sink_factory` (glimagesink, xvimagesink,
  // ximagesink), which draws them into `window` (GstVideoOverlay). Throws if the element is missing.
  LocalVideoLoop(const VideoProfile& profile, const std::string& sink_factory, NativeWindow window);
  ~LocalVideoLoop();
  LocalVideoLoop(const LocalVideoLoop&) = delete;
  LocalVideoLoop& operator=(const LocalVideoLoop&) = delete;

  // Throws std::runtime_error if the pipeline refuses to start.
  void play();
  // The first error GStreamer reported, if any (any thread).
  std::optional<std::string> error() const;
  // Pictures that reached the video sink (a plain sink draws each one it gets). Any thread.
  std::uint64_t pictures_to_sink() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Loads the plugin behind `factory` by making one element of it (which registers e.g. qml6glsink's QML
// types); false when GStreamer has no such element.
bool load_gstreamer_element(const std::string& factory);

}  // namespace surgilink::media
