// A console's telestration without sockets: local echo, confirmation, refusal, gaps.
#include "surgilink/session/annotation_client.hpp"

#include <gtest/gtest.h>

#include "surgilink/annotation/wire.hpp"

namespace surgilink::session {
namespace {

using std::chrono::milliseconds;

annotation::Annotation stroke(const std::string& id) {
  annotation::Annotation a;
  a.id = id;
  a.kind = annotation::AnnotationKind::kStroke;
  a.points = {{0.2F, 0.2F}, {0.3F, 0.3F}};
  return a;
}

// The sender's broadcast of `op` by `author` with sequence `seq`.
std::vector<std::uint8_t> sequenced(std::uint64_t seq, const std::string& author,
                                    annotation::AnnotationOperation op, core::CaptureTime at) {
  if (auto* begin = std::get_if<annotation::Begin>(&op)) begin->draft.author = author;
  return annotation::encode(annotation::SequencedOperation{seq, author, at, std::move(op)});
}

TEST(AnnotationClient, AProposalShowsAtOnceAndItsConfirmationIsTimed) {
  core::SimulatedClock clock;
  ClockSync sync;
  AnnotationClient client;
  EXPECT_TRUE(client.view()->annotations.empty());
  client.connect("c2");
  const auto wire = client.propose(annotation::Begin{stroke("c2-1")}, clock.now(), sync);
  EXPECT_FALSE(wire.empty());
  EXPECT_EQ(client.view()->annotations.size(), 1u) << "local echo";
  clock.advance(milliseconds{30});
  auto changed = client.on_operation(sequenced(1, "c2", annotation::Begin{stroke("c2-1")}, clock.now()),
                                     clock.now(), sync);
  ASSERT_TRUE(changed);
  EXPECT_TRUE(changed.value());
  EXPECT_EQ(client.counters().confirmed, 1u);
  EXPECT_NEAR(client.echo_run().p50_ms, 30.0, 0.01);
  EXPECT_TRUE(client.inputs().empty()) << "no input times on the sender's clock without clock sync";
}

TEST(AnnotationClient, ARefusalTakesTheEchoBack) {
  core::SimulatedClock clock;
  AnnotationClient client;
  client.connect("c2");
  client.propose(annotation::Begin{stroke("c2-1")}, clock.now(), ClockSync());
  client.on_refused();
  EXPECT_TRUE(client.view()->annotations.empty());
  EXPECT_EQ(client.counters().refused, 1u);
}

TEST(AnnotationClient, AGapStartsAgainFromWhatIsNewAndBadBytesAreRefused) {
  core::SimulatedClock clock;
  AnnotationClient client;
  client.connect("c3");
  ASSERT_TRUE(client.on_operation(sequenced(1, "c2", annotation::Begin{stroke("c2-1")}, clock.now()),
                                  clock.now(), ClockSync()));
  EXPECT_EQ(client.view()->annotations.size(), 1u);
  auto gap = client.on_operation(sequenced(5, "c2", annotation::Begin{stroke("c2-5")}, clock.now()),
                                 clock.now(), ClockSync());
  ASSERT_TRUE(gap);
  EXPECT_EQ(client.counters().resyncs, 1u);
  EXPECT_TRUE(client.view()->annotations.empty()) << "never a scene that differs from the surgeon's";
  const std::vector<std::uint8_t> garbage{1, 2, 3};
  EXPECT_FALSE(client.on_operation(garbage, clock.now(), ClockSync()));
  EXPECT_FALSE(client.on_scene(garbage));
}

TEST(AnnotationClient, WithoutAConnectionNothingIsDrawn) {
  core::SimulatedClock clock;
  AnnotationClient client;
  auto r = client.on_operation(sequenced(1, "c2", annotation::Begin{stroke("c2-1")}, clock.now()),
                               clock.now(), ClockSync());
  ASSERT_TRUE(r);
  EXPECT_FALSE(r.value());
  EXPECT_TRUE(client.view()->annotations.empty());
}

}  // namespace
}  // namespace surgilink::session
