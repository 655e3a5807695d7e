// The mentor's gestures turned into annotation operations, without Qt and without a window: event times are
// given, so batching is checked exactly.
#include "core/drawing_gestures.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "surgilink/annotation/scene_authority.hpp"

namespace surgilink::console {
namespace {

using annotation::AnnotationKind;
using annotation::NormalisedPoint;
using std::chrono::milliseconds;

const core::CaptureTime kShown{milliseconds{123'456}};

// Records what the gestures send, and when (the event time of the call that sent it).
class Recorder : public DrawingGestureListener {
 public:
  struct Sent {
    annotation::AnnotationOperation op;
    milliseconds at;
  };
  void send(annotation::AnnotationOperation op) override { sent.push_back({std::move(op), now}); }
  core::CaptureTime shown_capture() override { return kShown; }
  void label_pending_changed() override { ++label_changes; }
  void own_pointer_changed() override { ++pointer_changes; }

  template <typename Op>
  std::vector<Op> only() const {
    std::vector<Op> out;
    for (const auto& s : sent) {
      if (const auto* op = std::get_if<Op>(&s.op)) out.push_back(*op);
    }
    return out;
  }

  std::vector<Sent> sent;
  milliseconds now{0};
  int label_changes = 0;
  int pointer_changes = 0;
};

// A picture 800 x 450 px on screen; this console is "c2" and holds the pen.
class DrawingGesturesTest : public ::testing::Test {
 protected:
  DrawingGesturesTest() {
    gestures_.set_author("c2");
    gestures_.set_may_draw(true);
    gestures_.set_view_size(800, 450);
  }

  bool press(NormalisedPoint at, milliseconds when) {
    sent_.now = when;
    return gestures_.press(at, when);
  }
  bool move(NormalisedPoint at, milliseconds when) {
    sent_.now = when;
    return gestures_.move(at, when);
  }
  bool release(NormalisedPoint at, milliseconds when) {
    sent_.now = when;
    return gestures_.release(at, when);
  }
  // Press at `from`, `moves` moves every `step` along the line to `to`, release there.
  void drag(NormalisedPoint from, NormalisedPoint to, int moves, milliseconds start, milliseconds step) {
    press(from, start);
    for (int i = 1; i <= moves; ++i) move(along(from, to, double(i) / moves), start + step * i);
    release(to, start + step * moves);
  }
  static NormalisedPoint along(NormalisedPoint from, NormalisedPoint to, double t) {
    return {static_cast<float>(from.x + (to.x - from.x) * t),
            static_cast<float>(from.y + (to.y - from.y) * t)};
  }

  Recorder sent_;
  DrawingGestures gestures_{sent_};
};

TEST_F(DrawingGesturesTest, PenDragIsOneBeginExtendsAtMostEvery16MsAndOneCommit) {
  gestures_.set_colour(0x76FF03FF);
  gestures_.set_width(0.008F);
  const NormalisedPoint from{0.1F, 0.2F}, to{0.6F, 0.7F};
  ASSERT_TRUE(press(from, milliseconds{50'000}));
  ASSERT_EQ(sent_.sent.size(), 1U);
  const auto begin = std::get<annotation::Begin>(sent_.sent[0].op);
  EXPECT_EQ(begin.draft.id, "c2-1");
  EXPECT_EQ(begin.draft.author, "c2");
  EXPECT_EQ(begin.draft.kind, AnnotationKind::kStroke);
  EXPECT_EQ(begin.draft.colour_rgba, 0x76FF03FFU);
  EXPECT_EQ(begin.draft.width, 0.008F);
  EXPECT_EQ(begin.draft.reference_capture, kShown);
  EXPECT_EQ(begin.draft.points, std::vector<NormalisedPoint>{from});

  // 40 moves 4 ms apart: 160 ms of dragging, an extend every fourth move.
  std::vector<NormalisedPoint> dragged{from};
  for (int i = 1; i <= 40; ++i) {
    dragged.push_back(along(from, to, i / 40.0));
    ASSERT_TRUE(move(dragged.back(), milliseconds{50'000 + 4 * i}));
  }
  EXPECT_EQ(sent_.only<annotation::Extend>().size(), 10U);
  milliseconds previous{50'000};
  for (std::size_t i = 1; i < sent_.sent.size(); ++i) {
    EXPECT_EQ(sent_.sent[i].at - previous, DrawingGestures::kBatchInterval);
    EXPECT_EQ(std::get<annotation::Extend>(sent_.sent[i].op).id, "c2-1");
    previous = sent_.sent[i].at;
  }
  EXPECT_FALSE(gestures_.batch_waiting());
  ASSERT_TRUE(release(to, milliseconds{50'164}));
  EXPECT_EQ(std::get<annotation::Commit>(sent_.sent.back().op).id, "c2-1");
  // Every point of the drag, in order (the release is where the last move was: no new point).
  std::vector<NormalisedPoint> proposed = begin.draft.points;
  for (const auto& e : sent_.only<annotation::Extend>())
    proposed.insert(proposed.end(), e.points.begin(), e.points.end());
  EXPECT_EQ(proposed, dragged);
  EXPECT_FALSE(gestures_.gesture_going_on());

  // The next drawing takes the next counter.
  sent_.sent.clear();
  drag({0.3F, 0.3F}, {0.4F, 0.35F}, 5, milliseconds{60'000}, milliseconds{20});
  EXPECT_EQ(std::get<annotation::Begin>(sent_.sent.front().op).draft.id, "c2-2");
}

TEST_F(DrawingGesturesTest, APausedDragHoldsItsBatchUntilTheOwnerSendsIt) {
  press({0.1F, 0.2F}, milliseconds{1000});
  move({0.12F, 0.21F}, milliseconds{1004});
  EXPECT_TRUE(sent_.only<annotation::Extend>().empty());
  ASSERT_TRUE(gestures_.batch_waiting());
  // No more moves: the owner's timer fires, and the send clock moves on by one interval.
  sent_.now = milliseconds{1020};
  gestures_.send_waiting_batch();
  ASSERT_EQ(sent_.only<annotation::Extend>().size(), 1U);
  EXPECT_FALSE(gestures_.batch_waiting());
  // A move 10 ms after that send waits for the next interval rather than going at once.
  move({0.14F, 0.22F}, milliseconds{1026});
  EXPECT_EQ(sent_.only<annotation::Extend>().size(), 1U);
  move({0.16F, 0.23F}, milliseconds{1032});
  EXPECT_EQ(sent_.only<annotation::Extend>().size(), 2U);
}

TEST_F(DrawingGesturesTest, MovesUnderAScreenPixelAddNoStrokePoints) {
  press({0.5F, 0.5F}, milliseconds{1000});
  move({0.5F + 0.5F / 800, 0.5F}, milliseconds{1020});  // half a pixel
  EXPECT_FALSE(gestures_.batch_waiting());
  EXPECT_TRUE(sent_.only<annotation::Extend>().empty());
  move({0.5F + 2.0F / 800, 0.5F}, milliseconds{1040});
  EXPECT_EQ(sent_.only<annotation::Extend>().size(), 1U);
}

TEST_F(DrawingGesturesTest, AStrokeStopsTakingPointsAtTheSendersLimit) {
  press({0.2F, 0.5F}, milliseconds{1000});
  const std::size_t limit = annotation::AnnotationLimits{}.max_points_per_stroke;
  // Scribbling from side to side: every move is a new point.
  for (std::size_t i = 1; i <= limit + 50; ++i)
    move({i % 2 == 1 ? 0.8F : 0.2F, 0.5F}, milliseconds{1000 + 20 * static_cast<long>(i)});
  release({0.5F, 0.5F}, milliseconds{200'000});
  std::size_t points = 1;
  for (const auto& e : sent_.only<annotation::Extend>()) points += e.points.size();
  EXPECT_EQ(points, limit);
}

TEST_F(DrawingGesturesTest, ArrowAndCircleMoveTheirSecondPointAndAStrayClickIsWithdrawn) {
  gestures_.set_tool(DrawingTool::kArrow);
  drag({0.1F, 0.2F}, {0.5F, 0.4F}, 10, milliseconds{1000}, milliseconds{10});
  const auto begin = std::get<annotation::Begin>(sent_.sent.front().op);
  EXPECT_EQ(begin.draft.kind, AnnotationKind::kArrow);
  EXPECT_EQ(begin.draft.points, (std::vector<NormalisedPoint>{{0.1F, 0.2F}, {0.1F, 0.2F}}));
  const auto extends = sent_.only<annotation::Extend>();
  ASSERT_FALSE(extends.empty());
  for (const auto& e : extends) EXPECT_EQ(e.points.size(), 1U);
  EXPECT_EQ(extends.back().points.back(), (NormalisedPoint{0.5F, 0.4F}));
  EXPECT_EQ(std::get<annotation::Commit>(sent_.sent.back().op).id, begin.draft.id);

  sent_.sent.clear();
  gestures_.set_tool(DrawingTool::kCircle);
  drag({0.2F, 0.2F}, {0.3F, 0.3F}, 4, milliseconds{2000}, milliseconds{20});
  EXPECT_EQ(std::get<annotation::Begin>(sent_.sent.front().op).draft.kind, AnnotationKind::kEllipse);
  EXPECT_TRUE(std::holds_alternative<annotation::Commit>(sent_.sent.back().op));

  // Two screen pixels of drag: begin, extend, commit, then withdrawn.
  sent_.sent.clear();
  drag({0.2F, 0.2F}, {0.2F + 2.0F / 800, 0.2F}, 1, milliseconds{3000}, milliseconds{20});
  ASSERT_EQ(sent_.sent.size(), 4U);
  EXPECT_EQ(std::get<annotation::Delete>(sent_.sent[3].op).id,
            std::get<annotation::Begin>(sent_.sent[0].op).draft.id);
}

TEST_F(DrawingGesturesTest, PointerSendsThrottledPointerMovesShownAtOnceHere) {
  gestures_.set_tool(DrawingTool::kPointer);
  gestures_.set_colour(0x00E5FFFF);
  ASSERT_TRUE(press({0.1F, 0.2F}, milliseconds{1000}));
  ASSERT_TRUE(gestures_.own_pointer());
  EXPECT_EQ(gestures_.own_pointer()->id, "c2-pointer");
  EXPECT_EQ(gestures_.own_pointer()->kind, AnnotationKind::kPointer);
  for (int i = 1; i <= 50; ++i) move(along({0.1F, 0.2F}, {0.6F, 0.4F}, i / 50.0), milliseconds{1000 + 2 * i});
  // Drawn here where the hand is at once, sent at most every 16 ms.
  EXPECT_EQ(gestures_.own_pointer()->points,
            std::vector<NormalisedPoint>{along({0.1F, 0.2F}, {0.6F, 0.4F}, 1)});
  EXPECT_EQ(sent_.pointer_changes, 51);
  const auto pointers = sent_.only<annotation::Pointer>();
  ASSERT_EQ(pointers.size(), sent_.sent.size()) << "a pointer begins, extends or commits nothing";
  EXPECT_EQ(pointers.size(), 7U);  // the press, then one every 16 ms of 100
  for (std::size_t i = 1; i < sent_.sent.size(); ++i)
    EXPECT_GE(sent_.sent[i].at - sent_.sent[i - 1].at, DrawingGestures::kBatchInterval);
  release({0.6F, 0.4F}, milliseconds{1100});
  EXPECT_EQ(sent_.only<annotation::Pointer>().back().position, (NormalisedPoint{0.6F, 0.4F}));
  EXPECT_EQ(sent_.only<annotation::Pointer>().back().colour_rgba, 0x00E5FFFFU);
  EXPECT_EQ(sent_.only<annotation::Pointer>().back().reference_capture, kShown);
  // From now on the sender's pointer shows.
  EXPECT_FALSE(gestures_.own_pointer());
}

TEST_F(DrawingGesturesTest, LabelClickWaitsForTheTextThenBeginsAndCommitsIt) {
  gestures_.set_tool(DrawingTool::kLabel);
  ASSERT_TRUE(press({0.25F, 0.5F}, milliseconds{1000}));
  EXPECT_FALSE(release({0.25F, 0.5F}, milliseconds{1050})) << "a label click starts no gesture";
  EXPECT_TRUE(sent_.sent.empty());
  EXPECT_EQ(gestures_.pending_label(), (NormalisedPoint{0.25F, 0.5F}));
  EXPECT_EQ(sent_.label_changes, 1);
  gestures_.place_label("gall bladder");
  EXPECT_FALSE(gestures_.pending_label());
  ASSERT_EQ(sent_.sent.size(), 2U);
  const auto& begin = std::get<annotation::Begin>(sent_.sent[0].op);
  EXPECT_EQ(begin.draft.kind, AnnotationKind::kLabel);
  EXPECT_EQ(begin.draft.text, "gall bladder");
  EXPECT_EQ(begin.draft.points, (std::vector<NormalisedPoint>{{0.25F, 0.5F}}));
  EXPECT_EQ(std::get<annotation::Commit>(sent_.sent[1].op).id, begin.draft.id);

  // Empty text drops it; so does picking another tool.
  sent_.sent.clear();
  press({0.25F, 0.5F}, milliseconds{2000});
  gestures_.place_label("");
  EXPECT_FALSE(gestures_.pending_label());
  press({0.25F, 0.5F}, milliseconds{3000});
  gestures_.set_tool(DrawingTool::kPen);
  EXPECT_FALSE(gestures_.pending_label());
  gestures_.place_label("too late");
  EXPECT_TRUE(sent_.sent.empty());
}

TEST_F(DrawingGesturesTest, WithoutThePenOrANameNothingIsSent) {
  gestures_.set_may_draw(false);
  EXPECT_FALSE(press({0.5F, 0.5F}, milliseconds{1000}));
  EXPECT_FALSE(move({0.6F, 0.5F}, milliseconds{1020}));
  EXPECT_FALSE(release({0.6F, 0.5F}, milliseconds{1040}));
  gestures_.undo();
  gestures_.clear_mine();
  EXPECT_TRUE(sent_.sent.empty());

  // Before the sender names this console it cannot propose ids; the pointer needs none.
  gestures_.set_may_draw(true);
  gestures_.set_author("");
  EXPECT_FALSE(press({0.5F, 0.5F}, milliseconds{2000}));
  gestures_.set_tool(DrawingTool::kPointer);
  EXPECT_TRUE(press({0.5F, 0.5F}, milliseconds{3000}));
}

TEST_F(DrawingGesturesTest, LosingThePenMidDrawingSendsNothingMoreOfIt) {
  press({0.1F, 0.2F}, milliseconds{1000});
  move({0.2F, 0.2F}, milliseconds{1004});
  ASSERT_TRUE(gestures_.batch_waiting());
  gestures_.set_may_draw(false);
  EXPECT_FALSE(gestures_.batch_waiting());
  EXPECT_FALSE(gestures_.gesture_going_on());
  EXPECT_FALSE(release({0.3F, 0.2F}, milliseconds{1100}));
  EXPECT_EQ(sent_.sent.size(), 1U);  // the Begin only
}

TEST_F(DrawingGesturesTest, UndoTakesTheDrawingGoingOnAndAnInterruptionCommitsIt) {
  press({0.1F, 0.2F}, milliseconds{1000});
  move({0.2F, 0.2F}, milliseconds{1004});
  gestures_.undo();
  EXPECT_FALSE(gestures_.gesture_going_on());
  EXPECT_FALSE(release({0.3F, 0.2F}, milliseconds{1100}));
  ASSERT_EQ(sent_.sent.size(), 2U);
  EXPECT_TRUE(std::holds_alternative<annotation::Undo>(sent_.sent[1].op));

  sent_.sent.clear();
  press({0.1F, 0.2F}, milliseconds{2000});
  move({0.2F, 0.2F}, milliseconds{2004});
  gestures_.interrupt();  // a popup took the pointer
  ASSERT_EQ(sent_.sent.size(), 3U);
  EXPECT_EQ(std::get<annotation::Extend>(sent_.sent[1].op).points,
            (std::vector<NormalisedPoint>{{0.2F, 0.2F}}));
  EXPECT_TRUE(std::holds_alternative<annotation::Commit>(sent_.sent[2].op));
  gestures_.clear_mine();
  EXPECT_EQ(std::get<annotation::Clear>(sent_.sent.back().op).scope, annotation::ClearScope::kMine);
}

TEST_F(DrawingGesturesTest, IdsSkipTheCountersAlreadyInTheScene) {
  auto scene = std::make_shared<annotation::Scene>();
  for (const char* id : {"c2-7", "c3-40", "c2-pointer"}) {
    auto a = std::make_shared<annotation::Annotation>();
    a->id = id;
    a->author = std::string(id).substr(0, 2);
    scene->annotations.push_back(a);
  }
  gestures_.set_scene(scene);
  drag({0.1F, 0.2F}, {0.2F, 0.25F}, 3, milliseconds{1000}, milliseconds{20});
  EXPECT_EQ(std::get<annotation::Begin>(sent_.sent.front().op).draft.id, "c2-8");
}

}  // namespace
}  // namespace surgilink::console
