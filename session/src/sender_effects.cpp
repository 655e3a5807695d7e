// What the sender's decisions cause: audit, broadcasts, closes, keyframes. Part of SenderSession::Parts.
#include <nlohmann/json.hpp>

#include "sender_parts.hpp"
#include "surgilink/annotation/wire.hpp"
#include "surgilink/session/case_event_log.hpp"

namespace surgilink::session {

namespace {
// The event log's detail of a sequenced operation (README: Recordings); strings, as the audit fields are.
std::string annotation_detail(const annotation::SequencedOperation& op, const std::string& console) {
  nlohmann::json j = {{"seq", std::to_string(op.sequence)},
                      {"console", console},
                      {"author", op.author},
                      {"op", annotation::describe(op.op)}};
  if (const auto* begin = std::get_if<annotation::Begin>(&op.op)) {
    j["id"] = begin->draft.id;
    j["kind"] = annotation::describe(begin->draft.kind);
    j["reference_capture_ns"] = std::to_string(begin->draft.reference_capture.time_since_epoch().count());
  } else if (const auto* pointer = std::get_if<annotation::Pointer>(&op.op)) {
    j["reference_capture_ns"] = std::to_string(pointer->reference_capture.time_since_epoch().count());
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
}  // namespace

void SenderSession::Parts::apply(AuthorityEffects& effects) {
  for (const auto& event : effects.audit) audit.record(event);
  for (const auto& op : effects.operations) {
    const auto wire = annotation::encode(op);
    pb::Envelope e = envelope();
    e.set_annotation_operation(std::string(wire.begin(), wire.end()));
    broadcast(frame_of(e));
    if (auto* log = audit.event_log()) {
      std::string console = op.author == "or" ? "OR" : "";
      for (const Member& m : authority.roster()) {
        if (m.author == op.author) console = m.name;
      }
      log->append(clock.now(), "annotation", annotation_detail(op, console), wire);
    }
  }
  for (const ConsoleId id : effects.close) close(id, Departure::kReplaced, "replaced");
  if (effects.roster_changed && !stopped) {
    broadcast(roster_frame());
    log_roster();
  }
  if (effects.controls_changed) {
    listener.on_or_controls_changed();
    if (!stopped) broadcast(controls_frame());
  }
  if (effects.keyframe_needed) listener.on_keyframe_needed();
  counts.audit_lines = audit.lines();
}

void SenderSession::Parts::broadcast(const ControlFrame& frame) {
  for (const auto& [id, c] : consoles) {
    if (c->admitted() && !c->control().ended()) c->send(frame);
  }
}

ControlFrame SenderSession::Parts::controls_frame() const {
  const OrControlState state = authority.controls();
  pb::Envelope e = envelope();
  auto* c = e.mutable_or_controls();
  c->set_pen_holder(state.pen_holder);
  c->set_pen_holder_author(state.pen_holder_author);
  c->set_pen_revoked(state.pen_revoked);
  c->set_annotations_hidden(state.annotations_hidden);
  for (const auto row : state.flagged_vitals) c->add_flagged_vitals(to_wire(row));
  c->set_consent_recorded(state.consent_recorded);
  c->set_recording(state.recording);
  c->set_keys_exported(settings.export_srtp_keys.has_value());
  c->set_privacy_paused(state.privacy_paused);
  return frame_of(e);
}

// Everyone hears who is connected (DESIGN.md §7: the session is clear about who is there).
ControlFrame SenderSession::Parts::roster_frame() const {
  pb::Envelope e = envelope();
  auto* roster = e.mutable_roster();
  for (const Member& m : authority.roster()) {
    auto* entry = roster->add_consoles();
    entry->set_display_name(m.name);
    entry->set_role(to_wire(m.role));
    entry->set_annotation_author(m.author);
  }
  return frame_of(e);
}

void SenderSession::Parts::log_roster() {
  auto* log = audit.event_log();
  if (log == nullptr) return;
  nlohmann::json people = nlohmann::json::array();
  for (const Member& m : authority.roster())
    people.push_back({{"name", m.name}, {"role", role_name(m.role)}, {"author", m.author}});
  log->append(clock.now(), "roster", people.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void SenderSession::Parts::on_keyframe_request(ConsoleId) {
  // Several consoles may report the same loss: one keyframe per 200 ms serves them all.
  const auto now = clock.now();
  if (last_keyframe_request && now - *last_keyframe_request < std::chrono::milliseconds{200}) return;
  last_keyframe_request = now;
  listener.on_keyframe_needed();
}

void SenderSession::Parts::on_rate_estimate(ConsoleId) { listener.on_link_rate(console_links()); }

ConsoleLinks SenderSession::Parts::console_links() const {
  return {realtime->narrowest_estimate(), realtime->parity_loss(), realtime->any_link_unreported(),
          realtime->narrowest_from_preflight()};
}

void SenderSession::Parts::on_console_voice(ConsoleId console, const media::RtpHeader& header,
                                            std::span<const std::uint8_t> packet) {
  // Mentors hear each other through the sender (one stream each way per console); the OR hears them all.
  realtime->relay_voice(console, packet);
  const Member* talker = authority.member(console);
  listener.on_mentor_voice(header.ssrc, talker != nullptr ? talker->name : "mentor", packet);
}

}  // namespace surgilink::session
