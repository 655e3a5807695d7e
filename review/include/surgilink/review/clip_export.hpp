#pragma once
// Export of a clip of a recorded case (issue 16): the pictures between two times with the annotations the OR
// had burnt in (the OR display's annotation layer) and, to de-identify it, a rectangle blurred for the whole
// clip, with the recorded voice (the OR and every mentor, mixed) at its capture times as the sound track; MP4
// (H.264, AAC) that plays in ordinary players and browsers, named by the case pseudonym only.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "surgilink/review/recorded_case.hpp"

namespace surgilink::review {

// Plain value type.
struct ClipRequest {
  core::CaptureTime from{}, to{};
  std::filesystem::path out;
  std::optional<cv::Rect> blur;  // pixels of the recorded picture; blurred in every frame
  bool voice = true;             // the recorded voice (every talker, mixed) as the clip's sound track
};

// What was written. Plain value type.
struct ClipResult {
  std::uint64_t frames = 0;
  std::chrono::nanoseconds duration{0};     // first to last picture of the clip
  std::string comment;                      // the clip's metadata comment (says whether a blur was applied)
  std::chrono::nanoseconds sound{0};        // length of the sound track (0: none)
  std::vector<std::string> talkers;         // whose voice is in it
  std::vector<std::string> voice_problems;  // voice files that could not be read (left out of the sound)
};

// Writes the clip. Nullopt with `why` when nothing of the recording lies between the times, a segment cannot
// be decoded, the blur rectangle is outside the picture, or the file cannot be written. Blocking; any thread.
std::optional<ClipResult> export_clip(const RecordedCase& recorded, const ClipRequest& request,
                                      std::string* why);

}  // namespace surgilink::review
