#include "console_voice.hpp"

#include <algorithm>
#include <random>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

namespace surgilink::session {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

namespace {
// Speech is louder than this; a quiet room is not (for "you are muted" and the speaking indicators).
constexpr double kSpeakingDbfs = -40.0;
}  // namespace

ConsoleVoice::ConsoleVoice(boost::asio::io_context& io, ConsoleVoiceSettings settings,
                           const core::Clock& clock, const ClockSync& clock_sync)
    : io_(io),
      settings_(std::move(settings)),
      clock_(clock),
      muted_(settings_.start_muted),
      clock_sync_(clock_sync) {}

void ConsoleVoice::start() {
  if (settings_.output.kind == media::AudioEndpoint::Kind::kNone) {
    spdlog::info("voice: no output configured ([audio] output = none): the OR and the mentors are not heard");
    return;
  }
  media::VoicePlayoutSettings ps;
  ps.output = settings_.output;
  ps.jitter_latency = settings_.jitter_latency;
  ps.find_markers = settings_.find_markers;
  ps.marker = media::AudioMarker::kOr;  // a console hears the OR's code
  std::string why;
  try {
    auto playout = std::make_unique<media::VoicePlayout>(ps, clock_);
    if (playout->start(why)) {
      playout_ = std::move(playout);
      spdlog::info("voice: speaker {} ({})", media::to_string(settings_.output),
                   settings_.lip_sync ? "lip sync with the picture" : "lowest latency");
      return;
    }
  } catch (const std::exception& e) {
    why = e.what();
  }
  problem_ = "no sound output: " + why + " - the session goes on without sound";
  spdlog::warn("voice: {}", problem_);
}

void ConsoleVoice::stop() {
  disconnect();
  if (capture_) capture_->stop();
  if (playout_) playout_->stop();
}

void ConsoleVoice::connect(const std::shared_ptr<RealtimeReceiver>& realtime, bool may_speak,
                           std::uint32_t or_voice_ssrc, std::uint8_t payload_type) {
  realtime_ = realtime;
  may_speak_ = may_speak;
  or_voice_ssrc_ = or_voice_ssrc;
  realtime_->add_payload_stream(payload_type, *this);
  if (!may_speak_ || microphone_tried_ || settings_.input.kind == media::AudioEndpoint::Kind::kNone) return;
  // A mentor's microphone opens once, at the first admission, and stays open across reconnections.
  microphone_tried_ = true;
  media::VoiceCaptureSettings cs;
  cs.input = settings_.input;
  std::random_device random;
  cs.ssrc = random();
  cs.first_sequence = static_cast<std::uint16_t>(random());
  cs.echo_cancel = settings_.echo_cancel && playout_ != nullptr;
  cs.find_markers = settings_.find_markers;
  cs.marker = media::AudioMarker::kMentor;
  std::string why;
  try {
    auto capture = std::make_unique<media::VoiceCapture>(cs, clock_, *this);
    capture->set_muted(muted_);
    if (capture->start(why)) {
      capture_ = std::move(capture);
      spdlog::info("voice: microphone {}{}{}", media::to_string(settings_.input),
                   cs.echo_cancel ? ", echo cancelled" : "", muted_ ? " (muted)" : "");
      return;
    }
  } catch (const std::exception& e) {
    why = e.what();
  }
  // After "no sound output", if that was said: both are true.
  problem_ =
      (problem_.empty() ? "" : problem_ + "; ") + "no microphone: " + why + " - the mentor is not heard";
  spdlog::warn("voice: {}", problem_);
}

void ConsoleVoice::disconnect() { realtime_.reset(); }

void ConsoleVoice::set_muted(bool muted) {
  muted_ = muted;
  if (capture_) capture_->set_muted(muted);
}

void ConsoleVoice::follow_picture(nanoseconds video_g2g) {
  if (!playout_ || !settings_.lip_sync || video_g2g <= nanoseconds{0}) return;
  // The OR's voice is scheduled by its capture time: heard as long after capture as the picture is seen (the
  // playout keeps what its path needs when that is longer).
  playout_->set_playout_delay(std::chrono::duration_cast<milliseconds>(video_g2g));
}

void ConsoleVoice::on_rtp(const media::RtpHeader& header, std::span<const std::uint8_t> packet,
                          core::CaptureTime arrival, std::size_t) {
  ++packets_received_;
  std::optional<core::CaptureTime> captured;
  if (header.ssrc == or_voice_ssrc_ && header.capture_ntp && clock_sync_.synced()) {
    captured = clock_sync_.to_local(core::from_ntp64(*header.capture_ntp));
    arrival_.add(arrival - *captured);
  }
  if (playout_) playout_->push(header.ssrc, header.payload_type, packet, captured);
}

void ConsoleVoice::on_voice_packets(media::EncodedPackets packets) {
  boost::asio::post(io_, [self = shared_from_this(), p = std::move(packets)] { self->send(p); });
}

void ConsoleVoice::send(const media::EncodedPackets& packets) {
  if (!realtime_) return;
  for (const auto& packet : packets.packets) {
    if (packet.size() + media::kTimingExtensionSize + media::kSrtpMaxTrailer > send_buffer_.size()) continue;
    std::copy(packet.begin(), packet.end(), send_buffer_.begin());
    auto extended = media::add_timing_extension(
        send_buffer_, packet.size(), core::to_ntp64(packets.capture_time), core::to_ntp64(clock_.now()));
    if (realtime_->send_rtp(send_buffer_, extended ? extended.value() : packet.size())) ++packets_sent_;
  }
}

void ConsoleVoice::on_voice_level(double rms_dbfs, double) {
  level_dbfs_.store(rms_dbfs, std::memory_order_relaxed);
}

void ConsoleVoice::on_voice_problem(std::string text, bool fatal) {
  boost::asio::post(io_, [self = shared_from_this(), text = std::move(text), fatal] {
    if (fatal) {
      self->problem_ = "microphone failed: " + text;
      spdlog::error("voice: {}", self->problem_);
    } else {
      spdlog::warn("voice: {}", text);
    }
  });
}

ConsoleVoiceStatus ConsoleVoice::status() const {
  ConsoleVoiceStatus s;
  s.speaker = playout_ != nullptr;
  s.microphone = capture_ != nullptr;
  s.muted = muted_;
  s.level_dbfs = capture_ ? level_dbfs_.load(std::memory_order_relaxed) : -180.0;
  s.speaking_while_muted = capture_ && muted_ && s.level_dbfs > kSpeakingDbfs;
  s.heard_level_dbfs = playout_ ? playout_->heard_level_dbfs() : -180.0;
  s.lip_sync = settings_.lip_sync;
  s.playout_delay_ms = playout_ ? static_cast<double>(playout_->playout_delay().count()) : 0.0;
  s.problem = problem_;
  s.packets_sent = packets_sent_;
  s.packets_received = packets_received_;
  s.concealed = playout_ ? playout_->concealed_packets() : 0;
  s.refused = playout_ ? playout_->counters().refused_packets.load() : 0;
  return s;
}

std::vector<core::CaptureTime> ConsoleVoice::markers_spoken() const {
  return capture_ ? capture_->marker_times() : std::vector<core::CaptureTime>{};
}
std::vector<core::CaptureTime> ConsoleVoice::mentor_markers_heard() const {
  return playout_ ? playout_->marker_times(media::AudioMarker::kMentor) : std::vector<core::CaptureTime>{};
}
std::vector<core::CaptureTime> ConsoleVoice::markers_heard() const {
  return playout_ ? playout_->marker_times() : std::vector<core::CaptureTime>{};
}

}  // namespace surgilink::session
