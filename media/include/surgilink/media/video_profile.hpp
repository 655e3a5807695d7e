#pragma once
// Picture size, frame rate and encoder bitrate of a stream, and where its frames come from.

#include <cstdint>
#include <string>

namespace surgilink::media {

// A named video format: "720p30", "1080p30" (default), "1080p60".
struct VideoProfile {
  std::string name;
  int width = 0;
  int height = 0;
  int fps = 0;
  int bitrate_kbps = 0;
};
// Throws std::invalid_argument naming the allowed profiles.
VideoProfile video_profile(const std::string& name);

// Where the sender's frames come from: "synthetic", "testsrc", "file:PATH" (looped), "v4l2:/dev/videoN".
struct VideoSource {
  enum class Kind { kSynthetic, kTestSrc, kFile, kV4l2 };
  Kind kind = Kind::kSynthetic;
  std::string location;  // file path or device
};
// Throws std::invalid_argument for an unknown form.
VideoSource parse_video_source(const std::string& text);
std::string to_string(const VideoSource& source);

}  // namespace surgilink::media
