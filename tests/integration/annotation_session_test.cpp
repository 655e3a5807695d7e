// Telestration through the real sender program: the sender is the authority over the annotation scene.
// A mentor's operations are sequenced and broadcast to every console; an observer's and a malformed proposal
// are refused with a reason and change nothing (DESIGN.md §5, §7).
#include <fstream>
#include <optional>
#include <variant>

#include <gmock/gmock.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "support/running_sender.hpp"
#include "support/test_control_client.hpp"
#include "support/test_installation.hpp"
#include "surgilink/annotation/wire.hpp"
#include "surgilink/session/audit_log.hpp"

namespace surgilink::testing {
namespace {

using ::testing::HasSubstr;

// The next annotation operation a console hears, decoded.
annotation::SequencedOperation next_operation(TestControlClient& client) {
  for (int i = 0; i < 10; ++i) {
    const auto message = client.read_message();
    if (!message) break;
    if (message->kind != "annotation_operation") continue;
    auto op = annotation::decode_operation(
        std::span(reinterpret_cast<const std::uint8_t*>(message->bytes.data()), message->bytes.size()));
    EXPECT_TRUE(op) << (op ? "" : op.error().reason);
    if (op) return op.value();
  }
  ADD_FAILURE() << "no annotation operation arrived";
  return {};
}

std::string next_refusal(TestControlClient& client) {
  for (int i = 0; i < 10; ++i) {
    const auto message = client.read_message();
    if (!message) break;
    if (message->kind == "annotation_refused") return message->bytes;
    if (message->kind == "annotation_operation") ADD_FAILURE() << "an operation was broadcast instead";
  }
  return "(no refusal arrived)";
}

TEST(AnnotationSession, MentorDrawsObserverIsRefusedEveryoneSeesTheSameScene) {
  const auto dir = scratch_dir("annotation-session");
  RunningSender sender(write_sender_config(dir), dir / "sender.log");
  TestControlClient observer(identity("observer"));
  const auto observer_hello = observer.hello(sender.control_port(), 40001);
  ASSERT_TRUE(observer_hello.welcomed) << observer_hello.refusal << observer_hello.tls_error;
  TestControlClient mentor(identity("mentor"));
  const auto mentor_hello = mentor.hello(sender.control_port(), 40002);
  ASSERT_TRUE(mentor_hello.welcomed) << mentor_hello.refusal << mentor_hello.tls_error;
  ASSERT_FALSE(mentor_hello.annotation_author.empty());
  ASSERT_NE(mentor_hello.annotation_author, observer_hello.annotation_author);

  // The mentor begins a stroke: sequenced by the sender and broadcast to both consoles.
  const std::string me = mentor_hello.annotation_author;
  mentor.send_annotation_proposal(annotation::encode_proposal(begin_stroke(me, 1)));
  const auto to_mentor = next_operation(mentor);
  const auto to_observer = next_operation(observer);
  EXPECT_EQ(to_mentor.sequence, 1u);
  EXPECT_EQ(to_mentor.author, me);
  EXPECT_EQ(to_observer, to_mentor) << "every console must see the same operation";
  mentor.send_annotation_proposal(annotation::encode_proposal(annotation::Commit{me + "-1"}));
  EXPECT_EQ(next_operation(mentor).sequence, 2u);
  EXPECT_EQ(next_operation(observer).sequence, 2u);

  // An observer may not draw; the reason says so, and nothing is broadcast.
  observer.send_annotation_proposal(
      annotation::encode_proposal(begin_stroke(observer_hello.annotation_author, 1)));
  EXPECT_THAT(next_refusal(observer), HasSubstr("pen"));
  // Nor may the mentor delete what is not there, or send bytes that are no proposal.
  mentor.send_annotation_proposal(annotation::encode_proposal(annotation::Delete{"c99-1"}));
  EXPECT_FALSE(next_refusal(mentor).empty());
  mentor.send_annotation_proposal({0xff, 0x00, 0x13, 0x37});
  EXPECT_NE(next_refusal(mentor), "(no refusal arrived)");

  // The scene went on: the next mentor operation is number 3 (refusals take no sequence number).
  mentor.send_annotation_proposal(annotation::encode_proposal(annotation::Undo{}));
  EXPECT_EQ(next_operation(mentor).sequence, 3u);
  EXPECT_EQ(sender.stop(), 0);
  EXPECT_THAT(sender.log(), HasSubstr("refused"));
}

// The next roster a console hears ("Dr. A/mentor/c1,...").
std::string next_roster(TestControlClient& client) {
  return next_message_of(client, "roster").value_or("(no roster arrived)");
}

TEST(AnnotationSession, OneConsoleHoldsThePenAndTheSurgeonCanTakeItHideAndClear) {
  const auto dir = scratch_dir("annotation-pen");
  const auto socket = dir / "or-controls.sock";
  const auto audit = dir / "audit.jsonl";
  const auto config = write_sender_config(dir);
  std::ofstream(config, std::ios::app) << "[audit]\nlog = \"" << audit.string()
                                       << "\"\n[or_controls]\nsocket = \"" << socket.string() << "\"\n";
  RunningSender sender(config, dir / "sender.log");
  // Only the sender's user and group may press the surgeon's buttons.
  EXPECT_EQ(std::filesystem::status(socket).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                std::filesystem::perms::group_read | std::filesystem::perms::group_write);
  EXPECT_EQ(std::filesystem::status(dir).permissions() & std::filesystem::perms::others_all,
            std::filesystem::perms::none);

  // The first mentor to join holds the pen; a second one does not.
  std::optional<TestControlClient> first;
  first.emplace(identity("mentor"));
  const auto first_hello = first->hello(sender.control_port(), 40011);
  ASSERT_TRUE(first_hello.welcomed) << first_hello.refusal;
  const std::string a = first_hello.annotation_author;
  EXPECT_EQ(next_controls(*first), "pen=" + a + " revoked=0 hidden=0");
  TestControlClient second(identity("mentor2"));
  const auto second_hello = second.hello(sender.control_port(), 40012);
  ASSERT_TRUE(second_hello.welcomed) << second_hello.refusal;
  const std::string b = second_hello.annotation_author;
  EXPECT_EQ(next_controls(second), "pen=" + a + " revoked=0 hidden=0");
  EXPECT_EQ(next_roster(second), "Dr. Dev Mentor/mentor/" + a + ",Dr. Second Mentor/mentor/" + b)
      << "each console hears who is connected";
  second.send_annotation_proposal(annotation::encode_proposal(begin_stroke(b, 1)));
  EXPECT_THAT(next_refusal(second), HasSubstr("holds the pen"));
  first->send_annotation_proposal(annotation::encode_proposal(begin_stroke(a, 1)));
  EXPECT_EQ(next_operation(*first).sequence, 1u);
  EXPECT_EQ(next_operation(second).sequence, 1u);

  // The surgeon takes the pen back: nobody draws, every console is told.
  EXPECT_THAT(surgeon_command(socket, "revoke-pen"), HasSubstr("ok: annotations shown, pen taken back"));
  EXPECT_EQ(next_controls(*first), "pen= revoked=1 hidden=0");
  EXPECT_EQ(next_controls(second), "pen= revoked=1 hidden=0");
  first->send_annotation_proposal(annotation::encode_proposal(annotation::Commit{a + "-1"}));
  EXPECT_THAT(next_refusal(*first), HasSubstr("surgeon has taken the pen back"));
  // ... and gives it back, to the mentor connected longest.
  EXPECT_THAT(surgeon_command(socket, "grant-pen"), HasSubstr("pen with"));
  EXPECT_EQ(next_controls(*first), "pen=" + a + " revoked=0 hidden=0");
  EXPECT_EQ(next_controls(second), "pen=" + a + " revoked=0 hidden=0");
  first->send_annotation_proposal(annotation::encode_proposal(annotation::Commit{a + "-1"}));
  EXPECT_EQ(next_operation(*first).sequence, 2u);
  EXPECT_EQ(next_operation(second).sequence, 2u);

  // Hide (the OR display stops drawing them; consoles are told) and clear all (a sequenced operation).
  EXPECT_THAT(surgeon_command(socket, "hide"), HasSubstr("annotations hidden"));
  EXPECT_EQ(next_controls(second), "pen=" + a + " revoked=0 hidden=1");
  EXPECT_THAT(surgeon_command(socket, "clear"), HasSubstr("ok"));
  const auto cleared = next_operation(second);
  EXPECT_EQ(cleared.sequence, 3u);
  EXPECT_TRUE(std::holds_alternative<annotation::Clear>(cleared.op));
  EXPECT_THAT(surgeon_command(socket, "open-the-pod-bay-doors"), HasSubstr("error: unknown command"));

  // A mentor flags a vital sign for the surgeon: every console hears it (the OR display shows a badge).
  EXPECT_EQ(next_controls(*first), "pen=" + a + " revoked=0 hidden=1");
  second.send_vitals_flag("abp", true);
  second.send_vitals_flag("the-moon", true);  // not a vitals row: refused, nothing announced
  second.send_vitals_flag("spo2", true);
  second.send_vitals_flag("abp", false);
  for (TestControlClient* console : {&*first, &second}) {
    EXPECT_EQ(next_controls(*console), "pen=" + a + " revoked=0 hidden=1 flagged=abp");
    EXPECT_EQ(next_controls(*console), "pen=" + a + " revoked=0 hidden=1 flagged=abp,spo2");
    EXPECT_EQ(next_controls(*console), "pen=" + a + " revoked=0 hidden=1 flagged=spo2");
  }

  // The holder says goodbye: the pen passes to the other mentor at once, and the roster loses it.
  first->send_goodbye();
  first.reset();
  EXPECT_EQ(next_roster(second), "Dr. Second Mentor/mentor/" + b);
  EXPECT_EQ(next_controls(second), "pen=" + b + " revoked=0 hidden=1 flagged=spo2");
  second.send_annotation_proposal(annotation::encode_proposal(begin_stroke(b, 2)));
  EXPECT_EQ(next_operation(second).sequence, 4u);
  EXPECT_EQ(sender.stop(), 0);

  // Every step is in the hash-chained audit log, and the chain holds.
  const auto verdict = session::verify_audit_log(audit);
  EXPECT_FALSE(verdict.broken_line) << "line " << verdict.broken_line.value_or(0) << ": " << verdict.reason;
  const std::string log = read_text(audit);
  for (const char* event :
       {"\"join\"", "\"pen\"", "\"pen_revoked\"", "\"pen_granted\"", "\"annotation\"",
        "\"annotation_refused\"", "\"annotations_hidden\"", "\"annotations_cleared\"", "\"leave\"",
        "\"stop\"", "\"vitals_flagged\"", "\"vitals_unflagged\"", "\"vitals_flag_refused\""}) {
    EXPECT_THAT(log, HasSubstr(std::string("\"event\":") + event));
  }
  // Who pressed the surgeon's buttons: the socket's peer, by uid (SO_PEERCRED), in every command's audit
  // line.
  EXPECT_THAT(log, HasSubstr("\"by\":\"socket uid " + std::to_string(::geteuid()) + " pid "));
}

}  // namespace
}  // namespace surgilink::testing
