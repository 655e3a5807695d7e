#pragma once
// One side's voice on its way in (DESIGN.md §13): per talker (RTP SSRC) a bounded jitter buffer → Opus
// decoder with loss concealment (in-band FEC not decoded: it costs a frame); every talker mixed over
// continuous silence → echo probe (the capture's echo canceller hears what the loudspeaker plays) → speaker,
// or a WAV file written in real time, silence included.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/media/audio_endpoint.hpp"
#include "surgilink/media/audio_marker.hpp"
#include "surgilink/media/echo_path.hpp"

namespace surgilink::media {

// Settings of a voice playout.
struct VoicePlayoutSettings {
  AudioEndpoint output{AudioEndpoint::Kind::kDefault, {}};
  int payload_type = 111;
  // How long the jitter buffer waits for a missing packet (its bound: later packets are dropped).
  std::chrono::milliseconds jitter_latency{10};
  std::size_t max_talkers = 8;
  std::string echo_probe = "voice_echo_probe";
  // Bench: find audio markers in what is heard and keep their times.
  bool find_markers = false;
  AudioMarker marker = AudioMarker::kMentor;  // whose code this side hears
  // Tests and bench: what the speaker plays also goes into this simulated loudspeaker→microphone loop.
  std::shared_ptr<EchoPath> echo_path;
};

// Counters (any thread).
struct VoicePlayoutCounters {
  std::atomic<std::uint64_t> packets{0};          // handed to a talker's jitter buffer
  std::atomic<std::uint64_t> refused_packets{0};  // no or bad Opus payload, wrong payload type, no room
  std::atomic<std::uint64_t> talkers{0};
};

// Owner's thread: construct, start, stop. push() and set_playout_delay() from any one thread (the network
// thread).
class VoicePlayout {
 public:
  // Builds the pipeline; throws std::runtime_error when an element is missing.
  explicit VoicePlayout(VoicePlayoutSettings settings, const core::Clock& clock);
  ~VoicePlayout();
  VoicePlayout(const VoicePlayout&) = delete;
  VoicePlayout& operator=(const VoicePlayout&) = delete;

  // False (reason in `why`) when the output cannot be opened: the session goes on without sound.
  bool start(std::string& why);
  void stop();

  // One authenticated Opus RTP packet (the whole plain packet) of talker `ssrc`, with its capture time on
  // this side's clock when known. False: refused and counted (empty payload, Opus framing that does not add
  // up, wrong payload type, too many talkers, not started).
  bool push(std::uint32_t ssrc, std::uint8_t payload_type, std::span<const std::uint8_t> packet,
            std::optional<core::CaptureTime> captured = std::nullopt);
  // Lip sync: a talker with capture times is heard `delay` after capture, or as soon as its path allows when
  // that is later. Zero (the default): every talker as soon as its path allows.
  void set_playout_delay(std::chrono::milliseconds delay);
  // The mouth-to-ear delay capture-timed sound is played with now (the requested delay before any is heard).
  std::chrono::milliseconds playout_delay() const;

  const VoicePlayoutCounters& counters() const;
  // Packets the jitter buffers gave up on (lost or too late) and concealed, all talkers.
  std::uint64_t concealed_packets() const;
  // The level heard over the last 50 ms (dBFS), for a "mentor speaking" indicator.
  double heard_level_dbfs() const;
  // Markers found in what is heard so far (find_markers): when each was handed to the speaker.
  std::vector<core::CaptureTime> marker_times() const;
  // … of one side's code only (both are looked for).
  std::vector<core::CaptureTime> marker_times(AudioMarker who) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace surgilink::media
