#pragma once
// Private to media/: one Matroska segment being written (appsrc -> h264parse -> matroskamux -> filesink; for
// a voice file appsrc -> matroskamux -> filesink), used by the recorder and by the recovery of a file a crash
// left open.

#include <gst/gst.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "gst_ref.hpp"
#include "surgilink/core/capture_clock.hpp"

namespace surgilink::media {

// One thread at a time.
class SegmentWriter {
 public:
  // Opens `file` (created 0600) for H.264 or Opus (audio/x-opus) of `caps`; the segment's date (Matroska
  // DateUTC) is the capture time of its first frame, so a segment still says when it was captured without its
  // manifest. Nullptr with `why` when it cannot.
  static std::unique_ptr<SegmentWriter> open(const std::filesystem::path& file, GstCaps* caps,
                                             core::CaptureTime first, std::string* why);
  ~SegmentWriter();
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  // Writes one access unit (a reference is taken; the buffer itself is not changed) captured at `capture`.
  // Timestamps strictly increase, even for two frames captured within the same microsecond or out of order,
  // so that players and demuxers never see two frames at one time. Video whose caps name a frame rate is put
  // on that rate's grid (the one its H.264 headers declare, which players and converters such as ffmpeg
  // round every frame to): each frame at the last tick at or before its capture time, and at least one tick
  // after the frame before, so that two frames captured closer than a frame interval never fall on one tick.
  // Other streams (Opus, video without a frame rate) keep their capture times at the file's 1 µs resolution.
  // False when the writer refused it.
  bool push(GstBuffer* buffer, core::CaptureTime capture);
  // The muxer's or the file's error, if one happened (does not wait).
  std::optional<std::string> failure();
  // Ends the stream and waits (at most `wait`) until the muxer has written the file out in full. False with
  // `why` on an error or when the muxer did not finish in time.
  bool finish(std::chrono::nanoseconds wait, std::string* why);

  const std::filesystem::path& file() const { return file_; }
  core::CaptureTime first() const { return first_; }
  std::uint64_t frames() const { return frames_; }
  std::uint64_t bytes_pushed() const { return bytes_; }

 private:
  SegmentWriter() = default;

  std::filesystem::path file_;
  core::CaptureTime first_{};
  GstObjectRef<GstElement> pipeline_;
  GstObjectRef<GstElement> source_;
  std::optional<std::chrono::microseconds> last_pts_;
  // The frame rate of the grid video frames are put on (numerator, denominator), and the last tick used.
  std::optional<std::pair<std::uint64_t, std::uint64_t>> frame_rate_;
  std::optional<std::uint64_t> last_tick_;
  std::uint64_t frames_ = 0;
  std::uint64_t bytes_ = 0;
  bool ended_ = false;
};

// A reader of a recorded segment, "filesrc ! matroskademux ! `tail`", built but not started; null with `why`
// when it cannot be built.
GstObjectRef<GstElement> segment_reader(const std::filesystem::path& file, const char* tail,
                                        std::string* why);

// The text of a GStreamer error message.
std::string error_text(GstMessage* message);

// Waits at most `wait` for a message of type `done` (ASYNC_DONE, EOS) on `pipeline`'s bus. False with `why`:
// the error's text when an error came first, `late` when nothing came in time.
bool wait_for_bus(GstElement* pipeline, GstMessageType done, std::chrono::nanoseconds wait,
                  const std::string& late, std::string* why);

}  // namespace surgilink::media
