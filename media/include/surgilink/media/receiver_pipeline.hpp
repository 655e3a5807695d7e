#pragma once
// The console's GStreamer pipeline: plain RTP packets (already unprotected and reordered on the network
// thread) -> H.264 depacketizer -> decoder -> latest-frame mailbox.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::media {

// A decoded I420 picture; holds a reference on GStreamer's buffer, so no pixel is copied. Any thread.
class VideoFrame {
 public:
  struct Storage;
  VideoFrame(std::shared_ptr<Storage> storage, int width, int height, core::CaptureTime capture_time);
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
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const VideoFrame> frame_;
  std::atomic<std::uint64_t> generation_{0};
};

// What the decoder produced for one frame (posted to the network thread by the listener).
struct DecodedFrameInfo {
  core::CaptureTime capture_time{};  // from the frame's metadata (RTP header extension)
  core::CaptureTime decoded_at{};
  std::optional<std::int64_t> pixel_capture_us;  // read from the pixel timestamp code, if present and intact
};

// Called on the decoder's streaming thread: hand over and return.
class ReceiverPipelineListener {
 public:
  virtual ~ReceiverPipelineListener() = default;
  virtual void on_frame_decoded(const DecodedFrameInfo& info) = 0;
  virtual void on_pipeline_problem(std::string text, bool fatal) = 0;
};

class ReceiverPipeline {
 public:
  // Throws std::runtime_error if an element is missing. `read_pixel_code` decodes the pixel timestamp code
  // from every frame (cheap: it samples a few dozen blocks). `plain_udp_port` (benchmark baseline only) makes
  // the pipeline read plain RTP from GStreamer's udpsrc instead of push_rtp(); its frames carry no metadata
  // capture time, only the pixel code.
  ReceiverPipeline(const core::Clock& clock, ReceiverPipelineListener& listener, LatestFrameMailbox& mailbox,
                   int payload_type, bool read_pixel_code, int plain_udp_port = 0);
  ~ReceiverPipeline();
  ReceiverPipeline(const ReceiverPipeline&) = delete;
  ReceiverPipeline& operator=(const ReceiverPipeline&) = delete;

  void start();
  void stop();
  // Feeds one plain RTP packet of the frame captured at `capture_time`. Network thread only.
  void push_rtp(std::span<const std::uint8_t> packet, core::CaptureTime capture_time);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace surgilink::media
