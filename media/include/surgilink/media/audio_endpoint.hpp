#pragma once
// Where a program's voice comes from or goes to: `[audio] input` / `output` and `--audio-in` / `--audio-out`.

#include <string>
#include <string_view>

namespace surgilink::media {

// One sound endpoint as configured: none, the system's default device, a named device, or a WAV file.
struct AudioEndpoint {
  enum class Kind { kNone, kDefault, kDevice, kFile };
  Kind kind = Kind::kNone;
  // kDevice: "pulse:NAME", "alsa:hw:1,0", "pipewire:NAME" or a bare PulseAudio/PipeWire NAME; kFile: the
  // path.
  std::string location;
  bool operator==(const AudioEndpoint&) const = default;
};

// "none" | "default" | "file:PATH.wav" | "alsa:DEVICE" | "pulse:NAME" | "pipewire:NAME" | NAME. Throws
// std::invalid_argument naming the problem (configuration time only).
AudioEndpoint parse_audio_endpoint(std::string_view text);
std::string to_string(const AudioEndpoint& endpoint);

}  // namespace surgilink::media
