#pragma once
// Reading a recorded Matroska segment back (review, export, recovery): when it was captured, and its
// pictures decoded from any point, each with its capture time.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/media/video_frame.hpp"

namespace surgilink::media {

// The capture time of a segment's first frame as the segment itself says it (its Matroska DateUTC, which
// the recorder sets to it, to the microsecond), so that a segment still tells when it was captured without
// its manifest. Nullopt when the file cannot be read or has no date. Blocking; any thread.
std::optional<core::CaptureTime> recorded_segment_start(const std::filesystem::path& file);

}  // namespace surgilink::media
