#include "or_voice.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "surgilink/media/rtp_packet.hpp"

namespace surgilink::sender {

namespace {
constexpr double kSpeakingDbfs = -40.0;

nlohmann::json times_json(const std::vector<core::CaptureTime>& times) {
  auto out = nlohmann::json::array();
  for (const auto t : times) out.push_back(std::chrono::duration<double>(t.time_since_epoch()).count());
  return out;
}
}  // namespace

OrVoice::OrVoice(boost::asio::io_context& io, OrVoiceSettings settings, std::uint32_t ssrc,
                 const core::Clock& clock, session::SenderSession& session, CaseRecording& recording)
    : io_(io),
      settings_(std::move(settings)),
      clock_(clock),
      session_(session),
      recording_(recording),
      ssrc_(ssrc),
      muted_(settings_.start_muted) {}

OrVoice::~OrVoice() { stop(); }

void OrVoice::start() {
  using Kind = media::AudioEndpoint::Kind;
  std::string why;
  if (settings_.output.kind != Kind::kNone) {
    media::VoicePlayoutSettings ps;
    ps.output = settings_.output;
    ps.jitter_latency = settings_.jitter_latency;
    ps.find_markers = settings_.find_markers;
    ps.marker = media::AudioMarker::kMentor;  // the OR hears the mentors' code
    try {
      auto playout = std::make_unique<media::VoicePlayout>(ps, clock_);
      if (playout->start(why)) playout_ = std::move(playout);
    } catch (const std::exception& e) {
      why = e.what();
    }
    if (playout_) {
      spdlog::info("voice: OR speaker {} (every mentor, mixed)", media::to_string(settings_.output));
    } else {
      problem_ = "no OR speaker: " + why + " - the mentors are not heard in the room";
      spdlog::warn("voice: {}", problem_);
    }
  }
  if (settings_.input.kind == Kind::kNone) return;
  media::VoiceCaptureSettings cs;
  cs.input = settings_.input;
  cs.ssrc = ssrc_;
  cs.echo_cancel = settings_.echo_cancel && playout_ != nullptr;
  cs.find_markers = settings_.find_markers;
  cs.marker = media::AudioMarker::kOr;
  try {
    auto capture = std::make_unique<media::VoiceCapture>(cs, clock_, *this);
    capture->set_muted(muted_);
    if (capture->start(why)) capture_ = std::move(capture);
  } catch (const std::exception& e) {
    why = e.what();
  }
  if (capture_) {
    spdlog::info("voice: OR microphone {}{}{}", media::to_string(settings_.input),
                 cs.echo_cancel ? ", echo cancelled against the OR speaker" : "", muted_ ? " (muted)" : "");
  } else {
    problem_ = (problem_.empty() ? "" : problem_ + "; ") + "no OR microphone: " + why +
               " - the mentors do not hear the room";
    spdlog::warn("voice: {}", problem_);
  }
}

void OrVoice::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (capture_) capture_->stop();
  if (playout_) playout_->stop();
}

void OrVoice::hear(std::uint32_t ssrc, std::span<const std::uint8_t> packet) {
  if (!playout_ || stopped_) return;
  const auto header = media::parse_rtp(packet);
  if (!header) return;
  playout_->push(ssrc, header.value().payload_type, packet);
}

std::string OrVoice::set_muted(bool muted, const std::string& by) {
  if (!capture_) return "error: the OR has no microphone (" + problem_ + ")";
  if (muted != muted_) {
    muted_ = muted;
    capture_->set_muted(muted);
    session_.record_audit_event(
        session::AuditEvent("or_microphone", {{"state", muted ? "muted" : "open"}, {"by", by}}));
    spdlog::info("voice: OR microphone {} ({})", muted ? "muted" : "open", by);
  }
  return std::string("ok: OR microphone ") + (muted_ ? "muted" : "open");
}

bool OrVoice::mentor_speaking() const { return playout_ && playout_->heard_level_dbfs() > kSpeakingDbfs; }

void OrVoice::on_voice_packets(media::EncodedPackets packets) {
  boost::asio::post(io_, [this, p = std::move(packets)] {
    if (stopped_) return;
    session_.send_voice(p);
    recording_.record_or_voice(p);
  });
}

void OrVoice::on_voice_level(double rms_dbfs, double) {
  level_dbfs_.store(rms_dbfs, std::memory_order_relaxed);
}

void OrVoice::on_voice_problem(std::string text, bool fatal) {
  boost::asio::post(io_, [this, text = std::move(text), fatal] {
    if (!fatal) return spdlog::warn("voice: {}", text);
    problem_ = "OR microphone failed: " + text;
    spdlog::error("voice: {}", problem_);
  });
}

nlohmann::json OrVoice::status_json() const {
  return {{"microphone", capture_ != nullptr},
          {"speaker", playout_ != nullptr},
          {"muted", muted_},
          {"level_dbfs", level_dbfs_.load(std::memory_order_relaxed)},
          {"mentor_speaking", mentor_speaking()},
          {"packets_sent", capture_ ? capture_->counters().packets.load() : 0},
          {"packets_heard", playout_ ? playout_->counters().packets.load() : 0},
          {"concealed", playout_ ? playout_->concealed_packets() : 0},
          {"problem", problem_}};
}

nlohmann::json OrVoice::report_json() const {
  auto j = status_json();
  j["markers_spoken"] = times_json(capture_ ? capture_->marker_times() : std::vector<core::CaptureTime>{});
  j["markers_heard"] = times_json(playout_ ? playout_->marker_times() : std::vector<core::CaptureTime>{});
  return j;
}

}  // namespace surgilink::sender
