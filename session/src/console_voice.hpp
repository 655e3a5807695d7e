#pragma once
// The console's voice (DESIGN.md §13): the OR's voice and the other mentors' from the realtime channel into
// the playout (lip-synced to the picture or at once), and — for a mentor — the microphone out through the
// same SRTP session. Private to session/.

#include <atomic>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <boost/asio/io_context.hpp>

#include "realtime_receiver.hpp"
#include "surgilink/core/fault.hpp"
#include "surgilink/core/latency_statistics.hpp"
#include "surgilink/media/voice_capture.hpp"
#include "surgilink/media/voice_playout.hpp"
#include "surgilink/session/clock_sync.hpp"
#include "surgilink/session/console_session.hpp"

namespace surgilink::session {

// Network thread, except the capture's callbacks (GStreamer threads), which only post. Held by shared_ptr.
class ConsoleVoice : public std::enable_shared_from_this<ConsoleVoice>,
                     public RealtimeReceiver::Stream,
                     public media::VoiceCaptureListener {
 public:
  // `clock_sync`: the session's (it outlives this), to age the OR's voice on arrival.
  ConsoleVoice(boost::asio::io_context& io, ConsoleVoiceSettings settings, const core::Clock& clock,
               const ClockSync& clock_sync);
  // Opens the speaker; without one the console says so and goes on.
  void start();
  void stop();
  // Admitted: voice packets come through `realtime`; a mentor's microphone opens (once) and sends.
  void connect(const std::shared_ptr<RealtimeReceiver>& realtime, bool may_speak, std::uint32_t or_voice_ssrc,
               std::uint8_t payload_type);
  void disconnect();
  void set_muted(bool muted);
  // Lip sync: the picture is shown `video_g2g` after capture; the OR's voice is delayed to match.
  void follow_picture(std::chrono::nanoseconds video_g2g);

  ConsoleVoiceStatus status() const;
  std::vector<core::CaptureTime> markers_spoken() const;
  std::vector<core::CaptureTime> markers_heard() const;         // the OR's code
  std::vector<core::CaptureTime> mentor_markers_heard() const;  // other mentors' code, relayed
  core::LatencySummary arrival_summary() const { return arrival_.summary(); }

  // RealtimeReceiver::Stream
  void on_rtp(const media::RtpHeader& header, std::span<const std::uint8_t> packet, core::CaptureTime arrival,
              std::size_t wire_bytes) override;
  // media::VoiceCaptureListener (GStreamer threads)
  void on_voice_packets(media::EncodedPackets packets) override;
  void on_voice_level(double rms_dbfs, double peak_dbfs) override;
  void on_voice_problem(std::string text, bool fatal) override;

 private:
  void send(const media::EncodedPackets& packets);

  boost::asio::io_context& io_;
  ConsoleVoiceSettings settings_;
  const core::Clock& clock_;
  std::unique_ptr<media::VoicePlayout> playout_;
  std::unique_ptr<media::VoiceCapture> capture_;
  std::shared_ptr<RealtimeReceiver> realtime_;
  std::uint32_t or_voice_ssrc_ = 0;
  bool may_speak_ = false;
  bool muted_ = false;
  bool microphone_tried_ = false;
  std::string problem_;
  std::atomic<double> level_dbfs_{-180.0};
  std::uint64_t packets_sent_ = 0, packets_received_ = 0;
  const ClockSync& clock_sync_;
  core::LatencySeries arrival_;  // OR voice: captured (sender clock) -> arrived (console clock)
  std::vector<std::uint8_t> send_buffer_ = std::vector<std::uint8_t>(2048);
};

}  // namespace surgilink::session
