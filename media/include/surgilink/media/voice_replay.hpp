#pragma once
// The recorded voice played with a reviewed picture (issue 16): every talker's voice files decoded (each
// packet at its capture time, as media::mix_recorded_voice places them), mixed, and played through the
// console's configured sound output — the same output tail the live voice playout opens — so that the sound
// of capture time c is heard when the review's playback clock shows the picture of c. Paused, stepping
// frames, at a speed other than 1× or muted it plays silence (a `file:` output keeps being written in real
// time, silence included).
//
// Threads: the owner's (construct, start, destroy); follow() and set_muted() from any thread; the voice files
// are decoded on the replay's own thread "review-voice" (a seek never waits for it: until its files are
// decoded the new point is silent); the blocks are mixed on GStreamer's streaming thread of the output, each
// 10 ms block when the output asks for it, so sound decided before a seek or pause is at most ~2 blocks.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/media/audio_endpoint.hpp"
#include "surgilink/media/recording_manifest.hpp"

namespace surgilink::media {

// Where a review's playback is: the picture of capture time `from` was due at `started` (steady clock), and
// the pictures after it follow at `speed` times real time.
struct ReplayClock {
  std::chrono::steady_clock::time_point started;
  core::CaptureTime from;
  double speed = 1;
};

// What the replay does now (any thread).
struct VoiceReplayState {
  bool open = false;         // the output is open and playing
  bool sounding = false;     // a clock at 1×, not muted: recorded voice (or its gaps) is being played
  std::uint64_t blocks = 0;  // 10-ms blocks handed to the output since start, silence included
  std::uint64_t voiced = 0;  // … of which held recorded sound
  std::uint64_t late = 0;    // blocks asked for after they were due (the output's thread fell behind)
  std::vector<std::string> problems;  // voice files that could not be decoded (left out)
};

class VoiceReplay {
 public:
  // The voice files of the recording in `folder` (its manifest's `voice` entries) to `output`. Builds the
  // output; throws std::runtime_error when an element is missing or the system has no default sound device.
  VoiceReplay(std::filesystem::path folder, std::vector<ManifestSegment> files, AudioEndpoint output);
  // Stops the output (a WAV file gets its sizes) and joins the decoder thread.
  ~VoiceReplay();
  VoiceReplay(const VoiceReplay&) = delete;
  VoiceReplay& operator=(const VoiceReplay&) = delete;

  // Opens the output; false with `why` when it cannot be opened (no such sound device): then it stays silent.
  bool start(std::string& why);

  // The playback clock of request `request` (requests are numbered as they are made, newest highest; a
  // request older than one already followed is ignored), or none: silence (paused, showing one picture,
  // stepping, the end reached).
  void follow(std::uint64_t request, std::optional<ReplayClock> clock);
  void set_muted(bool muted);
  // How long after it is due a picture reaches the screen (the window's hand-over and drawing, measured by
  // the owner): the sound of a moment is played that much later too, with its picture.
  void set_picture_delay(std::chrono::nanoseconds delay);

  VoiceReplayState state() const;
  // When the output played (or, for a file, wrote) its first sample, on the steady clock; sample n of a
  // `file:` output was played n/48000 s later. None before the first block.
  std::optional<std::chrono::steady_clock::time_point> first_sample_played() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace surgilink::media
