// A console's pre-flight at the sender (issue 15): granted to a person on the access list when no case is
// live, measured with probes on the realtime channel (PreflightResponder), and its outcome kept as evidence
// in the audit log (and the recording's event log while recording). Part of SenderSession::Parts.
#include <cmath>
#include <cstdio>
#include <random>

#include <spdlog/spdlog.h>

#include "sender_parts.hpp"
#include "surgilink/core/safe_text.hpp"
#include "surgilink/media/video_profile.hpp"

namespace surgilink::session {

namespace asio = boost::asio;
using asio::ip::udp;
using Level = AuditEvent::Level;

void SenderSession::Parts::on_preflight_hello(ConsoleConnection& console, const pb::Hello& hello) {
  SSL* ssl = console.control().stream().native_handle();
  const AdmissionRequest request{peer_fingerprint(ssl), peer_common_name(ssl), hello.protocol_version(),
                                 hello.media_port(), console.peer()};
  AuthorityEffects effects;
  auto decision = authority.check_preflight(request, preflight != nullptr, effects);
  for (const auto& event : effects.audit) audit.record(event);
  const std::chrono::milliseconds duration{hello.preflight().duration_ms()};
  if (std::holds_alternative<AccessEntry>(decision)) {
    if (const auto bad = check_preflight_duration(duration); !bad.empty()) {
      audit.record({"preflight_refused",
                    {{"peer", console.peer()}, {"reason", bad}},
                    Level::kWarning,
                    "preflight_refused " + console.peer()});
      decision = Refused{bad, core::Fault::kMalformed};
    }
  }
  if (const auto* refused = std::get_if<Refused>(&decision)) {
    ++counts.preflights_refused;
    return refuse(console, *refused);
  }
  SrtpKeys keys = derive_srtp_keys(ssl, settings.srtp_profile);
  if (keys.sender_to_console.empty())
    return refuse(console, {"SRTP key derivation failed", core::Fault::kInternal});
  const AccessEntry& who = std::get<AccessEntry>(decision);
  std::uint32_t profile_kbps = 6000;
  try {
    profile_kbps = static_cast<std::uint32_t>(media::video_profile(settings.video_profile).bitrate_kbps);
  } catch (const std::invalid_argument&) {
  }
  PreflightPlan plan;
  plan.duration = duration;
  plan.max_bps = preflight_rate_cap(profile_kbps);
  boost::system::error_code ec;
  const udp::endpoint media(console.control().stream().lowest_layer().remote_endpoint(ec).address(),
                            static_cast<unsigned short>(hello.media_port()));
  const std::uint32_t ssrc = std::random_device{}() | 1u;
  preflight = std::make_shared<PreflightResponder>(io, clock, *realtime, console.id(), plan, ssrc, faults);
  realtime->add_probe_peer(console.id(), media, keys, *preflight);
  wipe(keys);
  console.preflight_of = who.name;
  console.preflight_until = clock.now() + duration + std::chrono::seconds{10};
  ++counts.preflights_granted;
  pb::Envelope e = envelope();
  auto* g = e.mutable_preflight_granted();
  g->set_media_port(realtime->port());
  g->set_srtp_profile(media::srtp_profile_name(settings.srtp_profile));
  g->set_probe_ssrc(ssrc);
  g->set_probe_payload_type(kProbePayloadType);
  g->set_duration_ms(static_cast<std::uint32_t>(duration.count()));
  g->set_max_rate_bps(plan.max_bps);
  g->set_site_name(settings.rules.site_name);
  g->set_video_profile(settings.video_profile);
  g->set_display_name(who.name);
  console.send(frame_of(e));
  preflight->start();
  spdlog::info("pre-flight granted to {} ({}): {} s, ramp up to {:.1f} Mbit/s to {}:{}",
               core::safe_text(who.name, 64), console.peer(), duration.count() / 1000.0,
               static_cast<double>(plan.max_bps) / 1e6, media.address().to_string(), media.port());
  audit.record({"preflight_started",
                {{"console", who.name},
                 {"peer", console.peer()},
                 {"duration_ms", std::to_string(duration.count())},
                 {"max_rate_bps", std::to_string(plan.max_bps)}}});
}

void SenderSession::Parts::on_preflight_message(ConsoleConnection& console, const pb::Envelope& e) {
  if (e.has_preflight_result()) return on_preflight_result(console, e.preflight_result());
  if (e.has_goodbye()) {
    console.closing = ConsoleConnection::Closing{Departure::kGoodbye, "pre-flight done"};
    console.control().close();
    return;
  }
  faults.add(core::Fault::kMalformed);  // a pre-flight sends nothing else
}

void SenderSession::Parts::on_preflight_result(ConsoleConnection& console, const pb::PreflightResult& r) {
  const auto sane_ms = [](double ms) { return std::isfinite(ms) && ms >= 0 && ms < 3'600'000; };
  const auto share = [](double s) { return std::isfinite(s) && s >= 0 && s <= 1; };
  const std::string verdict = r.verdict();
  const bool known =
      verdict == "none" || std::any_of(verdict_steps().begin(), verdict_steps().end(),
                                       [&](const VerdictStep& s) { return verdict == s.name; });
  if (!sane_ms(r.rtt_p50_ms()) || !sane_ms(r.rtt_p95_ms()) || !sane_ms(r.jitter_to_mentor_ms()) ||
      !sane_ms(r.jitter_to_or_ms()) || !share(r.loss_to_mentor()) || !share(r.loss_to_or()) ||
      r.achievable_bps() > 100'000'000'000ULL || !known) {
    faults.add(core::Fault::kMalformed);
    spdlog::warn("pre-flight of {} ({}): result refused: a figure out of range or an unknown verdict",
                 core::safe_text(*console.preflight_of, 64), console.peer());
    return;
  }
  PreflightFigures f;
  f.rtt_p50_ms = r.rtt_p50_ms();
  f.rtt_p95_ms = r.rtt_p95_ms();
  f.jitter_to_mentor_ms = r.jitter_to_mentor_ms();
  f.jitter_to_or_ms = r.jitter_to_or_ms();
  f.loss_to_mentor = r.loss_to_mentor();
  f.loss_to_or = r.loss_to_or();
  f.achievable_bps = r.achievable_bps();
  f.rate_capped = r.rate_capped();
  f.rate_limited_by = core::safe_text(r.rate_limited_by(), 16);
  PreflightRecord record;
  record.person = *console.preflight_of;
  record.peer = console.peer();
  record.verdict = verdict;
  record.sentence = core::safe_text(r.sentence(), 400);
  record.figures = describe(f);
  if (preflight && preflight->peer() == console.id()) {
    const auto& s = preflight->figures();
    char text[320];
    std::snprintf(text, sizeof text,
                  "pings received %u of %u, jitter mentor->OR %.1f ms; ramp %u steps, %llu packets, up to "
                  "%.2f Mbit/s%s%s%s",
                  s.pings_received, s.highest_ping + 1, s.jitter_to_or_ms, s.steps_sent,
                  static_cast<unsigned long long>(s.ramp_packets_sent),
                  static_cast<double>(s.highest_rate_bps) / 1e6,
                  s.stopped_by_console ? ", stopped by the console" : "",
                  s.held.empty() ? "" : ", held: ", s.held.c_str());
    record.sender_figures = text;
  }
  record.achievable_bps = f.achievable_bps;
  record.rate_is_limit = f.rate_limited_by == "loss" || f.rate_limited_by == "queueing";
  record.loss_to_mentor = f.loss_to_mentor;
  record.at = clock.now();
  spdlog::info("pre-flight of {} ({}): {} - {}; sender: {}", core::safe_text(record.person, 64), record.peer,
               record.sentence, record.figures, record.sender_figures);
  audit.record({"preflight",
                {{"console", record.person},
                 {"peer", record.peer},
                 {"verdict", record.verdict},
                 {"sentence", record.sentence},
                 {"figures", record.figures},
                 {"sender_figures", record.sender_figures},
                 {"duration_ms", std::to_string(r.duration_ms())}}});
  last_preflight = std::move(record);
}

std::optional<LinkPrior> link_prior(const std::optional<PreflightRecord>& preflight,
                                    const std::string& person, core::CaptureTime now) {
  if (!preflight || preflight->person != person || preflight->achievable_bps == 0 ||
      !preflight->rate_is_limit)
    return std::nullopt;
  if (now < preflight->at || now - preflight->at > LinkPrior::kTrustedFor) return std::nullopt;
  return LinkPrior{preflight->achievable_bps, preflight->loss_to_mentor};
}

void SenderSession::Parts::end_preflight(ConsoleConnection& console) {
  if (!preflight || preflight->peer() != console.id()) return;
  preflight->stop();
  realtime->remove_probe_peer(console.id());
  preflight.reset();
}

}  // namespace surgilink::session
