#include "surgilink/session/sender_session.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "sender_parts.hpp"
#include "surgilink/annotation/wire.hpp"
#include "surgilink/core/safe_text.hpp"
#include "surgilink/session/access_list.hpp"
#include "surgilink/session/case_event_log.hpp"

namespace surgilink::session {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

SenderSession::Parts::Parts(asio::io_context& io_context, SenderSessionSettings s, const core::Clock& c,
                            SenderSessionListener& l)
    : io(io_context),
      settings(std::move(s)),
      clock(c),
      listener(l),
      tls(make_tls_context(settings.tls, true)),
      authority(settings.rules, settings.access),
      audit(settings.audit_log, settings.audit_key, clock),
      sweep_timer(io),
      expiry_timer(io) {}

void SenderSession::Parts::on_connection(tcp::socket socket, PendingSlot pending) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  const std::string peer = remote.address().to_string() + ":" + std::to_string(remote.port());
  auto control = std::make_shared<ControlConnection>(std::move(socket), tls, settings.max_queued_bytes);
  const ConsoleId id = next_id++;
  const double rate = settings.messages_per_second;
  auto console = std::make_unique<ConsoleConnection>(id, control, std::move(pending), peer,
                                                     core::TokenBucket(rate, rate), clock, *this);
  ConsoleConnection* raw = console.get();
  consoles.emplace(id, std::move(console));
  control->handshake(asio::ssl::stream_base::server, [raw] { raw->start(); });
}

// Once a second: consoles that never said hello or went silent, a pen that waited in vain, repeats.
void SenderSession::Parts::sweep() {
  sweep_timer.expires_after(std::chrono::seconds{1});
  sweep_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped) return;
    const auto now = self->clock.now();
    std::vector<std::pair<ConsoleId, std::string>> silent;
    for (const auto& [id, c] : self->consoles) {
      if (c->preflight_of) {
        if (now > c->preflight_until) silent.emplace_back(id, "pre-flight over its time");
      } else if (!c->admitted() && now - c->accepted_at() > self->settings.hello_timeout) {
        silent.emplace_back(
            id, "no hello within " + std::to_string(self->settings.hello_timeout.count()) + " ms");
      } else if (c->admitted() && now - c->last_heard() > self->settings.liveness) {
        silent.emplace_back(id, "silent for " + std::to_string(self->settings.liveness.count()) + " s");
      }
    }
    for (const auto& [id, why] : silent) self->close(id, Departure::kLinkLost, why);
    // A console whose receiver reports never reach us must not keep the stream in its joining state.
    const auto unreported = self->realtime->give_up_unreported(now);
    for (const ConsoleId id : unreported) {
      const auto it = self->consoles.find(id);
      const std::string who = it != self->consoles.end() && it->second->admitted()
                                  ? core::safe_text(it->second->admitted()->name, 64)
                                  : std::to_string(id);
      spdlog::warn(
          "console {}: no receiver report {} s after joining (does its RTCP reach the sender?): "
          "parity and rate no longer wait for it",
          who, RealtimeSender::kReportWithin.count());
    }
    if (!unreported.empty()) self->listener.on_link_rate(self->console_links());
    AuthorityEffects effects;
    self->authority.tick(now, effects);
    self->apply(effects);
    self->audit.flush();
    for (const auto& r : self->log_repeats.ended(now))
      spdlog::warn("{} more times in 10 s: {}", r.count, r.key);
    self->sweep();
  });
}

// Pointers and other annotations with a time to live go away on time even when nobody draws.
void SenderSession::Parts::expire_annotations() {
  expiry_timer.expires_after(std::chrono::milliseconds{100});
  expiry_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped) return;
    self->authority.expire_annotations(self->clock.now());
    self->expire_annotations();
  });
}

void SenderSession::Parts::close(ConsoleId id, Departure how, const std::string& why) {
  const auto it = consoles.find(id);
  if (it == consoles.end()) return;
  if (!it->second->closing) it->second->closing = ConsoleConnection::Closing{how, why};
  it->second->control().close();
}

// --- SenderSession ---

SenderSession::SenderSession(asio::io_context& io, SenderSessionSettings settings, const core::Clock& clock,
                             SenderSessionListener& listener)
    : parts_(std::make_shared<Parts>(io, std::move(settings), clock, listener)) {
  Parts& p = *parts_;
  const auto address = asio::ip::make_address(p.settings.bind_address);
  p.realtime = std::make_shared<RealtimeSender>(io, udp::endpoint(address, p.settings.media_port),
                                                p.settings.srtp_profile, clock, p, p.faults,
                                                p.settings.keyframe_interval);
  p.realtime->set_vitals_stream(p.settings.vitals_ssrc, p.settings.vitals_first_sequence);
  p.realtime->set_retransmission(p.settings.rtx_ssrc, static_cast<std::uint8_t>(p.settings.rtx_payload_type));
  p.realtime->set_fec_stream(p.settings.fec_ssrc, static_cast<std::uint8_t>(p.settings.fec_payload_type));
  p.server = std::make_shared<ControlServer>(
      io, tcp::endpoint(address, p.settings.control_port),
      ControlPortLimits{p.settings.max_pending, p.settings.max_pending_per_address}, clock,
      [weak = std::weak_ptr<Parts>(parts_)](tcp::socket socket, PendingSlot pending) {
        if (auto parts = weak.lock()) parts->on_connection(std::move(socket), std::move(pending));
      });
  p.audit.record({"start", {{"site", p.settings.rules.site_name}, {"case", p.settings.case_pseudonym}}});
}

SenderSession::~SenderSession() = default;

void SenderSession::start() {
  Parts& p = *parts_;
  spdlog::info("sender '{}' listening: control (TLS 1.3) {}:{}, media (SRTP {}) {}:{}",
               p.settings.rules.site_name, p.settings.bind_address, control_port(),
               media::srtp_profile_name(p.settings.srtp_profile), p.settings.bind_address, media_port());
  p.server->start();
  p.realtime->start();
  p.sweep();
  p.expire_annotations();
}

void SenderSession::stop() {
  Parts& p = *parts_;
  if (p.stopped) return;
  p.stopped = true;
  p.sweep_timer.cancel();
  p.expiry_timer.cancel();
  p.server->stop();
  if (p.preflight) p.preflight->stop();
  p.realtime->stop();
  for (const auto& [id, c] : p.consoles) {
    if (!c->closing) c->closing = ConsoleConnection::Closing{Departure::kGoodbye, "the sender stopped"};
    c->control().close();
  }
  p.audit.flush(true);
  p.audit.record({"stop", {}});
}

void SenderSession::send_voice(const media::EncodedPackets& packets) {
  parts_->realtime->send_voice(packets);
}

void SenderSession::set_video_pacing(std::optional<std::uint64_t> bps) { parts_->realtime->set_pacing(bps); }
void SenderSession::set_probe_ceiling(std::uint64_t bps) { parts_->realtime->set_probe_ceiling(bps); }

void SenderSession::set_video_fec(std::size_t packets) { parts_->realtime->set_fec_block(packets); }

void SenderSession::send_video(media::EncodedPackets packets) {
  parts_->realtime->send_video(std::move(packets));
}

void SenderSession::send_vitals(const std::vector<std::vector<std::uint8_t>>& payloads,
                                core::CaptureTime now) {
  if (auto* log = parts_->audit.event_log()) {
    for (const auto& payload : payloads) log->append(now, "vitals", "", payload);
  }
  parts_->realtime->send_vitals(payloads, now);
}

std::shared_ptr<const annotation::Scene> SenderSession::annotation_scene() const {
  return parts_->authority.annotation_scene();
}
bool SenderSession::annotations_hidden() const { return parts_->authority.annotations_hidden(); }

// Each surgeon's control: one decision of the authority, then its effects.
#define SURGILINK_DECIDE(call) \
  do {                         \
    AuthorityEffects effects;  \
    parts_->authority.call;    \
    parts_->apply(effects);    \
  } while (false)

void SenderSession::revoke_pen(const std::string& by) {
  parts_->decide([&](SessionAuthority& a, AuthorityEffects& e) { a.revoke_pen(by, e); });
}
void SenderSession::grant_pen(const std::string& by) {
  parts_->decide([&](SessionAuthority& a, AuthorityEffects& e) { a.grant_pen(by, e); });
}
void SenderSession::set_annotations_hidden(bool hidden, const std::string& by) {
  parts_->decide([&](SessionAuthority& a, AuthorityEffects& e) { a.set_annotations_hidden(hidden, by, e); });
}
void SenderSession::clear_annotations(const std::string& by) {
  parts_->decide(
      [&](SessionAuthority& a, AuthorityEffects& e) { a.clear_annotations(by, parts_->clock.now(), e); });
}
std::size_t SenderSession::end_session(const std::string& name, const std::string& by) {
  Parts& p = *parts_;
  std::size_t ended = 0;
  for (const auto& [id, console] : p.consoles) {
    const Member* member = p.authority.member(id);
    if (member == nullptr || !console->admitted() || console->control().ended() ||
        (!name.empty() && member->name != name))
      continue;
    p.audit.record({"session_ended", {{"console", member->name}, {"by", by}}, AuditEvent::Level::kWarning});
    // A refusal after the welcome: the console shows it and does not reconnect (a lost link would).
    p.send_refusal(*console, "the OR ended this session",
                   ConsoleConnection::Closing{Departure::kGoodbye, "ended by the OR (" + by + ")"});
    ++ended;
  }
  return ended;
}

void SenderSession::expire_annotations_of(const std::string& author, const std::string& by) {
  parts_->decide([&](SessionAuthority& a, AuthorityEffects& e) {
    a.expire_annotations_of(author, by, parts_->clock.now(), e);
  });
}
const std::vector<Member>& SenderSession::roster() const { return parts_->authority.roster(); }
bool SenderSession::privacy_paused() const { return parts_->authority.privacy_paused(); }
void SenderSession::set_privacy_paused(bool paused, const std::string& by) {
  // Withheld before the consoles hear of it: nothing of the paused picture leaves after the announcement.
  if (paused) parts_->realtime->withhold_media(true);
  parts_->decide([&](SessionAuthority& a, AuthorityEffects& e) { a.set_privacy_paused(paused, by, e); });
  parts_->realtime->withhold_media(parts_->authority.privacy_paused());
}
void SenderSession::set_recording_state(bool consent_recorded, bool recording, const std::string& by,
                                        const std::string& details) {
  parts_->decide([&](SessionAuthority& a, AuthorityEffects& e) {
    a.set_recording_state(consent_recorded, recording, by, details, e);
  });
}

void SenderSession::record_audit_event(const AuditEvent& event) { parts_->audit.record(event); }

void SenderSession::set_event_log(std::shared_ptr<CaseEventLog> log) {
  if (auto* old = parts_->audit.event_log()) old->commit();
  parts_->audit.set_event_log(std::move(log));
  parts_->log_roster();  // who is here when the recording starts
  // And what is drawn: a review rebuilds the scene from this snapshot and the operations that follow it, also
  // when the recording starts in the middle of a session.
  if (auto* started = parts_->audit.event_log()) {
    const auto scene = parts_->authority.annotation_scene();
    const nlohmann::json detail = {{"version", scene->version}};
    started->append(parts_->clock.now(), "annotation_scene", detail.dump(), annotation::encode_scene(*scene));
    // The case's link as the last pre-flight found it (issue 15): evidence kept with the recording.
    if (const auto& pre = parts_->last_preflight) {
      const nlohmann::json link = {{"console", pre->person},
                                   {"peer", pre->peer},
                                   {"verdict", pre->verdict},
                                   {"sentence", pre->sentence},
                                   {"figures", pre->figures},
                                   {"sender_figures", pre->sender_figures},
                                   {"measured_ns", pre->at.time_since_epoch().count()}};
      started->append(parts_->clock.now(), "preflight",
                      link.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
  }
}

void SenderSession::reload_access_list() {
  Parts& p = *parts_;
  if (!p.settings.access_list_file) return;
  try {
    auto fresh = std::make_shared<const AccessList>(AccessList::load(*p.settings.access_list_file));
    AuthorityEffects effects;
    p.authority.replace_access_list(fresh, effects);
    for (const ConsoleId id : effects.close) {
      if (auto it = p.consoles.find(id); it != p.consoles.end())
        it->second->closing = ConsoleConnection::Closing{Departure::kRemoved, "removed from the access list"};
    }
    p.apply(effects);
  } catch (const std::exception& e) {
    spdlog::error("access list not reloaded, the old one stays in force: {}", e.what());
    p.audit.record({"access_list_reload_failed", {{"reason", e.what()}}, AuditEvent::Level::kWarning, {}});
  }
}

OrControlState SenderSession::or_controls() const { return parts_->authority.controls(); }

std::vector<ConsoleLatency> SenderSession::console_latencies() const {
  std::vector<ConsoleLatency> out;
  for (const auto& [id, c] : parts_->consoles) {
    if (!c->admitted() || c->control().ended() || !c->latency) continue;
    out.push_back(*c->latency);
    out.back().loss = parts_->realtime->loss_of(id);
  }
  return out;
}

std::uint16_t SenderSession::control_port() const { return parts_->server->port(); }
std::uint16_t SenderSession::media_port() const { return parts_->realtime->port(); }
std::size_t SenderSession::consoles_connected() const { return parts_->authority.roster().size(); }
const core::FaultCounters& SenderSession::faults() const { return parts_->faults; }
bool SenderSession::audit_healthy() const { return parts_->audit.healthy(); }

std::optional<PreflightRecord> SenderSession::last_preflight() const { return parts_->last_preflight; }

SenderSessionCounters SenderSession::counters() const {
  SenderSessionCounters c = parts_->counts;
  const RealtimeCounters& r = parts_->realtime->counters();
  c.frames_sent = r.frames_sent;
  c.packets_sent = r.packets_sent;
  c.bytes_sent = r.bytes_sent;
  c.send_drops = r.send_drops;
  c.pli_received = r.pli_received;
  c.vitals_packets_sent = r.vitals_packets_sent;
  c.voice_packets_sent = r.voice_packets_sent;
  c.nacked = r.nacked;
  c.retransmitted = r.retransmitted;
  c.rate_reports_received = r.rate_reports_received;
  c.fec_packets_sent = r.fec_packets_sent;
  c.frames_withheld = r.frames_withheld;
  c.keyframes_unheard = r.keyframes_unheard;
  c.probe_clusters_sent = r.probe_clusters_sent;
  c.voice_withheld = r.voice_withheld;
  c.voice_packets_received = r.voice_packets_received;
  c.connections_turned_away = parts_->server->counters().turned_away;
  c.accept_errors = parts_->server->counters().accept_errors;
  c.annotations_accepted = parts_->authority.scene().accepted();
  return c;
}

}  // namespace surgilink::session
