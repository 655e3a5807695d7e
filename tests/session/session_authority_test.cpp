// The sender's rules for a session, without sockets: admission, roster, pen (across link loss), flags, the
// surgeon's controls, the access list.
#include "surgilink/session/session_authority.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace surgilink::session {
namespace {

using std::chrono::seconds;

constexpr const char* kMentorA = "sha256:aaaa";
constexpr const char* kMentorB = "sha256:bbbb";
constexpr const char* kObserver = "sha256:cccc";

std::shared_ptr<const AccessList> access(bool with_b = true) {
  AccessList list;
  list.add(kMentorA, {"Dr. A", Role::kMentor});
  if (with_b) list.add(kMentorB, {"Dr. B", Role::kMentor});
  list.add(kObserver, {"Resident C", Role::kObserver});
  return std::make_shared<const AccessList>(std::move(list));
}

bool has_event(const AuthorityEffects& e, const std::string& event) {
  return std::any_of(e.audit.begin(), e.audit.end(), [&](const AuditEvent& a) { return a.event == event; });
}

class SessionAuthorityTest : public ::testing::Test {
 protected:
  SessionAuthorityTest() : authority_(rules(), access()) {}

  static SessionRules rules() {
    SessionRules r;
    r.site_name = "OR 3";
    r.max_consoles = 3;
    r.resume = seconds{20};
    return r;
  }

  // Admits `fingerprint` as console `id`; the admission or the refusal.
  std::variant<Admitted, Refused> join(ConsoleId id, const std::string& fingerprint,
                                       AuthorityEffects* out = nullptr) {
    AuthorityEffects effects;
    auto result = authority_.admit(id, {fingerprint, "CN", 2, 40000, "10.0.0.9:5000"}, clock_.now(), effects);
    if (out) *out = effects;
    return result;
  }
  std::string author(ConsoleId id) const { return authority_.member(id)->author; }
  std::string pen() const { return authority_.controls().pen_holder; }

  core::SimulatedClock clock_;
  SessionAuthority authority_;
};

TEST_F(SessionAuthorityTest, TheFirstMentorToJoinHoldsThePenAndAnObserverNever) {
  AuthorityEffects effects;
  ASSERT_TRUE(std::holds_alternative<Admitted>(join(1, kObserver, &effects)));
  EXPECT_EQ(pen(), "");
  EXPECT_TRUE(effects.roster_changed);
  EXPECT_TRUE(effects.keyframe_needed) << "a joining console needs a full picture";
  ASSERT_TRUE(std::holds_alternative<Admitted>(join(2, kMentorA, &effects)));
  EXPECT_EQ(pen(), "Dr. A");
  EXPECT_TRUE(effects.controls_changed);
  EXPECT_TRUE(has_event(effects, "pen"));
  join(3, kMentorB);
  EXPECT_EQ(pen(), "Dr. A") << "the pen stays with the first mentor";
  EXPECT_EQ(authority_.roster().size(), 3u);
  EXPECT_EQ(author(2), "c2");
}

TEST_F(SessionAuthorityTest, RefusalsNameTheirReasonAndAreSummarisedPerPeer) {
  AuthorityEffects effects;
  auto version = authority_.admit(1, {kMentorA, "CN", 1, 40000, "10.0.0.9:1"}, clock_.now(), effects);
  ASSERT_TRUE(std::holds_alternative<Refused>(version));
  EXPECT_EQ(std::get<Refused>(version).fault, core::Fault::kUnsupportedVersion);
  EXPECT_NE(std::get<Refused>(version).reason.find("version 1 is not supported"), std::string::npos);

  // A Latin-1 certificate name (not UTF-8) reaches the reason as safe text.
  auto stranger =
      authority_.admit(2, {"sha256:ffff", "Jos\xe9\n", 2, 40000, "10.0.0.9:2"}, clock_.now(), effects);
  ASSERT_TRUE(std::holds_alternative<Refused>(stranger));
  EXPECT_NE(std::get<Refused>(stranger).reason.find("\"Jos\xEF\xBF\xBD\\x0a\""), std::string::npos)
      << std::get<Refused>(stranger).reason;
  EXPECT_EQ(effects.audit.back().repeat_key, "refused 10.0.0.9:2");

  auto no_port = authority_.admit(3, {kMentorA, "CN", 2, 0, "p"}, clock_.now(), effects);
  ASSERT_TRUE(std::holds_alternative<Refused>(no_port));
  EXPECT_EQ(std::get<Refused>(no_port).fault, core::Fault::kMalformed);
  EXPECT_TRUE(authority_.roster().empty());
}

TEST_F(SessionAuthorityTest, MaxConsolesIsALimitButTheSameCertificateMayAlwaysComeBack) {
  join(1, kMentorA);
  join(2, kMentorB);
  join(3, kObserver);
  AuthorityEffects effects;
  authority_.replace_access_list(std::make_shared<const AccessList>([] {
                                   AccessList l;
                                   l.add(kMentorA, {"Dr. A", Role::kMentor});
                                   l.add(kMentorB, {"Dr. B", Role::kMentor});
                                   l.add(kObserver, {"Resident C", Role::kObserver});
                                   l.add("sha256:dddd", {"Dr. D", Role::kMentor});
                                   return l;
                                 }()),
                                 effects);
  auto full = join(4, "sha256:dddd");
  ASSERT_TRUE(std::holds_alternative<Refused>(full));
  EXPECT_NE(std::get<Refused>(full).reason.find("max_consoles"), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<Admitted>(join(5, kMentorB)))
      << "a replacement does not need a free place";
}

TEST_F(SessionAuthorityTest, ASecondConnectionOfTheSameCertificateReplacesTheFirstAndTakesItsPen) {
  join(1, kMentorA);
  join(2, kMentorB);
  AuthorityEffects effects;
  ASSERT_TRUE(std::holds_alternative<Admitted>(join(3, kMentorA, &effects)));
  EXPECT_EQ(effects.close, std::vector<ConsoleId>{1});
  EXPECT_EQ(authority_.member(1), nullptr);
  EXPECT_EQ(authority_.controls().pen_holder_author, author(3)) << "not passed to Dr. B";
  // The replaced connection's end changes nothing more.
  AuthorityEffects later;
  authority_.depart(1, Departure::kReplaced, "replaced", clock_.now(), later);
  EXPECT_TRUE(later.audit.empty());
  EXPECT_EQ(authority_.roster().size(), 2u);
}

TEST_F(SessionAuthorityTest, ThePenWaitsForAMentorWhoseLinkWasLostAndComesBackToTheSameCertificate) {
  join(1, kMentorA);
  join(2, kMentorB);
  const std::string a = author(1);
  AuthorityEffects effects;
  authority_.depart(1, Departure::kLinkLost, "silent for 10 s", clock_.now(), effects);
  EXPECT_EQ(pen(), "");
  EXPECT_EQ(authority_.controls().pen_waits_for, "Dr. A");
  EXPECT_TRUE(has_event(effects, "pen_waits"));

  // Dr. B may not draw while the pen waits.
  annotation::Annotation draft;
  draft.id = author(2) + "-1";
  draft.kind = annotation::AnnotationKind::kStroke;
  draft.points = {{0.1F, 0.1F}, {0.2F, 0.2F}};
  AuthorityEffects refused;
  auto op = authority_.propose(2, annotation::Begin{draft}, clock_.now(), refused);
  ASSERT_FALSE(op);
  EXPECT_NE(op.error().reason.find("waits for Dr. A"), std::string::npos) << op.error().reason;

  clock_.advance(seconds{19});
  AuthorityEffects tick;
  authority_.tick(clock_.now(), tick);
  EXPECT_FALSE(tick.controls_changed);
  join(3, kMentorA);
  EXPECT_EQ(authority_.controls().pen_holder_author, author(3)) << "back within resume_s: the pen is its own";
  EXPECT_EQ(authority_.controls().pen_waits_for, "");
}

TEST_F(SessionAuthorityTest, AfterResumeSecondsInVainThePenPassesOnAndTheOrIsTold) {
  join(1, kMentorA);
  join(2, kMentorB);
  AuthorityEffects effects;
  authority_.depart(1, Departure::kLinkLost, "reset", clock_.now(), effects);
  clock_.advance(seconds{20});
  AuthorityEffects tick;
  authority_.tick(clock_.now(), tick);
  EXPECT_TRUE(has_event(tick, "pen_released"));
  EXPECT_TRUE(tick.controls_changed);
  EXPECT_EQ(pen(), "Dr. B");
  join(3, kMentorA);
  EXPECT_EQ(pen(), "Dr. B") << "too late: the pen stays where it went";
}

TEST_F(SessionAuthorityTest, AGoodbyePassesThePenAtOnce) {
  join(1, kMentorA);
  join(2, kMentorB);
  AuthorityEffects effects;
  authority_.depart(1, Departure::kGoodbye, "said goodbye", clock_.now(), effects);
  EXPECT_EQ(pen(), "Dr. B");
  EXPECT_EQ(authority_.controls().pen_waits_for, "");
}

TEST_F(SessionAuthorityTest, OnlyThePenHolderDrawsAndAcceptedOperationsAreSequencedAndAudited) {
  join(1, kObserver);
  join(2, kMentorA);
  join(3, kMentorB);
  annotation::Annotation draft;
  draft.kind = annotation::AnnotationKind::kStroke;
  draft.points = {{0.1F, 0.1F}, {0.2F, 0.2F}};
  AuthorityEffects effects;
  draft.id = author(1) + "-1";
  EXPECT_FALSE(authority_.propose(1, annotation::Begin{draft}, clock_.now(), effects)) << "an observer";
  draft.id = author(3) + "-1";
  auto no_pen = authority_.propose(3, annotation::Begin{draft}, clock_.now(), effects);
  ASSERT_FALSE(no_pen);
  EXPECT_EQ(no_pen.error().reason, "Dr. A holds the pen");
  EXPECT_EQ(effects.audit.back().repeat_key, "annotation_refused Dr. B not authorised");
  EXPECT_TRUE(effects.operations.empty());

  draft.id = author(2) + "-1";
  AuthorityEffects accepted;
  auto ok = authority_.propose(2, annotation::Begin{draft}, clock_.now(), accepted);
  ASSERT_TRUE(ok) << ok.error().reason;
  ASSERT_EQ(accepted.operations.size(), 1u);
  EXPECT_EQ(accepted.operations[0].sequence, 1u);
  EXPECT_EQ(accepted.audit.back().event, "annotation");
  EXPECT_EQ(accepted.audit.back().level, AuditEvent::Level::kDebug);
  EXPECT_EQ(authority_.annotation_scene()->annotations.size(), 1u);
}

TEST_F(SessionAuthorityTest, VitalsFlagsAreTheMentorsAndGoWhenNoMentorIsLeft) {
  join(1, kObserver);
  join(2, kMentorA);
  AuthorityEffects effects;
  EXPECT_FALSE(authority_.flag_vital(1, vitals::VitalsRow::kAbp, true, effects)) << "an observer";
  EXPECT_EQ(effects.audit.back().repeat_key, "vitals_flag_refused Resident C");
  EXPECT_FALSE(authority_.flag_vital(2, std::nullopt, true, effects)) << "no such row";
  EXPECT_FALSE(effects.controls_changed);
  EXPECT_TRUE(authority_.flag_vital(2, vitals::VitalsRow::kAbp, true, effects));
  EXPECT_TRUE(authority_.flag_vital(2, vitals::VitalsRow::kSpo2, true, effects));
  EXPECT_TRUE(effects.controls_changed);
  EXPECT_EQ(authority_.controls().flagged_vitals,
            (std::vector<vitals::VitalsRow>{vitals::VitalsRow::kAbp, vitals::VitalsRow::kSpo2}));

  // The mentor's link is lost: the flags stay while the pen waits for it, and go when it does not return.
  AuthorityEffects lost;
  authority_.depart(2, Departure::kLinkLost, "reset", clock_.now(), lost);
  EXPECT_EQ(authority_.controls().flagged_vitals.size(), 2u);
  clock_.advance(seconds{21});
  AuthorityEffects tick;
  authority_.tick(clock_.now(), tick);
  EXPECT_TRUE(authority_.controls().flagged_vitals.empty());
  EXPECT_TRUE(has_event(tick, "vitals_unflagged"));
}

// Found by the control_session fuzz target
// (tests/fuzz/corpus/control_session/regression-revoke-while-pen-waits).
TEST_F(SessionAuthorityTest, RevokingThePenWhileItWaitsForALostMentorDropsThatMentorsFlags) {
  join(1, kObserver);
  join(2, kMentorA);
  AuthorityEffects effects;
  ASSERT_TRUE(authority_.flag_vital(2, vitals::VitalsRow::kSpo2, true, effects));
  AuthorityEffects lost;
  authority_.depart(2, Departure::kLinkLost, "reset", clock_.now(), lost);
  ASSERT_EQ(authority_.controls().flagged_vitals.size(), 1u) << "the pen waits for the mentor";

  // The surgeon's decision ends the wait: nobody stands behind the flag any more.
  AuthorityEffects revoke;
  authority_.revoke_pen("key", revoke);
  EXPECT_TRUE(authority_.controls().pen_waits_for.empty());
  EXPECT_TRUE(authority_.controls().flagged_vitals.empty());
  EXPECT_TRUE(has_event(revoke, "vitals_unflagged"));
  EXPECT_TRUE(revoke.controls_changed);
}

TEST_F(SessionAuthorityTest, TheSurgeonRevokesGrantsHidesAndClears) {
  join(1, kMentorA);
  AuthorityEffects effects;
  authority_.revoke_pen("key", effects);
  EXPECT_TRUE(authority_.controls().pen_revoked);
  EXPECT_EQ(pen(), "");
  join(2, kMentorB);
  EXPECT_EQ(pen(), "") << "nobody draws until the surgeon gives the pen again";
  authority_.grant_pen("panel", effects);
  EXPECT_EQ(pen(), "Dr. A");
  authority_.set_annotations_hidden(true, "pedal", effects);
  EXPECT_TRUE(authority_.annotations_hidden());
  AuthorityEffects again;
  authority_.set_annotations_hidden(true, "pedal", again);
  EXPECT_TRUE(again.audit.empty()) << "no change, no event";
  AuthorityEffects cleared;
  authority_.clear_annotations("socket uid 1000", clock_.now(), cleared);
  ASSERT_EQ(cleared.operations.size(), 1u);
  EXPECT_EQ(cleared.operations[0].author, "or");
}

TEST_F(SessionAuthorityTest, APrivacyPauseIsAuditedAnnouncedAndEndsWithAKeyframe) {
  AuthorityEffects paused;
  authority_.set_privacy_paused(true, "touch", paused);
  EXPECT_TRUE(authority_.privacy_paused());
  EXPECT_TRUE(authority_.controls().privacy_paused);
  EXPECT_TRUE(has_event(paused, "privacy_paused"));
  EXPECT_TRUE(paused.controls_changed);
  EXPECT_FALSE(paused.keyframe_needed);
  AuthorityEffects again;
  authority_.set_privacy_paused(true, "touch", again);
  EXPECT_TRUE(again.audit.empty()) << "no change, no event";
  AuthorityEffects resumed;
  authority_.set_privacy_paused(false, "key p", resumed);
  EXPECT_TRUE(has_event(resumed, "privacy_resumed"));
  EXPECT_TRUE(resumed.keyframe_needed) << "every console needs a full picture after the pause";
  EXPECT_FALSE(authority_.controls().privacy_paused);
}

TEST_F(SessionAuthorityTest, ADepartedMentorsAnnotationsExpireAndOnlyTheirs) {
  join(2, kMentorA);
  join(3, kMentorB);
  annotation::Annotation draft;
  draft.kind = annotation::AnnotationKind::kStroke;
  draft.points = {{0.1F, 0.1F}, {0.2F, 0.2F}};
  draft.id = author(2) + "-1";
  AuthorityEffects effects;
  ASSERT_TRUE(authority_.propose(2, annotation::Begin{draft}, clock_.now(), effects));
  AuthorityEffects surgeon;
  authority_.clear_annotations("test", clock_.now(), surgeon);  // nothing of B's survives either way
  ASSERT_TRUE(authority_.propose(2, annotation::Begin{draft}, clock_.now(), effects));
  AuthorityEffects expired;
  authority_.expire_annotations_of(author(3), "or display", clock_.now(), expired);
  EXPECT_EQ(authority_.annotation_scene()->annotations.size(), 1u) << "another mentor's annotations stay";
  authority_.expire_annotations_of(author(2), "or display", clock_.now(), expired);
  EXPECT_TRUE(authority_.annotation_scene()->annotations.empty());
  EXPECT_TRUE(has_event(expired, "annotations_expired"));
  EXPECT_FALSE(expired.operations.empty()) << "the consoles are told, as for any clear";
}

TEST_F(SessionAuthorityTest, RecordingStateChangesAreEachAudited) {
  AuthorityEffects effects;
  authority_.set_recording_state(true, true, "key", "/rec/CASE-1", effects);
  EXPECT_TRUE(has_event(effects, "consent_recorded"));
  EXPECT_TRUE(has_event(effects, "recording_started"));
  AuthorityEffects withdrawn;
  authority_.set_recording_state(false, false, "socket", "", withdrawn);
  EXPECT_TRUE(has_event(withdrawn, "consent_withdrawn"));
  EXPECT_TRUE(has_event(withdrawn, "recording_stopped"));
  EXPECT_FALSE(authority_.controls().recording);
}

TEST_F(SessionAuthorityTest, AReloadedAccessListClosesWhoIsNoLongerListed) {
  join(1, kMentorA);
  join(2, kMentorB);
  AuthorityEffects effects;
  authority_.replace_access_list(access(false), effects);
  EXPECT_EQ(effects.close, std::vector<ConsoleId>{2});
  EXPECT_TRUE(has_event(effects, "access_removed"));
  auto refused = join(3, kMentorB);
  EXPECT_TRUE(std::holds_alternative<Refused>(refused));
}

}  // namespace
}  // namespace surgilink::session

namespace surgilink::session {
namespace {

// Pre-flight (issue 15): a person on the access list may check the link before a case, without joining it;
// never during a live case, never two at once, never a stranger.
TEST_F(SessionAuthorityTest, APreflightIsGrantedBeforeACaseOnlyToAListedPersonWithoutJoining) {
  const AdmissionRequest ask{kObserver, "CN", 2, 40000, "10.0.0.9:5000"};
  AuthorityEffects effects;
  const auto granted = authority_.check_preflight(ask, false, effects);
  ASSERT_TRUE(std::holds_alternative<AccessEntry>(granted));
  EXPECT_EQ(std::get<AccessEntry>(granted).name, "Resident C");
  EXPECT_TRUE(authority_.roster().empty());  // not joined
  EXPECT_TRUE(effects.audit.empty());

  const auto stranger =
      authority_.check_preflight({"sha256:dddd", "Someone", 2, 40000, "10.0.0.7:1"}, false, effects);
  ASSERT_TRUE(std::holds_alternative<Refused>(stranger));
  EXPECT_EQ(std::get<Refused>(stranger).fault, core::Fault::kNotAuthorised);
  EXPECT_TRUE(has_event(effects, "preflight_refused"));

  const auto second = authority_.check_preflight(ask, true, effects);
  ASSERT_TRUE(std::holds_alternative<Refused>(second));
  EXPECT_NE(std::get<Refused>(second).reason.find("another pre-flight"), std::string::npos);

  const auto old = authority_.check_preflight({kObserver, "CN", 1, 40000, "10.0.0.9:5000"}, false, effects);
  ASSERT_TRUE(std::holds_alternative<Refused>(old));
  EXPECT_EQ(std::get<Refused>(old).fault, core::Fault::kUnsupportedVersion);

  ASSERT_TRUE(std::holds_alternative<Admitted>(join(1, kMentorA)));  // the case starts
  const auto during = authority_.check_preflight(ask, false, effects);
  ASSERT_TRUE(std::holds_alternative<Refused>(during));
  EXPECT_NE(std::get<Refused>(during).reason.find("no pre-flight during a live case"), std::string::npos)
      << std::get<Refused>(during).reason;
  EXPECT_EQ(authority_.roster().size(), 1u);  // the case is untouched
}

}  // namespace
}  // namespace surgilink::session
