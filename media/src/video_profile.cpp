#include "surgilink/media/video_profile.hpp"

#include <stdexcept>

namespace surgilink::media {

VideoProfile video_profile(const std::string& name) {
  // Bitrates: enough for x264 ultrafast to keep surgical detail; the pixel code survives far lower.
  if (name == "720p30") return {name, 1280, 720, 30, 3000};
  if (name == "1080p30") return {name, 1920, 1080, 30, 6000};
  if (name == "1080p60") return {name, 1920, 1080, 60, 9000};
  throw std::invalid_argument("unknown video profile '" + name + "' (use 720p30, 1080p30 or 1080p60)");
}

VideoSource parse_video_source(const std::string& text) {
  if (text == "synthetic") return {VideoSource::Kind::kSynthetic, {}};
  if (text == "testsrc") return {VideoSource::Kind::kTestSrc, {}};
  if (text.starts_with("file:") && text.size() > 5) return {VideoSource::Kind::kFile, text.substr(5)};
  if (text.starts_with("v4l2:") && text.size() > 5) return {VideoSource::Kind::kV4l2, text.substr(5)};
  throw std::invalid_argument("unknown video source '" + text +
                              "' (use synthetic, testsrc, file:PATH or v4l2:/dev/videoN)");
}

std::string to_string(const VideoSource& source) {
  switch (source.kind) {
    case VideoSource::Kind::kSynthetic:
      return "synthetic";
    case VideoSource::Kind::kTestSrc:
      return "testsrc";
    case VideoSource::Kind::kFile:
      return "file:" + source.location;
    case VideoSource::Kind::kV4l2:
      return "v4l2:" + source.location;
  }
  return "?";
}

}  // namespace surgilink::media
