#include "surgilink/session/console_session.hpp"

#include <spdlog/spdlog.h>

#include "console_parts.hpp"
#include "surgilink/core/safe_text.hpp"
#include "surgilink/media/receiver_pipeline.hpp"
#include "surgilink/media/video_profile.hpp"
#include "surgilink/session/preflight.hpp"

namespace surgilink::session {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

const char* state_name(ConnectionState s) {
  switch (s) {
    case ConnectionState::kConnecting:
      return "connecting";
    case ConnectionState::kConnected:
      return "connected";
    case ConnectionState::kReconnecting:
      return "reconnecting";
    case ConnectionState::kRefused:
      return "refused";
    case ConnectionState::kStopped:
      return "stopped";
  }
  return "?";
}

ConsoleSession::Parts::Parts(asio::io_context& io_context, ConsoleSessionSettings s, const core::Clock& c,
                             media::LatestFrameMailbox& m, ConsoleSessionListener& l)
    : io(io_context),
      settings(std::move(s)),
      clock(c),
      mailbox(m),
      listener(l),
      tls(make_tls_context(settings.tls, false)),
      tracker(settings.measure_at_presentation, settings.report_warmup),
      lip_sync(settings.vitals_sync_max),
      ping_timer(io),
      vitals_timer(io),
      annotation_timer(io) {}

void ConsoleSession::Parts::set_state(ConnectionState s, std::string why) {
  if (s == state && why == detail) return;
  state = s;
  detail = std::move(why);
  if (s == ConnectionState::kRefused) {
    spdlog::error("{}", detail);
  } else if (s == ConnectionState::kReconnecting) {
    spdlog::warn("link lost - reconnecting ({}): {}", reconnect_attempt, detail);
  } else {
    spdlog::info("{}{}{}", state_name(s), detail.empty() ? "" : ": ", detail);
  }
  listener.on_state_changed(state, detail);
}

void ConsoleSession::Parts::disconnect() {
  ++generation;
  ping_timer.cancel();
  vitals_timer.cancel();
  annotation_timer.cancel();
  if (video) {
    video->stop();
    earlier_links.packets += video->packets();
    earlier_links.bytes += video->bytes();
    earlier_links.lost += video->lost();
    earlier_retransmissions += video->retransmissions_received();
    earlier_retransmissions_in_time += video->retransmissions_in_time();
    earlier_asked_again += video->asked_again();
    last_rate = video->rate();
    last_gap_wait = video->gap_wait();
    last_playout_hold = video->playout_hold();
    earlier_fec_recovered +=
        video->fec_recovered();  // the report at the end still says what the link carried
    video.reset();
  }
  realtime->disconnect();
  if (voice) voice->disconnect();
  welcome.reset();
  tracker.on_new_link();
}

void ConsoleSession::Parts::on_lost(const std::string& why, milliseconds retry_in) {
  disconnect();
  reconnect_attempt = control->attempt();
  set_state(ConnectionState::kReconnecting,
            why + " (trying again in " + std::to_string(retry_in.count()) + " ms)");
}

void ConsoleSession::Parts::on_refused(const std::string& why) {
  disconnect();
  set_state(ConnectionState::kRefused, why);
}

void ConsoleSession::Parts::on_envelope(const pb::Envelope& e) {
  const core::CaptureTime received = clock.now();
  if (e.has_welcome()) return on_welcome(e.welcome());
  if (!welcome) return;  // nothing but a welcome (or a refusal) before admission
  if (e.has_annotation_operation()) return on_annotation_bytes(e.annotation_operation(), false);
  if (e.has_annotation_scene()) return on_annotation_bytes(e.annotation_scene(), true);
  if (e.has_roster()) roster = e.roster();
  if (e.has_or_controls()) on_or_controls(e.or_controls());
  if (e.has_annotation_refused()) {
    annotations.on_refused();
    const std::string reason = core::safe_text(e.annotation_refused().reason(), 512);
    spdlog::warn("annotation refused by the sender: {}", reason);
    listener.on_annotation_refused(reason);
    listener.on_annotations(annotations.view());
  }
  if (e.has_clock_pong()) {
    const auto& pong = e.clock_pong();
    clock_sync.add({core::from_ntp64(pong.t1_ntp()), core::from_ntp64(pong.t2_ntp()),
                    core::from_ntp64(pong.t3_ntp()), received});
  }
}

void ConsoleSession::Parts::on_welcome(const pb::Welcome& w) {
  if (w.protocol_version() != kProtocolVersion)
    return control->refuse("sender speaks protocol version " + std::to_string(w.protocol_version()));
  const auto role = from_wire(w.role());
  if (!role) return control->refuse("the sender's welcome names no role this console knows");
  media::SrtpProfile profile;
  try {
    profile = media::parse_srtp_profile(w.srtp_profile());
  } catch (const std::invalid_argument& e) {
    return control->refuse(e.what());
  }
  SrtpKeys keys = derive_srtp_keys(control->tls_session(), profile);
  if (keys.sender_to_console.empty()) return control->fail("SRTP key derivation failed");
  disconnect();
  control->admitted();
  welcome = w;
  // The frame rate the announced profile promises (a degraded link shows fewer); 0 for a name this console
  // does not know.
  try {
    profile_fps = media::video_profile(w.video_profile()).fps;
  } catch (const std::invalid_argument&) {
    profile_fps = 0;
  }
  const std::uint64_t g = generation;
  realtime->connect({control->sender_address(), static_cast<unsigned short>(w.media_port())}, profile, keys);
  wipe(keys);  // libsrtp holds its own copy now
  video = std::make_shared<VideoReceiver>(io, clock, mailbox, static_cast<int>(w.video_payload_type()),
                                          settings.read_pixel_code, settings.jitter_latency,
                                          settings.playout_hold_max, tracker, faults, *this);
  video->start();
  realtime->add_stream(w.video_ssrc(), static_cast<std::uint8_t>(w.video_payload_type()), *video);
  if (w.vitals_ssrc() != 0)
    realtime->add_stream(w.vitals_ssrc(), static_cast<std::uint8_t>(w.vitals_payload_type()), *this);
  if (w.fec_ssrc() != 0) {
    realtime->add_stream(w.fec_ssrc(), static_cast<std::uint8_t>(w.fec_payload_type()),
                         video->parity(w.video_ssrc()));
  }
  if (w.rtx_ssrc() != 0) {
    realtime->add_stream(w.rtx_ssrc(), static_cast<std::uint8_t>(w.rtx_payload_type()),
                         video->retransmissions(w.video_ssrc()));
    // The sender's probe clusters come on the RTX stream (congestion control).
    realtime->add_stream(w.rtx_ssrc(), kProbePayloadType, video->probes(w.video_ssrc()));
  }
  // Voice: the OR's and the other mentors' (any SSRC of the voice payload type); an observer never speaks.
  if (voice && w.voice_payload_type() != 0) {
    voice->connect(realtime, *role == Role::kMentor, w.voice_ssrc(),
                   static_cast<std::uint8_t>(w.voice_payload_type()));
  }
  admitted_at = clock.now();
  ++connections;
  reconnect_attempt = 0;
  clock_sync = ClockSync();
  pings_sent = 0;
  // A new connection starts from the sender's scene (sent right after the welcome).
  annotations.connect(w.annotation_author());
  or_controls = pb::OrControls();
  roster = pb::Roster();
  listener.on_annotations(annotations.view());
  expire_annotations(g);
  set_state(ConnectionState::kConnected, "as " + core::safe_text(w.display_name(), 64) + " (" +
                                             role_name(*role) + ") at " + core::safe_text(w.site_name(), 64) +
                                             ", " + core::safe_text(w.video_profile(), 16) + ", " +
                                             w.srtp_profile());
  ping(g);
}

void ConsoleSession::Parts::on_or_controls(const pb::OrControls& controls) {
  const bool was_mine = holds_pen();
  const bool was_paused = or_controls.privacy_paused();
  or_controls = controls;
  if (was_paused != controls.privacy_paused()) {
    // The gap in the picture is the OR's choice, not the link's: not a freeze, not "link lost".
    const auto now = clock.now();
    if (controls.privacy_paused()) {
      spdlog::warn("the OR paused video and voice (privacy pause)");
      tracker.excuse_gaps_until(core::CaptureTime::max());
    } else {
      spdlog::info("the OR resumed video and voice");
      resumed_at = now;
      tracker.excuse_gaps_until(now + kResumeGrace);
    }
  }
  if (was_mine != holds_pen() || or_controls.pen_revoked()) {
    spdlog::info("pen: {}{}",
                 or_controls.pen_holder().empty() ? "nobody" : core::safe_text(or_controls.pen_holder(), 64),
                 or_controls.pen_revoked() ? " (the surgeon took it back)" : "");
  }
}

void ConsoleSession::Parts::ping(std::uint64_t g) {
  if (g != generation || !welcome) return;
  pb::Envelope e = envelope();
  e.mutable_clock_ping()->set_t1_ntp(core::to_ntp64(clock.now()));
  control->send(e);
  ++pings_sent;
  if (pings_sent >= 10) report_latency();
  // With retransmission, a gap waits long enough for its packet to come back over this link.
  if (video && welcome && welcome->rtx_ssrc() != 0 && clock_sync.synced())
    video->wait_for_retransmissions(clock_sync.round_trip());
  if (voice) {
    // Lip sync follows the picture's steady latency (the 10-s median), not the join's start-up transient.
    const auto now = clock.now();
    const auto first = tracker.link_first_picture_at();
    if (first && now >= *first + kTransientClear) {
      const auto g2g = tracker.g2g_10s(now);
      if (g2g.count > 0)
        voice->follow_picture(
            std::chrono::duration_cast<nanoseconds>(std::chrono::duration<double, std::milli>(g2g.p50_ms)));
    }
  }
  // A quick burst finds a low-RTT sample at once; then one per second tracks drift (and keeps us alive).
  ping_timer.expires_after(pings_sent < 10 ? milliseconds{50} : milliseconds{1000});
  ping_timer.async_wait([self = shared_from_this(), g](boost::system::error_code ec) {
    if (!ec) self->ping(g);
  });
}

// Once a second, with the ping: the sender keeps it in the recording's event log and the OR's alarm.
void ConsoleSession::Parts::report_latency() {
  // The first second of a link holds a start-up transient (frames waiting for the first keyframe): the 10-s
  // window is reported once it holds none of it, or every join would raise the OR's latency alarm.
  const auto now = clock.now();
  const auto first = tracker.link_first_picture_at();
  if (!first || now < *first + kTransientClear) return;
  const auto g2g = tracker.g2g_10s(now);
  if (g2g.count == 0) return;
  pb::Envelope e = envelope();
  auto* report = e.mutable_latency_report();
  report->set_g2g_p50_ms(g2g.p50_ms);
  report->set_g2g_p95_ms(g2g.p95_ms);
  report->set_samples(static_cast<std::uint32_t>(g2g.count));
  report->set_clock_uncertainty_ms(core::to_ms(clock_sync.uncertainty()));
  report->set_round_trip_ms(core::to_ms(clock_sync.round_trip()));
  control->send(e);
}

// --- ConsoleSession ---

ConsoleSession::ConsoleSession(asio::io_context& io, ConsoleSessionSettings settings,
                               const core::Clock& clock, media::LatestFrameMailbox& mailbox,
                               ConsoleSessionListener& listener)
    : parts_(std::make_shared<Parts>(io, std::move(settings), clock, mailbox, listener)) {}

ConsoleSession::~ConsoleSession() {
  if (parts_->state != ConnectionState::kStopped) stop();
}

void ConsoleSession::start() {
  Parts& p = *parts_;
  p.started_at = p.clock.now();
  // The sender asks its encoder for a keyframe as it admits this console, and the welcome has the network
  // thread build the receiver: with the decoder's libraries still to load, the keyframe and the pictures
  // behind it waited ~60-110 ms in the socket, and the first second after joining showed them that old.
  media::ReceiverPipeline::load_elements();
  p.realtime = std::make_shared<RealtimeReceiver>(p.io, p.settings.sender_host, p.settings.media_port,
                                                  p.clock, p.faults);
  p.control = std::make_shared<ControlClient>(
      p.io, p.tls,
      ControlClientSettings{p.settings.sender_host, p.settings.control_port, p.settings.site_name,
                            p.settings.connect_timeout, p.settings.reconnect_delay, p.settings.reconnect_max,
                            p.settings.protocol_version, p.settings.software, 1024 * 1024},
      p.realtime->port(), p);
  p.voice = std::make_shared<ConsoleVoice>(p.io, p.settings.voice, p.clock, p.clock_sync);
  p.voice->start();
  p.realtime->start();
  p.control->start();
}

void ConsoleSession::stop() {
  Parts& p = *parts_;
  if (p.control) p.control->stop();
  p.disconnect();
  if (p.realtime) p.realtime->stop();
  if (p.voice) p.voice->stop();
  p.state = ConnectionState::kStopped;
}

void ConsoleSession::set_microphone_muted(bool muted) {
  if (parts_->voice) parts_->voice->set_muted(muted);
}

ConsoleStatus ConsoleSession::status() { return parts_->status(); }
ConsoleVoiceStatus ConsoleSession::voice_status() const {
  return parts_->voice ? parts_->voice->status() : ConsoleVoiceStatus{};
}
ConsoleReport ConsoleSession::report() const { return parts_->report(); }
const core::FaultCounters& ConsoleSession::faults() const { return parts_->faults; }
void ConsoleSession::note_presented(core::CaptureTime capture_time, core::CaptureTime presented_at) {
  parts_->tracker.on_presented(capture_time, presented_at, parts_->clock_sync);
}
std::uint16_t ConsoleSession::media_port() const { return parts_->realtime ? parts_->realtime->port() : 0; }
bool ConsoleSession::propose_annotation(const annotation::AnnotationOperation& op) {
  return parts_->propose(op);
}

bool ConsoleSession::flag_vital(vitals::VitalsRow row, bool flagged) {
  Parts& p = *parts_;
  if (!p.welcome || p.welcome->role() != pb::ROLE_MENTOR) {
    spdlog::warn("vitals flag not sent: {}", p.welcome ? "only a mentor flags vitals" : "not connected");
    return false;
  }
  pb::Envelope e = envelope();
  e.mutable_vitals_flag()->set_row(to_wire(row));
  e.mutable_vitals_flag()->set_flagged(flagged);
  p.control->send(e);
  return true;
}

bool ConsoleSession::may_draw() const {
  return parts_->welcome && parts_->welcome->role() == pb::ROLE_MENTOR && parts_->holds_pen();
}
std::string ConsoleSession::annotation_author() const {
  return parts_->welcome ? parts_->welcome->annotation_author() : std::string();
}
std::shared_ptr<const annotation::Scene> ConsoleSession::annotation_scene() const {
  return parts_->annotations.view();
}

}  // namespace surgilink::session
