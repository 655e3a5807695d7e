#pragma once
// The sender's recording of what it streams (DESIGN.md §6): the encoded H.264 itself (no second encode),
// in Matroska segments of about a minute that each start at a keyframe, and an index of the segments with
// the capture-clock time of their first and last frame. A segment is closed (written out in full) before
// the next one opens, so a sender that is killed leaves every closed segment playable.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::media {

// What the recorder has done (any thread).
struct RecorderStatus {
  bool recording = false;
  std::filesystem::path folder;       // of the recording open now, or the last one
  std::uint64_t segments_closed = 0;  // of that recording
  std::uint64_t frames_written = 0;
  std::uint64_t frames_skipped = 0;  // before the first keyframe of a recording (not decodable alone)
  std::string last_error;  // the muxer's or the file system's, if any; such an error ends the recording
};

// Any thread may call any method; encoded frames arrive on the sender pipeline's streaming thread.
class SegmentRecorder {
 public:
  // `keyframe_needed` is called (any thread) when a recording starts, so it begins without waiting for
  // the encoder's next periodic keyframe.
  SegmentRecorder(std::chrono::seconds segment_length, std::function<void()> keyframe_needed);
  ~SegmentRecorder();  // stops
  SegmentRecorder(const SegmentRecorder&) = delete;
  SegmentRecorder& operator=(const SegmentRecorder&) = delete;

  // Starts a recording in `folder`, which is created and must not hold one already; the first segment opens
  // at the next keyframe. Returns why it cannot start, or nothing.
  std::optional<std::string> start(const std::filesystem::path& folder);
  // Closes the open segment (waits, at most 2 s, for the muxer to write its end) and the index.
  void stop();
  RecorderStatus status() const;

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace surgilink::media
