#pragma once
// The sender's rules for a session (DESIGN.md §5, §7), without any I/O: who is admitted and as what, the
// roster, who holds the pen (and keeps it across a short link loss), the mentors' vitals flags, the
// surgeon's controls, the recording's state and the annotation scene. Every decision returns what the
// session must do next (audit, announce, close) as AuthorityEffects, so every rule is unit-tested with a
// simulated clock.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "surgilink/annotation/scene_authority.hpp"
#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/fault.hpp"
#include "surgilink/session/access_list.hpp"
#include "surgilink/vitals/vitals_row.hpp"

namespace surgilink::session {

// The session's number for one control connection (never reused in a sender's run).
using ConsoleId = std::uint64_t;

// One audit event a decision produced (DESIGN.md §7). Plain value type.
struct AuditEvent {
  enum class Level { kDebug, kInfo, kWarning };
  using Fields = std::vector<std::pair<std::string, std::string>>;
  AuditEvent(std::string what, Fields with, Level at = Level::kInfo, std::string repeats = {})
      : event(std::move(what)), fields(std::move(with)), level(at), repeat_key(std::move(repeats)) {}

  std::string event;  // "join", "pen", "vitals_flag_refused", ...
  Fields fields;      // peers' strings are made safe by the audit trail
  Level level = Level::kInfo;
  // Non-empty for a refusal a peer can repeat at will: the trail writes the first of each key per interval
  // and then one summary line, not one flushed line per attempt (issue 12).
  std::string repeat_key;
};

// What the session must do after a decision, in order. Plain value type.
struct AuthorityEffects {
  std::vector<AuditEvent> audit;
  bool controls_changed = false;  // tell every console (OrControls) and the OR display
  bool roster_changed = false;    // tell every console who is connected
  bool keyframe_needed = false;   // a console joined: it needs a full picture now
  std::vector<ConsoleId> close;   // connections to close (replaced, removed from the access list)
  std::vector<annotation::SequencedOperation> operations;  // accepted: broadcast and record, in this order
};

// What the surgeon's side decided and the recording's state. Plain value type.
struct OrControlState {
  std::string pen_holder;         // display name of the console holding the pen; empty: nobody
  std::string pen_holder_author;  // its annotation author id
  bool pen_revoked = false;       // the surgeon took the pen back
  std::string pen_waits_for;      // the holder's link was lost: the pen waits for this person to come back
  bool annotations_hidden = false;
  std::vector<vitals::VitalsRow> flagged_vitals;  // in flag order
  bool consent_recorded = false;                  // consent to record this case, recorded at the OR
  bool recording = false;
  bool privacy_paused = false;  // the OR paused video and voice to every console (DESIGN.md §8)
};

// A console asking to join (its hello and its TLS identity). Peers' strings are not yet safe here.
struct AdmissionRequest {
  std::string fingerprint;  // "sha256:..." of the certificate
  std::string common_name;
  std::uint32_t protocol_version = 0;
  std::uint32_t media_port = 0;
  std::string peer;  // "address:port"
};

// Admitted, with the name and role from the access list and the author id of its annotations.
struct Admitted {
  std::string name;
  Role role = Role::kObserver;
  std::string author;  // "c3"
};
// Refused, with the reason the console shows and the fault it counts as.
struct Refused {
  std::string reason;
  core::Fault fault = core::Fault::kNotAuthorised;
};

// Someone in the session. Plain value type.
struct Member {
  ConsoleId id = 0;
  std::string name;
  Role role = Role::kObserver;
  std::string author;
  std::string fingerprint;
  std::string peer;
};

// How a console left.
enum class Departure {
  kGoodbye,   // it said goodbye: the pen passes at once
  kLinkLost,  // closed, reset or silent: the pen waits `resume` for the same certificate
  kReplaced,  // the same certificate connected again: its new connection takes its place and pen
  kRemoved,   // no longer in the access list
};
// Its name in the audit's and the event log's "leave" events: "goodbye", "link_lost", "replaced", "removed".
const char* departure_name(Departure how);

// Limits of a session (configs/sender.toml [session]). Plain value type.
struct SessionRules {
  std::string site_name = "OR";
  std::uint32_t protocol_version = 2;
  std::size_t max_consoles = 16;
  std::chrono::seconds resume{20};  // how long the pen waits for a mentor whose link was lost
  annotation::AnnotationLimits annotation_limits;
};

// Network thread only, except annotation_scene() and annotations_hidden(), which any thread may call.
class SessionAuthority {
 public:
  SessionAuthority(SessionRules rules, std::shared_ptr<const AccessList> access);

  // A console's hello. One live connection per certificate: a known certificate replaces its old connection
  // (listed in effects.close), which hands over its pen.
  std::variant<Admitted, Refused> admit(ConsoleId id, const AdmissionRequest& request, core::CaptureTime now,
                                        AuthorityEffects& effects);
  // A console's hello asking for a pre-flight (a link check before a case; session/preflight.hpp): the same
  // checks of version, certificate and media port as a join, without joining. Refused during a live case
  // (anyone admitted): the ramp would compete with the case's stream on the OR's uplink, and its figures
  // would measure the link minus that stream. Only one at a time (`running`). Audited when refused.
  std::variant<AccessEntry, Refused> check_preflight(const AdmissionRequest& request, bool running,
                                                     AuthorityEffects& effects) const;
  // A console left (no effect for one that was never admitted or was already replaced).
  void depart(ConsoleId id, Departure how, const std::string& why, core::CaptureTime now,
              AuthorityEffects& effects);
  // Once a second: a pen that waited `resume` in vain passes on.
  void tick(core::CaptureTime now, AuthorityEffects& effects);

  // A mentor's annotation operation (the pen decides), checked and applied to the canonical scene.
  annotation::Checked<annotation::SequencedOperation> propose(ConsoleId id,
                                                              const annotation::AnnotationOperation& op,
                                                              core::CaptureTime now,
                                                              AuthorityEffects& effects);
  // Time-limited annotations (pointers) end; true when the scene changed.
  bool expire_annotations(core::CaptureTime now) { return scene_.expire(now); }
  // A mentor flags or unflags a vitals row for the surgeon; `row` is nullopt when the wire value is unknown.
  // False when refused (an observer, an unknown row; audited).
  bool flag_vital(ConsoleId id, std::optional<vitals::VitalsRow> row, bool flagged,
                  AuthorityEffects& effects);

  // The surgeon's controls; `by` says what pressed them ("key", "socket uid 1000", "panel").
  void revoke_pen(const std::string& by, AuthorityEffects& effects);
  void grant_pen(const std::string& by, AuthorityEffects& effects);
  void set_annotations_hidden(bool hidden, const std::string& by, AuthorityEffects& effects);
  void clear_annotations(const std::string& by, core::CaptureTime now, AuthorityEffects& effects);
  // Removes every annotation of `author` (a mentor who left): DESIGN.md §8, annotations expire.
  void expire_annotations_of(const std::string& author, const std::string& by, core::CaptureTime now,
                             AuthorityEffects& effects);
  // The OR's privacy pause (DESIGN.md §8): video and voice to every console stop at once; resuming asks
  // every console for a keyframe. The caller makes resuming a deliberate act (a second touch, a command).
  void set_privacy_paused(bool paused, const std::string& by, AuthorityEffects& effects);
  // The recording's state, set by the OR's recording (DESIGN.md §6); `details` is its folder.
  void set_recording_state(bool consent_recorded, bool recording, const std::string& by,
                           const std::string& details, AuthorityEffects& effects);
  // A new access list (SIGHUP): members no longer listed, or listed with another role, are closed.
  void replace_access_list(std::shared_ptr<const AccessList> access, AuthorityEffects& effects);

  OrControlState controls() const;
  const std::vector<Member>& roster() const { return roster_; }
  const Member* member(ConsoleId id) const;
  std::shared_ptr<const annotation::Scene> annotation_scene() const { return scene_.snapshot(); }
  bool annotations_hidden() const { return hidden_.load(std::memory_order_relaxed); }
  bool privacy_paused() const { return paused_; }
  const annotation::SceneAuthority& scene() const { return scene_; }
  const SessionRules& rules() const { return rules_; }

 private:
  // What a join and a pre-flight both check: the protocol version, the certificate on the access list
  // (`entry` set when it is), the media port. Nullopt when all hold.
  std::optional<Refused> identify(const AdmissionRequest& request, std::optional<AccessEntry>& entry) const;
  // The pen's holder when its link was lost, while it waits for the same certificate.
  struct PenReservation {
    std::string fingerprint;
    std::string name;
    core::CaptureTime until;
  };

  // Gives the pen to the mentor connected longest (or nobody) unless revoked or reserved.
  void pass_pen(const std::string& why, AuthorityEffects& effects);
  void set_pen(std::optional<ConsoleId> holder, const std::string& why, AuthorityEffects& effects);
  void drop_flags_without_mentors(AuthorityEffects& effects);
  void remove(ConsoleId id);

  SessionRules rules_;
  std::shared_ptr<const AccessList> access_;
  annotation::SceneAuthority scene_;
  std::vector<Member> roster_;  // in join order
  std::uint64_t next_author_ = 1;
  std::optional<ConsoleId> pen_;
  bool pen_revoked_ = false;
  std::optional<PenReservation> reservation_;
  std::atomic<bool> hidden_{false};
  bool paused_ = false;
  std::vector<vitals::VitalsRow> flagged_;
  bool consent_recorded_ = false;
  bool recording_ = false;
};

}  // namespace surgilink::session
