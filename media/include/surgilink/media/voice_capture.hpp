#pragma once
// One side's voice on its way out (DESIGN.md §13): microphone (or a WAV file played in real time) → echo
// cancellation, noise suppression, gain control (webrtcdsp) → level meter → Opus (RFC 7587) → RTP packets
// handed to a listener, each with the capture time of its first sample. Never touches a socket.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/media/audio_endpoint.hpp"
#include "surgilink/media/audio_marker.hpp"
#include "surgilink/media/echo_path.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::media {

inline constexpr int kOpusPayloadType = 111;

// Settings of a voice capture.
struct VoiceCaptureSettings {
  AudioEndpoint input{AudioEndpoint::Kind::kDefault, {}};
  std::uint32_t ssrc = 0;
  std::uint16_t first_sequence = 0;
  int payload_type = kOpusPayloadType;
  std::chrono::milliseconds frame{10};  // Opus frame: 10 or 20 ms
  int bitrate_bps = 32000;
  int expected_loss_pct = 5;  // how much in-band FEC Opus spends
  // Echo cancellation needs this process's playout (its webrtcechoprobe of this name); off without one.
  bool echo_cancel = true;
  std::string echo_probe = "voice_echo_probe";
  bool noise_suppression = true;
  bool gain_control = true;
  // Bench: find audio markers in what is spoken (before any processing) and keep their times.
  bool find_markers = false;
  AudioMarker marker = AudioMarker::kOr;  // whose code this side speaks
  // Tests and bench: the microphone also hears this simulated loudspeaker (added before any processing).
  std::shared_ptr<EchoPath> echo_path;
};

// How far the capture's audio processing (WebRTC's, in webrtcdsp) puts the sound behind its timestamps: 334
// samples with noise suppression, 46 without (its band-splitting filter), measured at 48 kHz by
// cross-correlating webrtcdsp's input and output (tests/integration/voice_path_test.cpp checks the
// whole path's timing with it). A
// packet's capture time is its first sample's timestamp less this, so that it says when its sound was spoken.
std::chrono::nanoseconds sound_processing_delay(const VoiceCaptureSettings& settings);

// Told on GStreamer streaming threads: implementations only hand over (asio::post) and return.
class VoiceCaptureListener {
 public:
  virtual ~VoiceCaptureListener() = default;
  // One Opus RTP packet (room reserved for the timing extension and the SRTP tag).
  virtual void on_voice_packets(EncodedPackets packets) = 0;
  // The spoken level every 50 ms, before muting (so "you are muted" can be shown while speaking).
  virtual void on_voice_level(double /*rms_dbfs*/, double /*peak_dbfs*/) {}
  virtual void on_voice_problem(std::string text, bool fatal) = 0;
};

// Counters (any thread).
struct VoiceCaptureCounters {
  std::atomic<std::uint64_t> packets{0};
  std::atomic<std::uint64_t> muted_packets{0};  // encoded but not handed over: spoken while muted
};

// Owner's thread: construct, start, stop; set_muted from any thread.
class VoiceCapture {
 public:
  // Builds the pipeline; throws std::runtime_error when an element is missing or the file cannot be read.
  VoiceCapture(VoiceCaptureSettings settings, const core::Clock& clock, VoiceCaptureListener& listener);
  ~VoiceCapture();
  VoiceCapture(const VoiceCapture&) = delete;
  VoiceCapture& operator=(const VoiceCapture&) = delete;

  // False (with the reason in `why`) when the device cannot be opened: the session goes on without voice.
  bool start(std::string& why);
  void stop();
  // Muted: nothing is sent. Opened again: nothing spoken before that moment is sent either.
  void set_muted(bool muted);
  bool muted() const;

  const VoiceCaptureCounters& counters() const;
  // Markers found in the spoken sound so far (find_markers): when each was spoken, capture clock.
  std::vector<core::CaptureTime> marker_times() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Reads a sound file (WAV, or anything GStreamer decodes) as 48 kHz mono float samples; throws
// std::runtime_error naming the file when it cannot.
std::vector<float> read_sound_file(const std::string& path);

}  // namespace surgilink::media
