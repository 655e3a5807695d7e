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
#include "surgilink/media/plain_rtp_path.hpp"
#include "surgilink/media/video_frame.hpp"

namespace surgilink::media {

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
  // from every frame (cheap: it samples a few dozen blocks). `plain` (benchmark baselines only) makes the
  // pipeline read plain RTP from GStreamer's udpsrc or srtsrc instead of push_rtp(); its frames carry no
  // metadata capture time, only the pixel code.
  ReceiverPipeline(const core::Clock& clock, ReceiverPipelineListener& listener, LatestFrameMailbox& mailbox,
                   int payload_type, bool read_pixel_code, std::optional<PlainRtpPath> plain = std::nullopt);
  ~ReceiverPipeline();
  ReceiverPipeline(const ReceiverPipeline&) = delete;
  ReceiverPipeline& operator=(const ReceiverPipeline&) = delete;

  // Loads every element a receiver pipeline is made of. Building the first pipeline of a process took
  // 60-110 ms here (the H.264 decoder's libraries load); a console does it before it connects, so a sender's
  // welcome does not hold the network thread while the joining keyframe waits in the socket. Throws
  // std::runtime_error naming a missing element.
  static void load_elements();

  void start();
  void stop();
  // Feeds one plain RTP packet of the frame captured at `capture_time`. Network thread only.
  void push_rtp(std::span<const std::uint8_t> packet, core::CaptureTime capture_time);
  // With a plain path: the gaps in what reached the depacketizer so far. Any thread.
  PlainRtpCounts plain_counts() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace surgilink::media
