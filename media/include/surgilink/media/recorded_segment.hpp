#pragma once
// Reading a recorded Matroska segment back (review, export, recovery): when it was captured, and its
// pictures decoded from any point, each with its capture time.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/media/video_frame.hpp"

namespace surgilink::media {

// The capture time of a segment's first frame as the segment itself says it (its Matroska DateUTC, which
// the recorder sets to it, to the microsecond), so that a segment still tells when it was captured without
// its manifest. Nullopt when the file cannot be read or has no date. Blocking; any thread.
std::optional<core::CaptureTime> recorded_segment_start(const std::filesystem::path& file);

// One picture of a recording as it was captured, decoded. Plain value type; any thread.
struct RecordedPicture {
  cv::Mat bgr;                  // CV_8UC3, the frame's size
  core::CaptureTime capture{};  // its capture time (the segment's first capture + its time in the file)
};

// The picture on the screen at capture time `at` in the segment `file` whose first frame was captured at
// `first`: the last frame captured at or before `at` (the first frame for a time before it, the last for a
// time after the end). Seeks to the keyframe before it and decodes from there, as recorded (no re-encode).
// For a recording made with intra refresh (RecordingManifest::intra_refresh), `refresh_wave`: the seek goes
// that much further back, so that the wave that makes the picture whole has passed by `at`. Nullopt with
// `why` when the file cannot be read or holds no picture there. Blocking; any thread.
std::optional<RecordedPicture> recorded_picture_at(const std::filesystem::path& file, core::CaptureTime first,
                                                   core::CaptureTime at, std::string* why,
                                                   std::chrono::nanoseconds refresh_wave = {});

// Every picture of the segment `file` (first frame captured at `first`) captured from `from` to `to`
// (inclusive), in order, decoded from the keyframe at or before `from` (`refresh_wave` before it: as for
// recorded_picture_at); `each` may keep or change the picture and returns false to stop. False with `why`
// when the file cannot be read. Blocking; any thread.
bool for_each_recorded_picture(const std::filesystem::path& file, core::CaptureTime first,
                               core::CaptureTime from, core::CaptureTime to,
                               const std::function<bool(RecordedPicture&)>& each, std::string* why,
                               std::chrono::nanoseconds refresh_wave = {});

}  // namespace surgilink::media
