#include "surgilink/session/console_preflight.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "control_client.hpp"
#include "control_messages.hpp"
#include "realtime_receiver.hpp"
#include "surgilink/core/safe_text.hpp"
#include "surgilink/media/rtp_packet.hpp"
#include "surgilink/media/srtp_session.hpp"

namespace surgilink::session {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {
// Echoes still on their way when the pings stop.
constexpr milliseconds kGrace{700};
}  // namespace

// Network thread only. Held by std::shared_ptr: timers' handlers keep it alive.
struct ConsolePreflight::Parts : std::enable_shared_from_this<ConsolePreflight::Parts>,
                                 ControlClient::Listener,
                                 RealtimeReceiver::Stream {
  Parts(asio::io_context& io_context, ConsoleSessionSettings s, milliseconds d, const core::Clock& c, Done fn)
      : io(io_context),
        settings(std::move(s)),
        duration(d),
        clock(c),
        done(std::move(fn)),
        tls(make_tls_context(settings.tls, false)),
        ping_timer(io),
        end_timer(io),
        estimator(PreflightPlan{}) {}

  asio::io_context& io;
  ConsoleSessionSettings settings;
  milliseconds duration;
  const core::Clock& clock;
  Done done;
  asio::ssl::context tls;
  core::FaultCounters faults;
  std::shared_ptr<RealtimeReceiver> realtime;
  std::shared_ptr<ControlClient> control;
  asio::steady_timer ping_timer, end_timer;
  PreflightEstimator estimator;
  PreflightOutcome outcome;
  core::CaptureTime pings_until{};
  std::uint32_t ssrc = 0, sender_ssrc = 0, next_ping = 0;
  std::uint16_t rtp_sequence = 0;
  std::vector<std::uint8_t> buffer =
      std::vector<std::uint8_t>(12 + kProbeHeaderSize + media::kSrtpMaxTrailer);
  bool granted = false, finished = false;

  void start() {
    realtime =
        std::make_shared<RealtimeReceiver>(io, settings.sender_host, settings.media_port, clock, faults);
    ControlClientSettings c{settings.sender_host,
                            settings.control_port,
                            settings.site_name,
                            settings.connect_timeout,
                            settings.reconnect_delay,
                            settings.reconnect_max,
                            settings.protocol_version,
                            settings.software + " (pre-flight)",
                            64 * 1024};
    c.preflight_ms = static_cast<std::uint32_t>(duration.count());
    control = std::make_shared<ControlClient>(io, tls, c, realtime->port(), *this);
    realtime->start();
    control->start();
    ssrc = static_cast<std::uint32_t>(clock.now().time_since_epoch().count()) | 1u;
  }

  void stop() {
    finished = true;
    ping_timer.cancel();
    end_timer.cancel();
    if (control) control->stop();
    if (realtime) realtime->stop();
  }

  // Ends with `problem` (empty: measured), telling `done` once.
  void end(const std::string& problem) {
    if (finished) return;
    outcome.measured = problem.empty();
    outcome.problem = problem;
    stop();
    if (done) done(outcome);
  }

  void on_envelope(const pb::Envelope& e) override {
    if (e.has_preflight_granted()) return on_granted(e.preflight_granted());
    if (e.has_welcome()) {
      // An older sender ignores the request and admits us to the case: leave at once.
      return end(control->sender_name() + " does not offer a pre-flight (update the sender)");
    }
  }
  void on_lost(const std::string& why, milliseconds) override { end(why); }
  void on_refused(const std::string& why) override { end(why); }

  void on_granted(const pb::PreflightGranted& g) {
    if (granted) return;
    const milliseconds granted_duration{g.duration_ms()};
    if (!check_preflight_duration(granted_duration).empty() || g.max_rate_bps() == 0 ||
        g.max_rate_bps() > 100'000'000 || g.probe_payload_type() != kProbePayloadType)
      return end("the sender granted a pre-flight this console cannot run (duration, rate or payload type)");
    media::SrtpProfile profile;
    try {
      profile = media::parse_srtp_profile(g.srtp_profile());
    } catch (const std::invalid_argument& e) {
      return end(e.what());
    }
    SrtpKeys keys = derive_srtp_keys(control->tls_session(), profile);
    if (keys.sender_to_console.empty()) return end("SRTP key derivation failed");
    control->admitted();
    granted = true;
    realtime->connect({control->sender_address(), static_cast<unsigned short>(g.media_port())}, profile,
                      keys);
    wipe(keys);
    sender_ssrc = g.probe_ssrc();
    realtime->add_stream(sender_ssrc, kProbePayloadType, *this);
    PreflightPlan plan;
    plan.duration = granted_duration;
    plan.max_bps = g.max_rate_bps();
    estimator = PreflightEstimator(plan);
    outcome.site_name = core::safe_text(g.site_name(), 64);
    outcome.video_profile = core::safe_text(g.video_profile(), 16);
    outcome.display_name = core::safe_text(g.display_name(), 64);
    outcome.duration = granted_duration;
    outcome.max_rate_bps = g.max_rate_bps();
    spdlog::info("pre-flight with {} as {}: {} s, ramp up to {:.1f} Mbit/s", outcome.site_name,
                 outcome.display_name, granted_duration.count() / 1000.0,
                 static_cast<double>(plan.max_bps) / 1e6);
    pings_until = clock.now() + granted_duration;
    ping();
    end_timer.expires_after(granted_duration + kGrace);
    end_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->report();
    });
  }

  void ping() {
    if (finished || clock.now() >= pings_until) return;
    media::RtpHeader header;
    header.payload_type = kProbePayloadType;
    header.sequence = rtp_sequence++;
    header.ssrc = ssrc;
    ProbePacket p;
    p.kind = ProbePacket::Kind::kPing;
    p.sequence = next_ping++;
    p.flags = estimator.ramp_done() ? ProbePacket::kStopRamp : 0;
    p.sent_ntp = core::to_ntp64(clock.now());
    header.timestamp = static_cast<std::uint32_t>(p.sent_ntp >> 16);
    const std::size_t head = media::write_rtp_header(buffer, header);
    write_probe(std::span(buffer).subspan(head, kProbeHeaderSize), p);
    if (realtime->send_rtp(buffer, head + kProbeHeaderSize)) estimator.on_ping_sent();
    ping_timer.expires_after(PreflightPlan::kPingInterval);
    ping_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->ping();
    });
  }

  void on_rtp(const media::RtpHeader& header, std::span<const std::uint8_t> packet, core::CaptureTime arrival,
              std::size_t wire_bytes) override {
    auto probe = parse_probe(packet.subspan(header.payload_offset, header.payload_size));
    if (!probe) {
      faults.add(probe.error());
      return;
    }
    if (probe.value().kind == ProbePacket::Kind::kEcho) {
      estimator.on_echo(probe.value(), arrival, wire_bytes);
    } else if (probe.value().kind == ProbePacket::Kind::kRamp) {
      estimator.on_ramp(probe.value(), arrival, wire_bytes);
    } else {
      faults.add(core::Fault::kMalformed);  // the sender sends no pings
    }
  }

  void report() {
    if (finished) return;
    outcome.figures = estimator.finish();
    outcome.verdict = judge_link(outcome.figures, outcome.video_profile);
    const auto& f = outcome.figures;
    pb::Envelope e = envelope();
    auto* r = e.mutable_preflight_result();
    r->set_rtt_p50_ms(f.rtt_p50_ms);
    r->set_rtt_p95_ms(f.rtt_p95_ms);
    r->set_jitter_to_mentor_ms(f.jitter_to_mentor_ms);
    r->set_jitter_to_or_ms(f.jitter_to_or_ms);
    r->set_loss_to_mentor(f.loss_to_mentor);
    r->set_loss_to_or(f.loss_to_or);
    r->set_achievable_bps(f.achievable_bps);
    r->set_rate_capped(f.rate_capped);
    r->set_rate_limited_by(f.rate_limited_by);
    r->set_verdict(outcome.verdict.profile);
    r->set_sentence(outcome.verdict.sentence);
    r->set_duration_ms(static_cast<std::uint32_t>(outcome.duration.count()));
    control->send(e);
    end({});
  }
};

ConsolePreflight::ConsolePreflight(asio::io_context& io, ConsoleSessionSettings connection,
                                   milliseconds duration, const core::Clock& clock, Done done)
    : parts_(std::make_shared<Parts>(io, std::move(connection), duration, clock, std::move(done))) {}

ConsolePreflight::~ConsolePreflight() { parts_->stop(); }

void ConsolePreflight::start() { parts_->start(); }
void ConsolePreflight::stop() { parts_->stop(); }
const core::FaultCounters& ConsolePreflight::faults() const { return parts_->faults; }

}  // namespace surgilink::session
