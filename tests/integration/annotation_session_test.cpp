// Telestration through the real sender program: the sender is the authority over the annotation scene.
// A mentor's operations are sequenced and broadcast to every console; an observer's and a malformed proposal
// are refused with a reason and change nothing (DESIGN.md §5, §7).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/running_sender.hpp"
#include "support/test_control_client.hpp"
#include "support/test_installation.hpp"
#include "surgilink/annotation/wire.hpp"

namespace surgilink::testing {
namespace {

using ::testing::HasSubstr;

annotation::AnnotationOperation begin_stroke(const std::string& author, int n) {
  annotation::Annotation draft;
  draft.id = author + "-" + std::to_string(n);
  draft.author = author;
  draft.kind = annotation::AnnotationKind::kStroke;
  draft.points = {{0.40F, 0.50F}, {0.45F, 0.52F}};
  draft.reference_capture = core::CaptureClock().now();
  return annotation::Begin{draft};
}

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
  const auto observer_hello = observer.hello(sender.control_port(), 1, 40001);
  ASSERT_TRUE(observer_hello.welcomed) << observer_hello.refusal << observer_hello.tls_error;
  TestControlClient mentor(identity("mentor"));
  const auto mentor_hello = mentor.hello(sender.control_port(), 1, 40002);
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

}  // namespace
}  // namespace surgilink::testing
