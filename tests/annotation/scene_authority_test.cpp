#include "surgilink/annotation/scene_authority.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_scenes.hpp"

namespace surgilink::annotation {
namespace {

using core::Fault;
using std::chrono::milliseconds;
using testing::kStart;
using testing::label;
using testing::shape;
using testing::stroke;

const Author kMentor{"m1", true, false};
const Author kOtherMentor{"m2", true, false};
const Author kObserver{"o1", false, false};
const Author kSurgeon{"or", false, true};

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

class SceneAuthorityTest : public ::testing::Test {
 protected:
  // Applies at a time that advances 100 ms per operation, far below any rate limit.
  Checked<SequencedOperation> apply(const Author& author, const AnnotationOperation& op) {
    now_ += milliseconds{100};
    return authority_.apply(author, op, now_);
  }

  // Applies an operation that must be refused with `fault`, and checks the scene stayed as it was and the
  // refusal was counted and explained.
  void expect_refused(const Author& author, const AnnotationOperation& op, Fault fault) {
    const auto before = authority_.snapshot();
    const std::uint64_t counted = authority_.faults().get(fault);
    const auto result = apply(author, op);
    ASSERT_TRUE(result.has_error()) << describe(op) << " was accepted";
    EXPECT_EQ(result.error().fault, fault) << result.error().reason;
    EXPECT_FALSE(result.error().reason.empty());
    EXPECT_EQ(authority_.faults().get(fault), counted + 1);
    EXPECT_EQ(authority_.snapshot(), before) << "a refused operation changed the scene";
    EXPECT_EQ(*authority_.snapshot(), *before);
  }

  SceneAuthority authority_;
  core::CaptureTime now_ = kStart;
};

TEST_F(SceneAuthorityTest, BeginExtendCommitBuildsAStrokeWithSequenceNumbers) {
  const auto begun = apply(kMentor, Begin{stroke("m1-1", {{0.1F, 0.1F}})});
  ASSERT_TRUE(begun.has_value()) << begun.error().reason;
  EXPECT_EQ(begun.value().sequence, 1u);
  EXPECT_EQ(begun.value().author, "m1");
  EXPECT_EQ(begun.value().applied_at, now_);

  const auto extended = apply(kMentor, Extend{"m1-1", {{0.2F, 0.2F}, {0.3F, 0.25F}}});
  ASSERT_TRUE(extended.has_value()) << extended.error().reason;
  EXPECT_EQ(extended.value().sequence, 2u);
  const auto committed = apply(kMentor, Commit{"m1-1"});
  ASSERT_TRUE(committed.has_value()) << committed.error().reason;
  EXPECT_EQ(committed.value().sequence, 3u);

  const auto scene = authority_.snapshot();
  EXPECT_EQ(scene->version, 3u);
  ASSERT_EQ(scene->annotations.size(), 1u);
  const Annotation& a = *scene->annotations.front();
  EXPECT_EQ(a.author, "m1");
  EXPECT_TRUE(a.committed);
  EXPECT_EQ(a.created_at, kStart + milliseconds{100});  // the sender's clock, not the console's
  EXPECT_FALSE(a.time_to_live.has_value());
  EXPECT_EQ(a.points, (std::vector<NormalisedPoint>{{0.1F, 0.1F}, {0.2F, 0.2F}, {0.3F, 0.25F}}));
  EXPECT_EQ(authority_.accepted(), 3u);
  EXPECT_EQ(authority_.faults().total(), 0u);
}

TEST_F(SceneAuthorityTest, BroadcastBeginCarriesWhatTheSenderDecided) {
  Annotation draft = stroke("m1-1", {{0.5F, 0.5F}});
  draft.author = "";
  draft.created_at = kStart - std::chrono::hours{5};  // a console clock that is way off
  draft.committed = true;
  const auto begun = apply(kMentor, Begin{draft});
  ASSERT_TRUE(begun.has_value());
  const Annotation& sent = std::get<Begin>(begun.value().op).draft;
  EXPECT_EQ(sent.author, "m1");
  EXPECT_EQ(sent.created_at, now_);
  EXPECT_FALSE(sent.committed);
}

TEST_F(SceneAuthorityTest, ArrowAndEllipseExtendMovesTheSecondPoint) {
  ASSERT_TRUE(apply(kMentor, Begin{shape("m1-1", AnnotationKind::kArrow, {0.1F, 0.1F}, {0.1F, 0.1F})}));
  ASSERT_TRUE(apply(kMentor, Extend{"m1-1", {{0.2F, 0.3F}, {0.4F, 0.5F}}}));
  ASSERT_TRUE(apply(kMentor, Begin{shape("m1-2", AnnotationKind::kEllipse, {0.6F, 0.6F}, {0.6F, 0.6F})}));
  ASSERT_TRUE(apply(kMentor, Extend{"m1-2", {{0.7F, 0.8F}}}));
  const auto scene = authority_.snapshot();
  EXPECT_EQ(scene->find("m1-1")->points, (std::vector<NormalisedPoint>{{0.1F, 0.1F}, {0.4F, 0.5F}}));
  EXPECT_EQ(scene->find("m1-2")->points, (std::vector<NormalisedPoint>{{0.6F, 0.6F}, {0.7F, 0.8F}}));
}

TEST_F(SceneAuthorityTest, UndoRemovesTheAuthorsLatestOnly) {
  ASSERT_TRUE(apply(kMentor, Begin{stroke("m1-1", {{0.1F, 0.1F}})}));
  ASSERT_TRUE(apply(kOtherMentor, Begin{stroke("m2-1", {{0.2F, 0.2F}})}));
  ASSERT_TRUE(apply(kMentor, Begin{label("m1-2", {0.3F, 0.3F}, "vessel")}));
  ASSERT_TRUE(apply(kMentor, Pointer{{0.5F, 0.5F}, 0xFF0000FF, kStart}));  // undo skips the pointer
  ASSERT_TRUE(apply(kMentor, Undo{}));
  auto scene = authority_.snapshot();
  EXPECT_EQ(scene->find("m1-2"), nullptr);
  EXPECT_NE(scene->find("m1-1"), nullptr);
  EXPECT_NE(scene->find("m2-1"), nullptr);
  EXPECT_NE(scene->find("m1-pointer"), nullptr);
  ASSERT_TRUE(apply(kMentor, Undo{}));
  EXPECT_EQ(authority_.snapshot()->find("m1-1"), nullptr);
  expect_refused(kMentor, Undo{}, Fault::kMalformed);  // nothing left to undo
  EXPECT_NE(authority_.snapshot()->find("m2-1"), nullptr);
}

TEST_F(SceneAuthorityTest, ClearMineAndClearAll) {
  ASSERT_TRUE(apply(kMentor, Begin{stroke("m1-1", {{0.1F, 0.1F}})}));
  ASSERT_TRUE(apply(kOtherMentor, Begin{stroke("m2-1", {{0.2F, 0.2F}})}));
  ASSERT_TRUE(apply(kMentor, Clear{ClearScope::kMine}));
  auto scene = authority_.snapshot();
  ASSERT_EQ(scene->annotations.size(), 1u);
  EXPECT_EQ(scene->annotations.front()->id, "m2-1");

  expect_refused(kMentor, Clear{ClearScope::kAll}, Fault::kNotAuthorised);  // mentors may not clear all
  expect_refused(kObserver, Clear{ClearScope::kAll}, Fault::kNotAuthorised);
  const auto cleared = apply(kSurgeon, Clear{ClearScope::kAll});
  ASSERT_TRUE(cleared.has_value()) << cleared.error().reason;
  EXPECT_TRUE(authority_.snapshot()->annotations.empty());
}

TEST_F(SceneAuthorityTest, PointerIsOnePerAuthorAndExpires) {
  ASSERT_TRUE(apply(kMentor, Pointer{{0.2F, 0.2F}, 0xFF0000FF, kStart}));
  ASSERT_TRUE(apply(kMentor, Pointer{{0.3F, 0.3F}, 0xFF0000FF, kStart}));
  const core::CaptureTime moved_at = now_;
  auto scene = authority_.snapshot();
  ASSERT_EQ(scene->annotations.size(), 1u);
  const Annotation& pointer = *scene->annotations.front();
  EXPECT_EQ(pointer.id, "m1-pointer");
  EXPECT_EQ(pointer.kind, AnnotationKind::kPointer);
  EXPECT_EQ(pointer.points, (std::vector<NormalisedPoint>{{0.3F, 0.3F}}));
  EXPECT_EQ(pointer.time_to_live, std::chrono::nanoseconds{kPointerTimeToLive});

  ASSERT_TRUE(apply(kMentor, Begin{stroke("m1-1", {{0.1F, 0.1F}})}));
  const auto version = authority_.snapshot()->version;
  EXPECT_FALSE(authority_.expire(moved_at + kPointerTimeToLive - milliseconds{1}));
  EXPECT_TRUE(authority_.expire(moved_at + kPointerTimeToLive));
  scene = authority_.snapshot();
  EXPECT_EQ(scene->find("m1-pointer"), nullptr);
  EXPECT_NE(scene->find("m1-1"), nullptr);  // strokes have no time to live
  EXPECT_EQ(scene->version, version);
  EXPECT_FALSE(authority_.expire(moved_at + std::chrono::hours{10}));
}

TEST_F(SceneAuthorityTest, StrokeWithTimeToLiveExpires) {
  Annotation fading = stroke("m1-1", {{0.1F, 0.1F}});
  fading.time_to_live = std::chrono::seconds{3};
  ASSERT_TRUE(apply(kMentor, Begin{fading}));
  EXPECT_FALSE(authority_.expire(now_ + std::chrono::seconds{2}));
  EXPECT_TRUE(authority_.expire(now_ + std::chrono::seconds{3}));
  EXPECT_TRUE(authority_.snapshot()->annotations.empty());
}

// ---- the bad input of issue 4: each refused with a reason, counted, scene unchanged ----

TEST_F(SceneAuthorityTest, RefusesPointsOffTheFrame) {
  ASSERT_TRUE(apply(kMentor, Begin{stroke("m1-1", {{0.5F, 0.5F}})}));
  for (const NormalisedPoint bad : {NormalisedPoint{-0.01F, 0.5F}, NormalisedPoint{0.5F, 1.01F},
                                    NormalisedPoint{2.0F, 2.0F}, NormalisedPoint{0.5F, -kInf}}) {
    expect_refused(kMentor, Begin{stroke("m1-2", {{0.5F, 0.5F}, bad})}, Fault::kMalformed);
    expect_refused(kMentor, Extend{"m1-1", {bad}}, Fault::kMalformed);
    expect_refused(kMentor, Pointer{bad, 0xFF0000FF, kStart}, Fault::kMalformed);
  }
  // The edges themselves are on the frame.
  EXPECT_TRUE(apply(kMentor, Extend{"m1-1", {{0.0F, 0.0F}, {1.0F, 1.0F}}}));
}

TEST_F(SceneAuthorityTest, RefusesNaN) {
  ASSERT_TRUE(apply(kMentor, Begin{stroke("m1-1", {{0.5F, 0.5F}})}));
  expect_refused(kMentor, Begin{stroke("m1-2", {{kNaN, 0.5F}})}, Fault::kMalformed);
  expect_refused(kMentor, Extend{"m1-1", {{0.5F, kNaN}}}, Fault::kMalformed);
  expect_refused(kMentor, Pointer{{kNaN, kNaN}, 0xFF0000FF, kStart}, Fault::kMalformed);
  Annotation nan_width = stroke("m1-2", {{0.5F, 0.5F}});
  nan_width.width = kNaN;
  expect_refused(kMentor, Begin{nan_width}, Fault::kMalformed);
}

TEST_F(SceneAuthorityTest, RefusesAStrokeOfAMillionPoints) {
  const std::vector<NormalisedPoint> million(1'000'000, NormalisedPoint{0.5F, 0.5F});
  expect_refused(kMentor, Begin{stroke("m1-1", million)}, Fault::kTooLarge);
  // Nor can it be grown there by extends: the limit counts the whole stroke.
  ASSERT_TRUE(apply(kMentor, Begin{stroke("m1-1", std::vector<NormalisedPoint>(4000, {0.5F, 0.5F}))}));
  expect_refused(kMentor, Extend{"m1-1", million}, Fault::kTooLarge);
  expect_refused(kMentor, Extend{"m1-1", std::vector<NormalisedPoint>(97, {0.5F, 0.5F})}, Fault::kTooLarge);
  EXPECT_TRUE(apply(kMentor, Extend{"m1-1", std::vector<NormalisedPoint>(96, {0.5F, 0.5F})}));
}

TEST_F(SceneAuthorityTest, RefusesAnUnknownKind) {
  Annotation unknown = stroke("m1-1", {{0.5F, 0.5F}});
  unknown.kind = static_cast<AnnotationKind>(42);
  expect_refused(kMentor, Begin{unknown}, Fault::kMalformed);
  // Pointers come through the pointer operation only.
  Annotation pointer = stroke("m1-1", {{0.5F, 0.5F}});
  pointer.kind = AnnotationKind::kPointer;
  expect_refused(kMentor, Begin{pointer}, Fault::kMalformed);
}

TEST_F(SceneAuthorityTest, RefusesTouchingSomeoneElsesAnnotation) {
  ASSERT_TRUE(apply(kOtherMentor, Begin{stroke("m2-1", {{0.5F, 0.5F}})}));
  expect_refused(kMentor, Delete{"m2-1"}, Fault::kNotAuthorised);
  expect_refused(kMentor, Extend{"m2-1", {{0.6F, 0.6F}}}, Fault::kNotAuthorised);
  expect_refused(kMentor, Commit{"m2-1"}, Fault::kNotAuthorised);
  // Nor may a console claim another author's id prefix or author name.
  expect_refused(kMentor, Begin{stroke("m2-2", {{0.5F, 0.5F}})}, Fault::kNotAuthorised);
  Annotation impostor = stroke("m1-1", {{0.5F, 0.5F}});
  impostor.author = "m2";
  expect_refused(kMentor, Begin{impostor}, Fault::kNotAuthorised);
  // The owner may.
  EXPECT_TRUE(apply(kOtherMentor, Delete{"m2-1"}));
}

TEST_F(SceneAuthorityTest, RefusesAnObserverDrawing) {
  expect_refused(kObserver, Begin{stroke("o1-1", {{0.5F, 0.5F}})}, Fault::kNotAuthorised);
  expect_refused(kObserver, Pointer{{0.5F, 0.5F}, 0xFF0000FF, kStart}, Fault::kNotAuthorised);
  expect_refused(kObserver, Undo{}, Fault::kNotAuthorised);
  expect_refused(kObserver, Clear{ClearScope::kMine}, Fault::kNotAuthorised);
  // A mentor whose pen was revoked is an observer for the authority.
  expect_refused(Author{"m1", false, false}, Begin{stroke("m1-1", {{0.5F, 0.5F}})}, Fault::kNotAuthorised);
}

TEST_F(SceneAuthorityTest, RefusesAFloodOfOperations) {
  ASSERT_TRUE(authority_.apply(kMentor, Begin{stroke("m1-1", {{0.5F, 0.5F}})}, now_));
  // All at the same instant: the one-second bucket holds 120 operations, the begin took one.
  int accepted = 1;
  int refused = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto r = authority_.apply(kMentor, Extend{"m1-1", {{0.5F, 0.5F}}}, now_);
    if (r.has_value()) {
      ++accepted;
    } else {
      ASSERT_EQ(r.error().fault, Fault::kRateLimited) << r.error().reason;
      EXPECT_NE(r.error().reason.find("120"), std::string::npos) << r.error().reason;
      ++refused;
    }
  }
  EXPECT_EQ(accepted, 120);
  EXPECT_EQ(refused, 881);
  EXPECT_EQ(authority_.faults().get(Fault::kRateLimited), 881u);
  EXPECT_EQ(authority_.snapshot()->find("m1-1")->points.size(), 120u);
  // Other authors have their own bucket.
  EXPECT_TRUE(authority_.apply(kOtherMentor, Begin{stroke("m2-1", {{0.5F, 0.5F}})}, now_));
  // The bucket refills at the configured rate: 100 ms later, 12 more.
  now_ += milliseconds{100};
  accepted = 0;
  for (int i = 0; i < 50; ++i)
    accepted += authority_.apply(kMentor, Extend{"m1-1", {{0.5F, 0.5F}}}, now_) ? 1 : 0;
  EXPECT_EQ(accepted, 12);
}

TEST_F(SceneAuthorityTest, SteadyDrawingAt60HzIsNeverLimited) {
  ASSERT_TRUE(authority_.apply(kMentor, Begin{stroke("m1-1", {{0.5F, 0.5F}})}, now_));
  for (int i = 0; i < 600; ++i) {
    now_ += milliseconds{16};
    ASSERT_TRUE(authority_.apply(kMentor, Extend{"m1-1", {{0.5F, 0.5F}}}, now_)) << i;
    ASSERT_TRUE(authority_.apply(kMentor, Pointer{{0.5F, 0.5F}, 0xFF0000FF, now_}, now_)) << i;
  }
}

TEST_F(SceneAuthorityTest, RefusesBadLabels) {
  expect_refused(kMentor, Begin{label("m1-1", {0.5F, 0.5F}, "")}, Fault::kMalformed);
  expect_refused(kMentor, Begin{label("m1-1", {0.5F, 0.5F}, std::string(121, 'x'))}, Fault::kTooLarge);
  expect_refused(kMentor, Begin{label("m1-1", {0.5F, 0.5F}, "two\nlines")}, Fault::kMalformed);
  expect_refused(kMentor, Begin{label("m1-1", {0.5F, 0.5F}, "bad \xC3\x28 utf-8")}, Fault::kMalformed);
  Annotation text_on_stroke = stroke("m1-1", {{0.5F, 0.5F}});
  text_on_stroke.text = "hello";
  expect_refused(kMentor, Begin{text_on_stroke}, Fault::kMalformed);
  // 120 characters of two bytes each are within the limit: it counts characters, not bytes.
  std::string umlauts;
  for (int i = 0; i < 120; ++i) umlauts += "\xC3\xBC";
  EXPECT_TRUE(apply(kMentor, Begin{label("m1-1", {0.5F, 0.5F}, umlauts)}));
}

TEST_F(SceneAuthorityTest, RefusesBadShapesAndIds) {
  expect_refused(kMentor, Begin{stroke("m1-1", {})}, Fault::kMalformed);
  Annotation arrow = stroke("m1-1", {{0.5F, 0.5F}});
  arrow.kind = AnnotationKind::kArrow;
  expect_refused(kMentor, Begin{arrow}, Fault::kMalformed);
  Annotation wide = stroke("m1-1", {{0.5F, 0.5F}});
  wide.width = 0.5F;
  expect_refused(kMentor, Begin{wide}, Fault::kMalformed);
  Annotation forever = stroke("m1-1", {{0.5F, 0.5F}});
  forever.time_to_live = std::chrono::hours{2};
  expect_refused(kMentor, Begin{forever}, Fault::kMalformed);
  expect_refused(kMentor, Begin{stroke("m1-x", {{0.5F, 0.5F}})}, Fault::kMalformed);
  expect_refused(kMentor, Begin{stroke("m1-pointer", {{0.5F, 0.5F}})}, Fault::kMalformed);
  ASSERT_TRUE(apply(kMentor, Begin{stroke("m1-1", {{0.5F, 0.5F}})}));
  expect_refused(kMentor, Begin{stroke("m1-1", {{0.5F, 0.5F}})}, Fault::kMalformed);  // id in use
  expect_refused(kMentor, Extend{"m1-9", {{0.5F, 0.5F}}}, Fault::kMalformed);         // unknown id
  expect_refused(kMentor, Delete{"m1-9"}, Fault::kMalformed);
  expect_refused(kMentor, Extend{"m1-1", {}}, Fault::kMalformed);
  ASSERT_TRUE(apply(kMentor, Commit{"m1-1"}));
  expect_refused(kMentor, Extend{"m1-1", {{0.5F, 0.5F}}}, Fault::kMalformed);  // already committed
  expect_refused(kMentor, Commit{"m1-1"}, Fault::kMalformed);
  expect_refused(Author{"", true, false}, Undo{}, Fault::kMalformed);
  expect_refused(Author{"m 1", true, false}, Undo{}, Fault::kMalformed);
}

TEST_F(SceneAuthorityTest, RefusesMoreLiveAnnotationsThanTheLimit) {
  SceneAuthority small(AnnotationLimits{4096, 120, 1000.0, 3});
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(small.apply(kMentor, Begin{stroke("m1-" + std::to_string(i), {{0.5F, 0.5F}})}, now_));
  }
  const auto refused = small.apply(kMentor, Begin{stroke("m1-4", {{0.5F, 0.5F}})}, now_);
  ASSERT_TRUE(refused.has_error());
  EXPECT_EQ(refused.error().fault, Fault::kTooLarge);
  EXPECT_FALSE(small.apply(kMentor, Pointer{{0.5F, 0.5F}, 0xFF0000FF, now_}, now_));
  ASSERT_TRUE(small.apply(kMentor, Delete{"m1-1"}, now_));
  EXPECT_TRUE(small.apply(kMentor, Pointer{{0.5F, 0.5F}, 0xFF0000FF, now_}, now_));
  EXPECT_TRUE(small.apply(kMentor, Pointer{{0.6F, 0.5F}, 0xFF0000FF, now_}, now_));  // moving it adds nothing
  EXPECT_EQ(small.snapshot()->annotations.size(), 3u);
}

TEST(SceneAuthorityLimitsTest, ConstructorRefusesZeroLimits) {
  EXPECT_THROW(SceneAuthority(AnnotationLimits{0, 120, 120.0, 200}), std::invalid_argument);
  EXPECT_THROW(SceneAuthority(AnnotationLimits{4096, 0, 120.0, 200}), std::invalid_argument);
  EXPECT_THROW(SceneAuthority(AnnotationLimits{4096, 120, 0.0, 200}), std::invalid_argument);
  EXPECT_THROW(SceneAuthority(AnnotationLimits{4096, 120, std::nan(""), 200}), std::invalid_argument);
  EXPECT_THROW(SceneAuthority(AnnotationLimits{4096, 120, 120.0, 0}), std::invalid_argument);
}

TEST(AnnotationModelTest, IdsAndFrameChecks) {
  EXPECT_TRUE(is_drawing_id_of("m1-7", "m1"));
  EXPECT_TRUE(is_drawing_id_of("a-b-123456789", "a-b"));
  EXPECT_FALSE(is_drawing_id_of("m1-", "m1"));
  EXPECT_FALSE(is_drawing_id_of("m1-1234567890", "m1"));
  EXPECT_FALSE(is_drawing_id_of("m12-7", "m1"));
  EXPECT_FALSE(is_drawing_id_of("m1-7", ""));
  EXPECT_EQ(pointer_id("m1"), "m1-pointer");
  EXPECT_TRUE(is_on_frame({0.0F, 1.0F}));
  EXPECT_FALSE(is_on_frame({kNaN, 0.5F}));
  EXPECT_FALSE(is_on_frame({0.5F, kInf}));
}

TEST(AnnotationModelTest, ExpiryDoesNotOverflowOnWildTimes) {
  Annotation a;
  a.created_at = core::CaptureTime{std::chrono::nanoseconds{std::numeric_limits<std::int64_t>::max() - 5}};
  a.time_to_live = std::chrono::seconds{1};
  EXPECT_FALSE(a.expired_at(kStart));
  a.time_to_live.reset();
  EXPECT_FALSE(a.expired_at(core::CaptureTime::max()));
}

}  // namespace
}  // namespace surgilink::annotation
