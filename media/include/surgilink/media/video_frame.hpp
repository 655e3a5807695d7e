#pragma once
// Decoded or captured pictures shared between threads without copying, and the latest-frame mailbox that
// hands them from a streaming thread to a display.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::media {

// Writable I420 planes of a picture (an overlay draws into it). Plain view; the owner keeps the pixels.
struct I420Picture {
  std::uint8_t* planes[3] = {nullptr, nullptr, nullptr};  // Y, U, V
  int strides[3] = {0, 0, 0};
  int width = 0;
  int height = 0;
};

// A decoded I420 picture; holds a reference on GStreamer's buffer, so no pixel is copied. Any thread.
class VideoFrame {
 public:
  struct Storage;
  VideoFrame(std::shared_ptr<Storage> storage, int width, int height, core::CaptureTime capture_time);
  // A private, writable copy of `frame` (tightly packed planes), for drawing over it. Any thread.
  static std::shared_ptr<VideoFrame> copy_of(const VideoFrame& frame);
  // A private, writable frame of tightly packed planes (Y, then U, then V), its pixels not set: for pictures
  // that come from elsewhere than GStreamer (a recording decoded for review). Any thread.
  static std::shared_ptr<VideoFrame> packed(int width, int height, core::CaptureTime capture_time);
  // Writable planes of a frame made by copy_of; planes of nullptr for a frame that wraps GStreamer's buffer.
  I420Picture writable();
  int width() const { return width_; }
  int height() const { return height_; }
  core::CaptureTime capture_time() const { return capture_time_; }
  const std::uint8_t* plane(int index) const;  // 0 = Y, 1 = U, 2 = V
  int stride(int index) const;

 private:
  std::shared_ptr<Storage> storage_;
  int width_;
  int height_;
  core::CaptureTime capture_time_;
};

// Holds only the newest frame: a slow reader skips frames, it never makes a queue grow. Any thread.
class LatestFrameMailbox {
 public:
  void put(std::shared_ptr<const VideoFrame> frame);
  std::shared_ptr<const VideoFrame> latest() const;
  // How many frames were ever put; a reader compares it with the last one it saw.
  std::uint64_t generation() const;
  // Blocks until a frame newer than `seen` is put or `timeout` passes; returns the current generation.
  std::uint64_t wait_newer_than(std::uint64_t seen, std::chrono::milliseconds timeout) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::shared_ptr<const VideoFrame> frame_;
  std::uint64_t generation_ = 0;
};

}  // namespace surgilink::media
