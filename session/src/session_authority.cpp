#include "surgilink/session/session_authority.hpp"

#include <algorithm>

#include "surgilink/core/safe_text.hpp"

namespace surgilink::session {

namespace {

using Level = AuditEvent::Level;

std::string seconds_text(std::chrono::seconds s) { return std::to_string(s.count()) + " s"; }

}  // namespace

const char* departure_name(Departure how) {
  switch (how) {
    case Departure::kGoodbye:
      return "goodbye";
    case Departure::kLinkLost:
      return "link_lost";
    case Departure::kReplaced:
      return "replaced";
    case Departure::kRemoved:
      return "removed";
  }
  return "?";
}

SessionAuthority::SessionAuthority(SessionRules rules, std::shared_ptr<const AccessList> access)
    : rules_(std::move(rules)), access_(std::move(access)), scene_(rules_.annotation_limits) {}

const Member* SessionAuthority::member(ConsoleId id) const {
  const auto it = std::find_if(roster_.begin(), roster_.end(), [id](const Member& m) { return m.id == id; });
  return it == roster_.end() ? nullptr : &*it;
}

void SessionAuthority::remove(ConsoleId id) {
  std::erase_if(roster_, [id](const Member& m) { return m.id == id; });
}

std::optional<Refused> SessionAuthority::identify(const AdmissionRequest& request,
                                                  std::optional<AccessEntry>& entry) const {
  if (request.protocol_version != rules_.protocol_version) {
    return Refused{"protocol version " + std::to_string(request.protocol_version) +
                       " is not supported; this sender speaks version " +
                       std::to_string(rules_.protocol_version) + " (update the console)",
                   core::Fault::kUnsupportedVersion};
  }
  entry = access_->find(request.fingerprint);
  if (!entry) {
    return Refused{"certificate \"" + core::safe_text(request.common_name, 64) + "\" (" +
                       request.fingerprint + ") is not in the access list of " + rules_.site_name,
                   core::Fault::kNotAuthorised};
  }
  if (request.media_port == 0 || request.media_port > 65535)
    return Refused{"hello carries no valid media port", core::Fault::kMalformed};
  return std::nullopt;
}

std::variant<AccessEntry, Refused> SessionAuthority::check_preflight(const AdmissionRequest& request,
                                                                     bool running,
                                                                     AuthorityEffects& effects) const {
  std::optional<AccessEntry> entry;
  std::optional<Refused> refused = identify(request, entry);
  if (!refused && !roster_.empty()) {
    refused = Refused{"no pre-flight during a live case: " + rules_.site_name + " serves " +
                          std::to_string(roster_.size()) + (roster_.size() == 1 ? " console" : " consoles") +
                          " now (run it before the case, when nobody is connected)",
                      core::Fault::kRateLimited};
  }
  if (!refused && running)
    refused =
        Refused{"another pre-flight with " + rules_.site_name + " is running", core::Fault::kRateLimited};
  if (!refused) return *entry;
  const std::string peer = core::safe_text(request.peer, 64);
  effects.audit.push_back({"preflight_refused",
                           {{"peer", peer}, {"reason", refused->reason}},
                           Level::kWarning,
                           "preflight_refused " + peer});
  return *refused;
}

std::variant<Admitted, Refused> SessionAuthority::admit(ConsoleId id, const AdmissionRequest& request,
                                                        core::CaptureTime now, AuthorityEffects& effects) {
  const std::string peer = core::safe_text(request.peer, 64);
  auto refused = [&](core::Fault fault, std::string reason) -> std::variant<Admitted, Refused> {
    effects.audit.push_back(
        {"refused", {{"peer", peer}, {"reason", reason}}, Level::kWarning, "refused " + peer});
    return Refused{std::move(reason), fault};
  };
  std::optional<AccessEntry> entry;
  if (auto unknown = identify(request, entry)) return refused(unknown->fault, std::move(unknown->reason));
  // One live connection per certificate: the new one takes the old one's place (a laptop that changed
  // network reconnects before the sender notices that its old connection is dead).
  std::optional<ConsoleId> replaced;
  for (const Member& m : roster_) {
    if (m.fingerprint == request.fingerprint) replaced = m.id;
  }
  if (!replaced && roster_.size() >= rules_.max_consoles) {
    return refused(core::Fault::kRateLimited, rules_.site_name + " already serves " +
                                                  std::to_string(rules_.max_consoles) +
                                                  " consoles, its limit (max_consoles)");
  }
  const bool inherits_pen = replaced && pen_ == replaced;
  if (replaced) {
    const Member old = *member(*replaced);
    remove(old.id);
    scene_.forget(old.author);
    effects.close.push_back(old.id);
    effects.audit.push_back({"leave",
                             {{"console", old.name},
                              {"author", old.author},
                              {"why", "replaced by a new connection from " + peer},
                              {"departure", departure_name(Departure::kReplaced)}}});
  }
  Member m{id, entry->name, entry->role, "c" + std::to_string(next_author_++), request.fingerprint, peer};
  roster_.push_back(m);
  effects.audit.push_back({"join",
                           {{"console", m.name},
                            {"role", role_name(m.role)},
                            {"fingerprint", m.fingerprint},
                            {"author", m.author},
                            {"peer", peer}}});
  effects.roster_changed = true;
  effects.keyframe_needed = true;
  if (m.role == Role::kMentor) {
    if (inherits_pen) {
      set_pen(id, m.name + " reconnected", effects);
    } else if (reservation_ && reservation_->fingerprint == m.fingerprint && now < reservation_->until) {
      reservation_.reset();
      set_pen(id, m.name + " came back within " + seconds_text(rules_.resume), effects);
    } else if (!pen_ && !pen_revoked_ && !reservation_) {
      set_pen(id, "first mentor to join", effects);
    }
  }
  return Admitted{m.name, m.role, m.author};
}

void SessionAuthority::depart(ConsoleId id, Departure how, const std::string& why, core::CaptureTime now,
                              AuthorityEffects& effects) {
  const Member* found = member(id);
  if (found == nullptr) return;
  const Member m = *found;
  remove(id);
  scene_.forget(m.author);
  effects.audit.push_back(
      {"leave",
       {{"console", m.name}, {"author", m.author}, {"why", why}, {"departure", departure_name(how)}}});
  effects.roster_changed = true;
  if (pen_ == id) {
    if (how == Departure::kLinkLost && rules_.resume.count() > 0) {
      // DESIGN.md §8: after a loss the session resumes without anyone acting, the pen included.
      pen_.reset();
      reservation_ = PenReservation{m.fingerprint, m.name, now + rules_.resume};
      effects.audit.push_back(
          {"pen_waits",
           {{"for", m.name}, {"author", m.author}, {"seconds", std::to_string(rules_.resume.count())}},
           Level::kWarning});
      effects.controls_changed = true;
    } else {
      pen_.reset();
      pass_pen(m.name + " left", effects);
    }
  }
  drop_flags_without_mentors(effects);
}

void SessionAuthority::tick(core::CaptureTime now, AuthorityEffects& effects) {
  if (!reservation_ || now < reservation_->until) return;
  const std::string name = reservation_->name;
  reservation_.reset();
  effects.audit.push_back(
      {"pen_released",
       {{"from", name}, {"why", "did not come back within " + seconds_text(rules_.resume)}},
       Level::kWarning});
  effects.controls_changed = true;
  pass_pen(name + " did not come back", effects);
  drop_flags_without_mentors(effects);
}

void SessionAuthority::set_pen(std::optional<ConsoleId> holder, const std::string& why,
                               AuthorityEffects& effects) {
  if (holder == pen_) return;
  pen_ = holder;
  const Member* m = holder ? member(*holder) : nullptr;
  effects.audit.push_back(
      {"pen",
       {{"holder", m ? m->name : std::string()}, {"author", m ? m->author : std::string()}, {"why", why}}});
  effects.controls_changed = true;
}

void SessionAuthority::pass_pen(const std::string& why, AuthorityEffects& effects) {
  if (pen_revoked_ || reservation_) return;
  std::optional<ConsoleId> next;
  for (const Member& m : roster_) {
    if (m.role == Role::kMentor) {
      next = m.id;
      break;
    }
  }
  set_pen(next, why, effects);
}

void SessionAuthority::drop_flags_without_mentors(AuthorityEffects& effects) {
  // Flags are the mentors' guidance: with no mentor left (and none expected back), nobody stands behind them.
  const bool mentor_here =
      std::any_of(roster_.begin(), roster_.end(), [](const Member& m) { return m.role == Role::kMentor; });
  if (mentor_here || reservation_ || flagged_.empty()) return;
  flagged_.clear();
  effects.audit.push_back({"vitals_unflagged", {{"why", "no mentor connected"}}});
  effects.controls_changed = true;
}

annotation::Checked<annotation::SequencedOperation> SessionAuthority::propose(
    ConsoleId id, const annotation::AnnotationOperation& op, core::CaptureTime now,
    AuthorityEffects& effects) {
  const Member* m = member(id);
  auto refused = [&](annotation::Refusal r) -> annotation::Checked<annotation::SequencedOperation> {
    const std::string name = m ? m->name : std::string("?");
    effects.audit.push_back(
        {"annotation_refused",
         {{"console", name}, {"role", m ? role_name(m->role) : "?"}, {"reason", r.reason}},
         Level::kWarning,
         "annotation_refused " + name + " " + core::describe(r.fault)});
    return r;
  };
  if (m == nullptr) return refused({core::Fault::kNotAuthorised, "not admitted"});
  if (m->role == Role::kMentor && pen_ != id) {
    return refused({core::Fault::kNotAuthorised,
                    pen_revoked_   ? std::string("the surgeon has taken the pen back")
                    : reservation_ ? "the pen waits for " + reservation_->name + " to come back"
                    : pen_         ? member(*pen_)->name + " holds the pen"
                                   : std::string("nobody holds the pen")});
  }
  const annotation::Author author{m->author, m->role == Role::kMentor, false};
  auto applied = scene_.apply(author, op, now);
  if (!applied) return refused(applied.error());
  AuditEvent accepted{"annotation",
                      {{"seq", std::to_string(applied.value().sequence)},
                       {"console", m->name},
                       {"author", m->author},
                       {"op", annotation::describe(applied.value().op)}},
                      Level::kDebug,
                      {}};
  if (const auto* begin = std::get_if<annotation::Begin>(&applied.value().op)) {
    accepted.fields.emplace_back("id", begin->draft.id);
    accepted.fields.emplace_back("kind", annotation::describe(begin->draft.kind));
    accepted.fields.emplace_back("reference_capture_ns",
                                 std::to_string(begin->draft.reference_capture.time_since_epoch().count()));
  } else if (const auto* pointer = std::get_if<annotation::Pointer>(&applied.value().op)) {
    accepted.fields.emplace_back("reference_capture_ns",
                                 std::to_string(pointer->reference_capture.time_since_epoch().count()));
  }
  effects.audit.push_back(std::move(accepted));
  effects.operations.push_back(applied.value());
  return applied;
}

bool SessionAuthority::flag_vital(ConsoleId id, std::optional<vitals::VitalsRow> row, bool flagged,
                                  AuthorityEffects& effects) {
  const Member* m = member(id);
  if (m == nullptr) return false;
  auto refused = [&](const std::string& reason) {
    effects.audit.push_back({"vitals_flag_refused",
                             {{"console", m->name}, {"reason", reason}},
                             Level::kWarning,
                             "vitals_flag_refused " + m->name});
    return false;
  };
  if (!row) return refused("unknown vitals row");
  if (m->role != Role::kMentor) return refused("only a mentor flags vitals");
  const auto at = std::find(flagged_.begin(), flagged_.end(), *row);
  if (flagged == (at != flagged_.end())) return true;
  if (flagged) {
    flagged_.push_back(*row);
  } else {
    flagged_.erase(at);
  }
  effects.audit.push_back({flagged ? "vitals_flagged" : "vitals_unflagged",
                           {{"console", m->name}, {"vital", std::string(vitals::info(*row).key)}}});
  effects.controls_changed = true;
  return true;
}

void SessionAuthority::revoke_pen(const std::string& by, AuthorityEffects& effects) {
  if (pen_revoked_) return;
  pen_revoked_ = true;
  const Member* holder = pen_ ? member(*pen_) : nullptr;
  effects.audit.push_back(
      {"pen_revoked", {{"by", by}, {"from", holder ? holder->name : std::string()}}, Level::kWarning});
  pen_.reset();
  reservation_.reset();  // the surgeon's decision ends the wait too
  effects.controls_changed = true;
  drop_flags_without_mentors(effects);  // ... and with it the lost mentor's flags
}

void SessionAuthority::grant_pen(const std::string& by, AuthorityEffects& effects) {
  if (!pen_revoked_) return;
  pen_revoked_ = false;
  effects.audit.push_back({"pen_granted", {{"by", by}}});
  effects.controls_changed = true;
  pass_pen("granted by " + by, effects);
}

void SessionAuthority::set_annotations_hidden(bool hidden, const std::string& by, AuthorityEffects& effects) {
  if (hidden_.exchange(hidden) == hidden) return;
  effects.audit.push_back({hidden ? "annotations_hidden" : "annotations_shown", {{"by", by}}});
  effects.controls_changed = true;
}

void SessionAuthority::expire_annotations_of(const std::string& author, const std::string& by,
                                             core::CaptureTime now, AuthorityEffects& effects) {
  // As that author's own "clear mine", applied by the surgeon side (the author is gone).
  const annotation::Author gone{author, false, true};
  auto applied = scene_.apply(gone, annotation::Clear{annotation::ClearScope::kMine}, now);
  if (!applied) {
    effects.audit.push_back({"annotations_expire_failed",
                             {{"by", by}, {"author", author}, {"reason", applied.error().reason}},
                             Level::kWarning});
    return;
  }
  effects.audit.push_back(
      {"annotations_expired",
       {{"by", by}, {"author", author}, {"seq", std::to_string(applied.value().sequence)}}});
  effects.operations.push_back(applied.value());
}

void SessionAuthority::set_privacy_paused(bool paused, const std::string& by, AuthorityEffects& effects) {
  if (paused_ == paused) return;
  paused_ = paused;
  effects.audit.push_back({paused ? "privacy_paused" : "privacy_resumed", {{"by", by}}});
  effects.controls_changed = true;
  // Every console's decoder lost its reference pictures with the pause: a full picture brings them back.
  if (!paused) effects.keyframe_needed = true;
}

void SessionAuthority::clear_annotations(const std::string& by, core::CaptureTime now,
                                         AuthorityEffects& effects) {
  const annotation::Author surgeon{"or", false, true};
  auto applied = scene_.apply(surgeon, annotation::Clear{annotation::ClearScope::kAll}, now);
  if (!applied) {
    effects.audit.push_back(
        {"annotations_clear_failed", {{"by", by}, {"reason", applied.error().reason}}, Level::kWarning});
    return;
  }
  effects.audit.push_back(
      {"annotations_cleared",
       {{"by", by}, {"seq", std::to_string(applied.value().sequence)}, {"op", "clear all"}}});
  effects.operations.push_back(applied.value());
}

void SessionAuthority::set_recording_state(bool consent_recorded, bool recording, const std::string& by,
                                           const std::string& details, AuthorityEffects& effects) {
  if (consent_recorded_ == consent_recorded && recording_ == recording) return;
  std::vector<std::pair<std::string, std::string>> fields{{"by", by}};
  if (!details.empty()) fields.emplace_back("recording", details);
  if (consent_recorded && !consent_recorded_) effects.audit.push_back({"consent_recorded", fields});
  if (!consent_recorded && consent_recorded_)
    effects.audit.push_back({"consent_withdrawn", fields, Level::kWarning});
  if (recording && !recording_) effects.audit.push_back({"recording_started", fields});
  if (!recording && recording_) effects.audit.push_back({"recording_stopped", fields});
  consent_recorded_ = consent_recorded;
  recording_ = recording;
  effects.controls_changed = true;
}

void SessionAuthority::replace_access_list(std::shared_ptr<const AccessList> access,
                                           AuthorityEffects& effects) {
  access_ = std::move(access);
  std::vector<ConsoleId> removed;
  for (const Member& m : roster_) {
    const auto entry = access_->find(m.fingerprint);
    if (!entry || entry->role != m.role) removed.push_back(m.id);
  }
  effects.audit.push_back(
      {"access_list_reloaded",
       {{"people", std::to_string(access_->size())}, {"removed", std::to_string(removed.size())}}});
  for (const ConsoleId id : removed) {
    const Member m = *member(id);
    effects.close.push_back(id);
    effects.audit.push_back(
        {"access_removed", {{"console", m.name}, {"fingerprint", m.fingerprint}}, Level::kWarning});
  }
}

OrControlState SessionAuthority::controls() const {
  OrControlState s;
  if (const Member* holder = pen_ ? member(*pen_) : nullptr) {
    s.pen_holder = holder->name;
    s.pen_holder_author = holder->author;
  }
  s.pen_revoked = pen_revoked_;
  if (reservation_) s.pen_waits_for = reservation_->name;
  s.annotations_hidden = hidden_.load(std::memory_order_relaxed);
  s.flagged_vitals = flagged_;
  s.consent_recorded = consent_recorded_;
  s.recording = recording_;
  s.privacy_paused = paused_;
  return s;
}

}  // namespace surgilink::session
