#include "surgilink/media/audio_endpoint.hpp"

#include <stdexcept>

namespace surgilink::media {

AudioEndpoint parse_audio_endpoint(std::string_view text) {
  if (text == "none" || text == "off") return {AudioEndpoint::Kind::kNone, {}};
  if (text == "default") return {AudioEndpoint::Kind::kDefault, {}};
  if (text.empty()) {
    throw std::invalid_argument("empty audio device (use default, none, file:PATH.wav or a device name)");
  }
  if (text.substr(0, 5) == "file:") {
    const std::string path(text.substr(5));
    if (path.empty()) throw std::invalid_argument("'file:' needs a path (file:PATH.wav)");
    return {AudioEndpoint::Kind::kFile, path};
  }
  for (const char c : text) {
    // The name goes into a GStreamer property, never into a pipeline description, but a control character
    // in it is a typo, not a device.
    if (static_cast<unsigned char>(c) < 0x20 || c == '"') {
      throw std::invalid_argument("audio device name has a control character or a quote");
    }
  }
  return {AudioEndpoint::Kind::kDevice, std::string(text)};
}

std::string to_string(const AudioEndpoint& e) {
  switch (e.kind) {
    case AudioEndpoint::Kind::kNone:
      return "none";
    case AudioEndpoint::Kind::kDefault:
      return "default";
    case AudioEndpoint::Kind::kFile:
      return "file:" + e.location;
    case AudioEndpoint::Kind::kDevice:
      return e.location;
  }
  return "none";
}

}  // namespace surgilink::media
