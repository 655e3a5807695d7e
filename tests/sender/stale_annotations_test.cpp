// A departed mentor's annotations fade out on the OR display and are then removed (DESIGN.md §8), unless the
// OR keeps them or the mentor comes back in time.
#include <gtest/gtest.h>

#include "stale_annotations.hpp"
#include "surgilink/core/capture_clock.hpp"

namespace surgilink::sender {
namespace {

using std::chrono::milliseconds;

TEST(StaleAnnotations, ADepartedMentorsAnnotationsFadeOutAndAreThenRemoved) {
  core::SimulatedClock clock;
  StaleAnnotations stale(milliseconds{4000});
  EXPECT_TRUE(stale.update({"c1"}, {"c1"}, clock.now()).empty());
  EXPECT_FLOAT_EQ(stale.opacity("c1", clock.now()), 1.0F) << "the mentor is here";
  EXPECT_TRUE(stale.update({}, {"c1"}, clock.now()).empty()) << "the mentor just left";
  EXPECT_TRUE(stale.fading());
  clock.advance(milliseconds{1000});
  EXPECT_NEAR(stale.opacity("c1", clock.now()), 0.75, 1e-6);
  clock.advance(milliseconds{2000});
  EXPECT_NEAR(stale.opacity("c1", clock.now()), 0.25, 1e-6);
  EXPECT_TRUE(stale.update({}, {"c1"}, clock.now()).empty());
  clock.advance(milliseconds{1000});
  EXPECT_EQ(stale.update({}, {"c1"}, clock.now()), std::vector<std::string>{"c1"}) << "faded out: removed";
  EXPECT_FALSE(stale.fading());
}

TEST(StaleAnnotations, AMentorBackInTimeStopsTheFade) {
  core::SimulatedClock clock;
  StaleAnnotations stale(milliseconds{4000});
  stale.update({}, {"c1"}, clock.now());
  clock.advance(milliseconds{3000});
  EXPECT_TRUE(stale.update({"c1"}, {"c1"}, clock.now()).empty());
  EXPECT_FLOAT_EQ(stale.opacity("c1", clock.now()), 1.0F);
  clock.advance(milliseconds{3000});
  EXPECT_TRUE(stale.update({}, {"c1"}, clock.now()).empty()) << "a new departure fades from the start";
  EXPECT_NEAR(stale.opacity("c1", clock.now()), 1.0, 1e-6);
}

TEST(StaleAnnotations, TheOrKeepsThemWithOneTouchUntilTheyAreClearedOrTheMentorReturns) {
  core::SimulatedClock clock;
  StaleAnnotations stale(milliseconds{2000});
  EXPECT_FALSE(stale.keep()) << "nothing fades: nothing to keep";
  stale.update({"c2"}, {"c1", "c2", "or"}, clock.now());
  EXPECT_FLOAT_EQ(stale.opacity("or", clock.now()), 1.0F) << "the surgeon side's own annotations never fade";
  EXPECT_TRUE(stale.keep());
  EXPECT_FALSE(stale.fading());
  clock.advance(milliseconds{10000});
  EXPECT_TRUE(stale.update({"c2"}, {"c1", "c2"}, clock.now()).empty());
  EXPECT_FLOAT_EQ(stale.opacity("c1", clock.now()), 1.0F);
  // Cleared, then drawn again by the same author after coming back and leaving again: a fade of its own.
  stale.update({"c2"}, {"c2"}, clock.now());
  stale.update({"c2"}, {"c1", "c2"}, clock.now());
  EXPECT_TRUE(stale.fading());
}

TEST(StaleAnnotations, AZeroFadeRemovesThemAtOnce) {
  core::SimulatedClock clock;
  StaleAnnotations stale(milliseconds{0});
  EXPECT_EQ(stale.update({}, {"c1"}, clock.now()), std::vector<std::string>{"c1"});
}

}  // namespace
}  // namespace surgilink::sender
