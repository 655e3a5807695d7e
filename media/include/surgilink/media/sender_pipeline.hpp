#pragma once
// The OR side's GStreamer pipeline: source -> tee -> (OR display branch | H.264 encoder -> RTP packetizer).
// Each frame is stamped with its capture time where it enters the pipeline; encoded RTP packets leave through
// a listener, never through a socket, so all networking stays on the Asio thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/media/plain_rtp_path.hpp"
#include "surgilink/media/video_frame.hpp"
#include "surgilink/media/video_profile.hpp"

namespace surgilink::media {

class SegmentRecorder;
class SyntheticTruth;

// What the OR side draws over its own display only (annotations, alarm badges): the mentor gets the clean
// picture. Called on the display branch's streaming thread, so it must not block or wait on the network.
class OrDisplayOverlay {
 public:
  virtual ~OrDisplayOverlay() = default;
  // Sees every display frame first, whether or not anything is drawn (motion tracking needs them all).
  virtual void observe(const VideoFrame& /*frame*/) {}
  // False: nothing to draw now, and the picture goes to the display untouched (no copy).
  virtual bool has_content() const = 0;
  // Draws onto a private copy of the picture captured at `capture_time`.
  virtual void draw(I420Picture picture, core::CaptureTime capture_time) = 0;
};

// Plain RTP packets of one encoded frame (or part of one), as the packetizer produced them.
struct EncodedPackets {
  core::CaptureTime capture_time{};
  std::vector<std::vector<std::uint8_t>> packets;  // each has kSrtpMaxTrailer + extension room reserved
};

// Called on GStreamer streaming threads: implementations must only hand the data over (asio::post) and
// return.
class SenderPipelineListener {
 public:
  virtual ~SenderPipelineListener() = default;
  virtual void on_encoded_packets(EncodedPackets packets) = 0;
  // An error or end of stream from the pipeline (text for the log); the owner decides what to do.
  virtual void on_pipeline_problem(std::string text, bool fatal) = 0;
  // A looped file source reached its end: call SenderPipeline::rewind() from a non-streaming thread.
  virtual void on_source_segment_done() {}
  // The OR display branch composed a new picture (the same one or_display() now holds): an OR window takes
  // it from here, a pointer and no copy. Called on the display branch's streaming thread.
  virtual void on_or_display_picture(const std::shared_ptr<const VideoFrame>& /*picture*/) {}
};

// Settings of the sender pipeline.
struct SenderPipelineSettings {
  VideoProfile profile;
  VideoSource source;
  std::uint64_t seed = 1;
  bool pixel_code = true;  // draw the pixel timestamp code into each frame
  std::chrono::seconds keyframe_interval{2};
  // Periodic intra refresh instead of periodic IDRs: a column of intra blocks sweeps the picture once per
  // keyframe_interval, so every frame is about the same size and no keyframe burst crosses a narrow link.
  // Joins, loss reports and recording segments still get IDRs on request.
  bool intra_refresh = false;
  // The encoder's rate buffer (x264's VBV), as time at the bitrate: the most one frame may exceed its share.
  // x264enc's 600-ms default let a keyframe carry ~0.6 s of bits; sent at the link's rate it held the
  // pictures behind it (1080p30 on loopback: p99 75 ms against 25; across `rural`: 8.6 % frozen against 3.3
  // %).
  std::chrono::milliseconds rate_buffer{200};
  std::uint32_t ssrc = 0;
  std::uint16_t first_sequence = 0;
  int rtp_payload_type = 96;
  int max_rtp_size = 1160;  // before extension (24) and SRTP tag (16): on the wire <= 1200
  // Benchmark baselines only: plain RTP straight out of GStreamer's udpsink or srtsink (no SRTP, no Asio, no
  // listener), so the bench can compare SurgiLink against the bare pipeline and SRT. None: SurgiLink's path.
  std::optional<PlainRtpPath> plain;
  // Gets every encoded frame through a branch that drops rather than waits (DESIGN.md §8); it decides
  // whether to write. Null: no recording branch at all.
  std::shared_ptr<SegmentRecorder> recorder;
};

// Counters of the sender pipeline (read from any thread).
struct SenderPipelineCounters {
  std::atomic<std::uint64_t> frames_captured{0};
  std::atomic<std::uint64_t> frames_displayed{0};  // reached the OR display branch's sink
  std::atomic<std::uint64_t> keyframes_forced{0};
  std::atomic<std::uint32_t> bitrate_kbps{0};  // the encoder's target now
};

class SenderPipeline {
 public:
  // Builds the pipeline; throws std::runtime_error if an element is missing or the source cannot be set up.
  SenderPipeline(SenderPipelineSettings settings, const core::Clock& clock, SenderPipelineListener& listener);
  ~SenderPipeline();
  SenderPipeline(const SenderPipeline&) = delete;
  SenderPipeline& operator=(const SenderPipeline&) = delete;

  // Starts streaming; throws if the pipeline refuses to play. Any thread (the owner's).
  void start();
  void stop();
  // Asks the encoder for an IDR frame as soon as possible. Any thread.
  void request_keyframe();
  // The encoded stream's picture size, frame rate and bitrate from now on (congestion control, the video
  // ladder): a new bitrate applies from the next frame; a new size or rate renegotiates the encoder, which
  // starts again with a keyframe carrying the new size. The OR display and the recording's capture are
  // untouched. Any thread.
  void set_encoding(int width, int height, int fps, std::uint32_t bitrate_kbps);
  // Restarts a looped file source from its beginning; call from the owner's thread, never a streaming thread.
  void rewind();

  // Draws `overlay` over the OR display's pictures (never over the encoded stream). Set before start().
  void set_or_display_overlay(std::shared_ptr<OrDisplayOverlay> overlay);
  // The OR display branch's newest picture (before encoding); the surgeon's monitor reads it.
  const LatestFrameMailbox& or_display() const;
  // With the synthetic source: what each captured frame really showed (for measuring anchoring); else null.
  std::shared_ptr<const SyntheticTruth> synthetic_truth() const;
  const SenderPipelineCounters& counters() const;
  const SenderPipelineSettings& settings() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Initialises GStreamer once per process (safe to call repeatedly, from any thread).
void initialise_gstreamer();

}  // namespace surgilink::media
