#include "surgilink/annotation/scene_replica.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <utility>
#include <vector>

#include "surgilink/annotation/scene_authority.hpp"
#include "test_scenes.hpp"

namespace surgilink::annotation {
namespace {

using core::Fault;
using std::chrono::milliseconds;
using testing::kStart;
using testing::stroke;

const Author kMentor{"m1", true, false};
const Author kSurgeon{"or", false, true};

// The sender's authority producing the operations a replica receives.
class SceneReplicaTest : public ::testing::Test {
 protected:
  SequencedOperation sent(const Author& author, const AnnotationOperation& op) {
    now_ += milliseconds{20};
    auto r = authority_.apply(author, op, now_);
    EXPECT_TRUE(r.has_value()) << (r.has_error() ? r.error().reason : "");
    return r.has_value() ? r.value() : SequencedOperation{};
  }

  SceneAuthority authority_;
  core::CaptureTime now_ = kStart;
  SceneReplica mentor_{"m1"};
  SceneReplica observer_{"o1"};
};

TEST_F(SceneReplicaTest, FollowsTheSenderInOrder) {
  const std::vector<std::pair<Author, AnnotationOperation>> script{
      {kMentor, Begin{stroke("m1-1", {{0.1F, 0.1F}})}},
      {kMentor, Extend{"m1-1", {{0.2F, 0.2F}}}},
      {kMentor, Commit{"m1-1"}},
      {kMentor, Pointer{{0.4F, 0.4F}, 0xFF0000FF, kStart}},
      {kMentor, Begin{stroke("m1-2", {{0.3F, 0.3F}})}},
      {kMentor, Undo{}},
      {kSurgeon, Clear{ClearScope::kAll}},
      {kMentor, Begin{stroke("m1-3", {{0.5F, 0.5F}})}},
  };
  for (const auto& [author, op] : script) {
    const auto applied = observer_.apply(sent(author, op));
    ASSERT_TRUE(applied.has_value()) << applied.error().reason;
    EXPECT_TRUE(applied.value());
    EXPECT_EQ(*observer_.confirmed(), *authority_.snapshot()) << "after " << describe(op);
  }
  EXPECT_EQ(observer_.confirmed()->version, script.size());
  EXPECT_EQ(observer_.view(), observer_.confirmed());
  EXPECT_FALSE(observer_.needs_resync());
}

TEST_F(SceneReplicaTest, IgnoresOperationsItAlreadyHas) {
  const auto first = sent(kMentor, Begin{stroke("m1-1", {{0.1F, 0.1F}})});
  ASSERT_TRUE(observer_.apply(first));
  const auto again = observer_.apply(first);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again.value());
  EXPECT_EQ(observer_.confirmed()->annotations.size(), 1u);
  EXPECT_EQ(observer_.faults().total(), 0u);
}

TEST_F(SceneReplicaTest, AGapNeedsAResyncAndNothingIsAppliedUntilThen) {
  ASSERT_TRUE(observer_.apply(sent(kMentor, Begin{stroke("m1-1", {{0.1F, 0.1F}})})));
  const auto lost = sent(kMentor, Begin{stroke("m1-2", {{0.2F, 0.2F}})});
  (void)lost;
  const auto after_gap = sent(kMentor, Extend{"m1-2", {{0.3F, 0.3F}}});
  const auto before = observer_.confirmed();

  const auto refused = observer_.apply(after_gap);
  ASSERT_TRUE(refused.has_error());
  EXPECT_NE(refused.error().reason.find("gap"), std::string::npos) << refused.error().reason;
  EXPECT_TRUE(observer_.needs_resync());
  EXPECT_EQ(observer_.confirmed(), before);
  EXPECT_EQ(observer_.faults().get(Fault::kMalformed), 1u);

  // Later operations are not applied on a scene known to be stale.
  const auto next = sent(kMentor, Commit{"m1-2"});
  EXPECT_TRUE(observer_.apply(next).has_error());
  EXPECT_EQ(observer_.confirmed(), before);

  // A snapshot brings it back in step; operations it already covers are ignored, later ones apply.
  observer_.reset(*authority_.snapshot());
  EXPECT_FALSE(observer_.needs_resync());
  EXPECT_EQ(*observer_.confirmed(), *authority_.snapshot());
  EXPECT_FALSE(observer_.apply(next).value());
  ASSERT_TRUE(observer_.apply(sent(kMentor, Delete{"m1-1"})).has_value());
  EXPECT_EQ(*observer_.confirmed(), *authority_.snapshot());
}

TEST_F(SceneReplicaTest, AnOperationThatDoesNotFitMeansTheReplicaDiverged) {
  // Extend of an annotation this replica never saw (it joined without a snapshot).
  SequencedOperation stray{1, "m1", kStart, Extend{"m1-1", {{0.5F, 0.5F}}}};
  const auto r = observer_.apply(stray);
  ASSERT_TRUE(r.has_error());
  EXPECT_FALSE(r.error().reason.empty());
  EXPECT_TRUE(observer_.needs_resync());
  EXPECT_TRUE(observer_.confirmed()->annotations.empty());
}

TEST_F(SceneReplicaTest, LocalEchoShowsOwnStrokeAtOnceUntilConfirmed) {
  const Begin begin{stroke("m1-1", {{0.1F, 0.1F}})};
  const Extend extend{"m1-1", {{0.2F, 0.2F}, {0.3F, 0.3F}}};
  mentor_.propose(begin, now_);
  mentor_.propose(extend, now_);
  EXPECT_EQ(mentor_.pending(), 2u);
  EXPECT_TRUE(mentor_.confirmed()->annotations.empty());
  ASSERT_NE(mentor_.view()->find("m1-1"), nullptr);
  EXPECT_EQ(mentor_.view()->find("m1-1")->points.size(), 3u);

  // The sender confirms the begin: the echo of the extend stays on top of the confirmed begin.
  ASSERT_TRUE(mentor_.apply(sent(kMentor, begin)));
  EXPECT_EQ(mentor_.pending(), 1u);
  EXPECT_EQ(mentor_.confirmed()->find("m1-1")->points.size(), 1u);
  EXPECT_EQ(mentor_.view()->find("m1-1")->points.size(), 3u);

  ASSERT_TRUE(mentor_.apply(sent(kMentor, extend)));
  EXPECT_EQ(mentor_.pending(), 0u);
  EXPECT_EQ(mentor_.view(), mentor_.confirmed());
  EXPECT_EQ(*mentor_.view(), *authority_.snapshot());
}

TEST_F(SceneReplicaTest, ARefusedProposalDisappearsFromTheView) {
  mentor_.propose(Begin{stroke("m1-1", {{0.1F, 0.1F}})}, now_);
  ASSERT_NE(mentor_.view()->find("m1-1"), nullptr);
  mentor_.refused();
  EXPECT_EQ(mentor_.pending(), 0u);
  EXPECT_EQ(mentor_.view()->find("m1-1"), nullptr);
  mentor_.refused();  // nothing pending: harmless
  EXPECT_TRUE(mentor_.view()->annotations.empty());
}

TEST_F(SceneReplicaTest, OtherAuthorsOperationsDoNotConfirmOwnProposals) {
  SceneReplica second("m2");
  second.propose(Begin{stroke("m2-1", {{0.9F, 0.9F}})}, now_);
  ASSERT_TRUE(second.apply(sent(kMentor, Begin{stroke("m1-1", {{0.1F, 0.1F}})})));
  EXPECT_EQ(second.pending(), 1u);
  EXPECT_NE(second.view()->find("m1-1"), nullptr);
  EXPECT_NE(second.view()->find("m2-1"), nullptr);
}

TEST_F(SceneReplicaTest, ResetDropsStaleProposals) {
  mentor_.propose(Begin{stroke("m1-1", {{0.1F, 0.1F}})}, now_);
  mentor_.reset(Scene{});
  EXPECT_EQ(mentor_.pending(), 0u);
  EXPECT_TRUE(mentor_.view()->annotations.empty());
}

TEST_F(SceneReplicaTest, PointerExpiresOnTheConsoleToo) {
  ASSERT_TRUE(observer_.apply(sent(kMentor, Pointer{{0.4F, 0.4F}, 0xFF0000FF, kStart})));
  const core::CaptureTime shown_at = now_;
  EXPECT_FALSE(observer_.expire(shown_at + milliseconds{1499}));
  EXPECT_TRUE(observer_.expire(shown_at + kPointerTimeToLive));
  EXPECT_TRUE(observer_.view()->annotations.empty());
  ASSERT_TRUE(authority_.expire(shown_at + kPointerTimeToLive));
  EXPECT_EQ(*observer_.confirmed(), *authority_.snapshot());
}

}  // namespace
}  // namespace surgilink::annotation
