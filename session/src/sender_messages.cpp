// What consoles send to the sender, and how each connection ends. Part of SenderSession::Parts.
#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "sender_parts.hpp"
#include "surgilink/annotation/wire.hpp"
#include "surgilink/core/base64.hpp"
#include "surgilink/core/safe_text.hpp"
#include "surgilink/media/rtp_packet.hpp"
#include "surgilink/media/voice_capture.hpp"
#include "surgilink/session/case_event_log.hpp"
#include "surgilink/vitals/vitals_packet.hpp"

namespace surgilink::session {

namespace asio = boost::asio;
using asio::ip::udp;
using Level = AuditEvent::Level;

void SenderSession::Parts::on_envelope(ConsoleConnection& console, const pb::Envelope& e) {
  const core::CaptureTime received = clock.now();
  if (console.preflight_of) return on_preflight_message(console, e);
  if (!console.admitted()) {
    if (!e.has_hello()) {
      faults.add(core::Fault::kMalformed);
      return refuse(console, {"expected hello as the first message", core::Fault::kMalformed});
    }
    return on_hello(console, e.hello());
  }
  AuthorityEffects effects;
  if (e.has_annotation_proposal()) {
    on_annotation_proposal(console, e.annotation_proposal());
  } else if (e.has_vitals_flag()) {
    if (!authority.flag_vital(console.id(), from_wire(e.vitals_flag().row()), e.vitals_flag().flagged(),
                              effects))
      faults.add(core::Fault::kNotAuthorised);
  } else if (e.has_latency_report()) {
    on_latency_report(console, e.latency_report());
  } else if (e.has_goodbye()) {
    console.closing = ConsoleConnection::Closing{Departure::kGoodbye, "said goodbye"};
    console.control().close();
  } else if (e.has_clock_ping()) {
    pb::Envelope reply = envelope();
    auto* pong = reply.mutable_clock_pong();
    pong->set_t1_ntp(e.clock_ping().t1_ntp());
    pong->set_t2_ntp(core::to_ntp64(received));
    pong->set_t3_ntp(core::to_ntp64(clock.now()));
    console.send(frame_of(reply));
  } else {
    faults.add(core::Fault::kMalformed);  // a message a console does not send, or a newer one
  }
  apply(effects);
}

void SenderSession::Parts::on_rate_limited(ConsoleConnection& console) {
  ++counts.messages_rate_limited;
  faults.add(core::Fault::kRateLimited);
  const std::string who = console.admitted() ? console.admitted()->name : console.peer();
  audit.record(
      {"rate_limited",
       {{"console", who}, {"limit", std::to_string(std::lround(settings.messages_per_second)) + "/s"}},
       Level::kWarning,
       "rate_limited " + who});
}

void SenderSession::Parts::on_malformed(ConsoleConnection& console) {
  faults.add(core::Fault::kMalformed);
  console.closing = ConsoleConnection::Closing{Departure::kLinkLost, "sent a malformed control message"};
}

void SenderSession::Parts::on_ended(ConsoleConnection& console, ConnectionEnd end, const std::string& why) {
  const ConsoleId id = console.id();
  if (console.preflight_of) end_preflight(console);
  const bool reported_rate = realtime->narrowest_estimate().has_value();
  const bool unreported = realtime->any_link_unreported();
  realtime->remove(id);
  // Its link may have been the narrowest, or the one not known yet: the stream may go back up for the others.
  if (reported_rate || unreported) listener.on_link_rate(console_links());
  const auto closing = console.closing;
  const std::string reason = closing ? closing->why : core::safe_text(why, 200);
  if (console.admitted()) {
    spdlog::info("console {} ({}) left: {}", core::safe_text(console.admitted()->name, 64), console.peer(),
                 reason);
    if (end == ConnectionEnd::kSlowReader || end == ConnectionEnd::kHandlerFailed ||
        (closing && closing->why.rfind("silent", 0) == 0))
      ++counts.consoles_dropped;
    AuthorityEffects effects;
    authority.depart(id, closing ? closing->how : Departure::kLinkLost, reason, clock.now(), effects);
    apply(effects);
  } else {
    const bool tls_failed = end == ConnectionEnd::kTlsFailure;
    if (tls_failed) ++counts.tls_failures;
    // Strangers can repeat this at will: the first per address and interval in full, then a count.
    const std::string address = console.peer().substr(0, console.peer().rfind(':'));
    if (closing && closing->how == Departure::kGoodbye) {
      // refused: already logged with its reason
    } else if (log_repeats.first(address + (tls_failed ? " TLS handshake failed" : " ended before admission"),
                                 clock.now())) {
      spdlog::warn("console {}: {}: {}", console.peer(),
                   tls_failed ? "TLS handshake failed" : "connection ended before admission", reason);
    }
  }
  // Not now: this runs inside the connection's own handler.
  asio::post(io, [weak = weak_from_this(), id] {
    if (auto self = weak.lock()) self->consoles.erase(id);
  });
}

void SenderSession::Parts::refuse(ConsoleConnection& console, const Refused& refused) {
  ++counts.consoles_refused;
  faults.add(refused.fault);
  spdlog::warn("console {}: refused: {}", console.peer(), refused.reason);
  send_refusal(console, refused.reason, ConsoleConnection::Closing{Departure::kGoodbye, "refused"});
}

void SenderSession::Parts::send_refusal(ConsoleConnection& console, const std::string& reason,
                                        ConsoleConnection::Closing closing) {
  pb::Envelope e = envelope();
  e.mutable_refusal()->set_reason(reason);
  e.mutable_refusal()->set_supported_version(kProtocolVersion);
  console.closing = std::move(closing);
  console.send(frame_of(e));
  // Close once the refusal is written, so the console can show the reason.
  console.control().close_after_writes();
}

void SenderSession::Parts::on_hello(ConsoleConnection& console, const pb::Hello& hello) {
  if (hello.has_preflight()) return on_preflight_hello(console, hello);
  SSL* ssl = console.control().stream().native_handle();
  SrtpKeys keys = derive_srtp_keys(ssl, settings.srtp_profile);
  if (keys.sender_to_console.empty())
    return refuse(console, {"SRTP key derivation failed", core::Fault::kInternal});
  const AdmissionRequest request{peer_fingerprint(ssl), peer_common_name(ssl), hello.protocol_version(),
                                 hello.media_port(), console.peer()};
  AuthorityEffects effects;
  auto decision = authority.admit(console.id(), request, clock.now(), effects);
  for (const ConsoleId id : effects.close) {
    if (auto it = consoles.find(id); it != consoles.end())
      it->second->closing = ConsoleConnection::Closing{Departure::kReplaced, "replaced by a new connection"};
  }
  if (const auto* refused = std::get_if<Refused>(&decision)) {
    for (const auto& event : effects.audit) audit.record(event);
    return refuse(console, *refused);
  }
  const Admitted& as = std::get<Admitted>(decision);
  // A case starts: a pre-flight's ramp must not compete with its stream.
  if (preflight) preflight->hold("a case started (" + core::safe_text(as.name, 64) + " joined)");
  console.admit(as);
  ++counts.consoles_admitted;
  boost::system::error_code ec;
  const udp::endpoint media(console.control().stream().lowest_layer().remote_endpoint(ec).address(),
                            static_cast<unsigned short>(hello.media_port()));
  const auto prior = link_prior(last_preflight, as.name, clock.now());
  realtime->add(console.id(), media, keys, as.role == Role::kMentor, prior);
  if (prior) {
    spdlog::info(
        "{}'s link until its first report: as its pre-flight measured it {:.0f} min ago, {:.1f} "
        "Mbit/s with {:.1f} % loss",
        core::safe_text(as.name, 64),
        std::chrono::duration<double>(clock.now() - last_preflight->at).count() / 60,
        static_cast<double>(prior->bps) / 1e6, 100 * prior->loss);
  }
  // Its link is not known until its first report (or is as its pre-flight measured it): the sender protects
  // the joining keyframe meanwhile.
  listener.on_link_rate(console_links());
  spdlog::info("console {} admitted: {} as {} ({}), media to {}:{}", console.peer(),
               core::safe_text(as.name, 64), role_name(as.role), core::safe_text(hello.software(), 80),
               media.address().to_string(), media.port());
  if (settings.export_srtp_keys) export_keys(console, media, keys);
  wipe(keys);  // libsrtp holds its own copy now
  welcome(console, as);
  // The newcomer's view: the scene, then (if nothing changed for everyone) the controls; then the roster.
  const auto scene = authority.annotation_scene();
  auto wire = annotation::encode_scene(*scene);
  if (wire.size() + 64 > kMaxControlMessage) {
    // Too large for one message: an empty scene at this version, so it follows every new operation.
    spdlog::warn(
        "console {}: the annotation scene ({} bytes) does not fit one control message; it sees new "
        "annotations only",
        as.name, wire.size());
    annotation::Scene empty;
    empty.version = scene->version;
    wire = annotation::encode_scene(empty);
  }
  pb::Envelope scene_message = envelope();
  scene_message.set_annotation_scene(std::string(wire.begin(), wire.end()));
  console.send(frame_of(scene_message));
  if (!effects.controls_changed) console.send(controls_frame());
  apply(effects);
}

void SenderSession::Parts::welcome(ConsoleConnection& console, const Admitted& as) {
  pb::Envelope e = envelope();
  auto* w = e.mutable_welcome();
  w->set_protocol_version(kProtocolVersion);
  w->set_display_name(as.name);
  w->set_role(to_wire(as.role));
  w->set_media_port(realtime->port());
  w->set_srtp_profile(media::srtp_profile_name(settings.srtp_profile));
  w->set_video_ssrc(settings.video_ssrc);
  w->set_video_payload_type(static_cast<std::uint32_t>(settings.video_payload_type));
  w->set_capture_time_extension_id(media::kCaptureTimeExtensionId);
  w->set_send_time_extension_id(media::kSendTimeExtensionId);
  w->set_site_name(settings.rules.site_name);
  w->set_case_pseudonym(settings.case_pseudonym);
  w->set_video_profile(settings.video_profile);
  w->set_vitals_ssrc(settings.vitals_ssrc);
  w->set_voice_ssrc(settings.voice_ssrc);
  w->set_voice_payload_type(media::kOpusPayloadType);
  w->set_rtx_ssrc(settings.rtx_ssrc);
  w->set_rtx_payload_type(static_cast<std::uint32_t>(settings.rtx_payload_type));
  w->set_fec_ssrc(settings.fec_ssrc);
  w->set_fec_payload_type(static_cast<std::uint32_t>(settings.fec_payload_type));
  w->set_annotation_author(as.author);
  w->set_vitals_payload_type(static_cast<std::uint32_t>(vitals::kVitalsPayloadType));
  console.send(frame_of(e));
}

// Telestration (DESIGN.md §5, §7): the authority decides; accepted operations are broadcast by apply().
void SenderSession::Parts::on_annotation_proposal(ConsoleConnection& console, const std::string& bytes) {
  AuthorityEffects effects;
  auto op = annotation::decode_proposal(bytes_of(bytes));
  annotation::Checked<annotation::SequencedOperation> applied =
      op ? authority.propose(console.id(), op.value(), clock.now(), effects)
         : annotation::Checked<annotation::SequencedOperation>(op.error());
  if (!applied) {
    ++counts.annotations_refused;
    faults.add(applied.error().fault);
    if (!op) {
      effects.audit.push_back({"annotation_refused",
                               {{"console", console.admitted()->name}, {"reason", applied.error().reason}},
                               Level::kWarning,
                               "annotation_refused " + console.admitted()->name + " malformed"});
    }
    pb::Envelope reply = envelope();
    reply.mutable_annotation_refused()->set_reason(applied.error().reason);
    console.send(frame_of(reply));
  }
  apply(effects);
}

// A console's latency figures go to the recording's event log and to the OR's mentor-latency alarm.
void SenderSession::Parts::on_latency_report(ConsoleConnection& console, const pb::LatencyReport& report) {
  const auto sane = [](double ms) { return std::isfinite(ms) && ms >= 0 && ms < 3'600'000; };
  if (!sane(report.g2g_p50_ms()) || !sane(report.g2g_p95_ms()) || !sane(report.clock_uncertainty_ms()) ||
      !sane(report.round_trip_ms())) {
    faults.add(core::Fault::kMalformed);
    return;
  }
  // 0: an older console that does not say; its link is then taken as too long for retransmission alone.
  if (report.round_trip_ms() > 0)
    realtime->set_round_trip(console.id(),
                             std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::duration<double, std::milli>(report.round_trip_ms())));
  const Admitted& as = *console.admitted();
  console.latency = ConsoleLatency{as.name, as.role == Role::kMentor, report.g2g_p95_ms(), clock.now()};
  auto* log = audit.event_log();
  if (log == nullptr) return;
  const nlohmann::json detail = {{"console", as.name},
                                 {"author", as.author},
                                 {"g2g_p50_ms", report.g2g_p50_ms()},
                                 {"g2g_p95_ms", report.g2g_p95_ms()},
                                 {"samples", report.samples()},
                                 {"clock_uncertainty_ms", report.clock_uncertainty_ms()},
                                 {"round_trip_ms", report.round_trip_ms()}};
  log->append(clock.now(), "latency", detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// Interop tests only (SURGILINK_ALLOW_KEY_EXPORT): the console's SRTP key as an SDP file, readable by this
// user only, and audited, since anyone with it can watch the stream.
void SenderSession::Parts::export_keys(ConsoleConnection& console, const udp::endpoint& media,
                                       const SrtpKeys& keys) {
  const auto& path = *settings.export_srtp_keys;
  std::string sdp =
      "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n"
      "s=SurgiLink video (exported SRTP keys: development and interop testing only)\r\n";
  sdp += "c=IN IP4 " + media.address().to_string() + "\r\nt=0 0\r\n";
  const std::string pt = std::to_string(settings.video_payload_type);
  sdp += "m=video " + std::to_string(media.port()) + " RTP/SAVP " + pt + "\r\n";
  sdp += "a=rtpmap:" + pt + " H264/90000\r\na=fmtp:" + pt + " packetization-mode=1\r\n";
  sdp += "a=ssrc:" + std::to_string(settings.video_ssrc) + "\r\n";
  sdp += "a=crypto:1 " + std::string(media::srtp_profile_name(settings.srtp_profile)) +
         " inline:" + core::base64(keys.sender_to_console) + "\r\n";
  // One file per console, never an existing one (O_EXCL: no overwriting, no following a planted link): the
  // first console's keys go to the configured path, later ones beside it with the console's author id.
  const std::filesystem::path file =
      exported_keys == 0 ? path : std::filesystem::path(path.string() + "-" + console.admitted()->author);
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  const bool written = fd >= 0 && ::write(fd, sdp.data(), sdp.size()) == static_cast<ssize_t>(sdp.size());
  if (fd >= 0) ::close(fd);
  OPENSSL_cleanse(sdp.data(), sdp.size());
  if (written) ++exported_keys;
  audit.record({written ? "srtp_keys_exported" : "srtp_keys_export_failed",
                {{"console", console.admitted()->name}, {"file", file.string()}},
                Level::kWarning,
                {}});
  if (written) {
    spdlog::warn("SRTP KEYS EXPORTED to {} for console {}: anyone with this file can watch the stream",
                 file.string(), console.peer());
  } else {
    spdlog::error("SRTP keys for console {} not exported: {} exists or cannot be written", console.peer(),
                  file.string());
  }
}

}  // namespace surgilink::session
