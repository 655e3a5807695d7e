#pragma once
// The OR's voice (DESIGN.md §13): the room's microphone (echo-cancelled against the room's speaker) to every
// console through the session; every mentor's voice, mixed, to the room's speaker. A missing sound device is
// said once and the OR goes on without sound.

#include <atomic>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json_fwd.hpp>

#include "case_recording.hpp"
#include "sender_settings.hpp"
#include "surgilink/media/voice_capture.hpp"
#include "surgilink/media/voice_playout.hpp"
#include "surgilink/session/sender_session.hpp"

namespace surgilink::sender {

// Network thread, except the capture's callbacks (GStreamer threads), which only post.
class OrVoice : public media::VoiceCaptureListener {
 public:
  // `ssrc`: the OR voice's, as the session announces it in the welcome. What the microphone sends also goes
  // to `recording` (recorded while the case is).
  OrVoice(boost::asio::io_context& io, OrVoiceSettings settings, std::uint32_t ssrc, const core::Clock& clock,
          session::SenderSession& session, CaseRecording& recording);
  ~OrVoice() override;
  // Opens the speaker, then the microphone (its echo canceller listens to the speaker).
  void start();
  void stop();

  // A mentor's voice packet for the room's speaker.
  void hear(std::uint32_t ssrc, std::span<const std::uint8_t> packet);
  // The OR's microphone muted or open: audited with what did it ("key m", "touch", "socket"). Returns the
  // reply for the surgeon's controls.
  std::string set_muted(bool muted, const std::string& by);
  bool muted() const { return muted_; }
  bool microphone_open() const { return capture_ != nullptr; }
  bool speaker_open() const { return playout_ != nullptr; }
  // A mentor is heard in the room now (the OR display says "MENTOR SPEAKING").
  bool mentor_speaking() const;

  nlohmann::json status_json() const;
  // For the report: the audio timestamp code's markers spoken and heard here (find_markers).
  nlohmann::json report_json() const;

  // media::VoiceCaptureListener
  void on_voice_packets(media::EncodedPackets packets) override;
  void on_voice_level(double rms_dbfs, double peak_dbfs) override;
  void on_voice_problem(std::string text, bool fatal) override;

 private:
  boost::asio::io_context& io_;
  OrVoiceSettings settings_;
  const core::Clock& clock_;
  session::SenderSession& session_;
  CaseRecording& recording_;
  std::unique_ptr<media::VoicePlayout> playout_;
  std::unique_ptr<media::VoiceCapture> capture_;
  std::uint32_t ssrc_;
  bool muted_;
  bool stopped_ = false;
  std::string problem_;
  std::atomic<double> level_dbfs_{-180.0};
};

}  // namespace surgilink::sender
