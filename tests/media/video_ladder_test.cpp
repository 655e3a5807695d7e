#include "surgilink/media/video_ladder.hpp"

#include <gtest/gtest.h>

namespace surgilink::media {
namespace {

using std::chrono::seconds;

TEST(VideoLadder, StepsFromTheConfiguredProfileDown) {
  const VideoLadder ladder(video_profile("1080p30"));
  ASSERT_EQ(ladder.steps().size(), 4u);
  EXPECT_EQ(ladder.steps()[0].name, "1080p30");
  EXPECT_EQ(ladder.steps()[1].name, "720p30");
  EXPECT_EQ(ladder.steps()[2].name, "720p15");
  EXPECT_EQ(ladder.steps()[3].name, "540p15");
  EXPECT_EQ(ladder.steps()[3].floor_kbps, 0u);  // the bottom is never left downwards
  const VideoLadder small(video_profile("720p30"));
  ASSERT_EQ(small.steps().size(), 3u);
  EXPECT_EQ(small.steps()[0].name, "720p30");
  EXPECT_EQ(small.step().width, 1280);
}

TEST(VideoLadder, GoesDownAtOnceAsFarAsNeeded) {
  VideoLadder ladder(video_profile("1080p30"));
  core::SimulatedClock clock;
  EXPECT_EQ(ladder.choose(6000, clock.now()).name, "1080p30");
  EXPECT_EQ(ladder.choose(2500, clock.now()).name, "720p30");
  EXPECT_EQ(ladder.choose(300, clock.now()).name, "540p15");
  EXPECT_EQ(ladder.changes(), 2u);
}

TEST(VideoLadder, GoesUpOneStepOnlyAfterTheRateHeldWellAboveItsFloor) {
  VideoLadder ladder(video_profile("1080p30"));
  core::SimulatedClock clock;
  ladder.choose(700, clock.now());
  ASSERT_EQ(ladder.step().name, "540p15");
  // Just above 720p15's floor (800) is not enough: 1.3 times it is, for 5 s.
  for (int i = 0; i < 10; ++i) {
    clock.advance(seconds{1});
    EXPECT_EQ(ladder.choose(900, clock.now()).name, "540p15");
  }
  ladder.choose(1100, clock.now());
  clock.advance(seconds{4});
  EXPECT_EQ(ladder.choose(1100, clock.now()).name, "540p15");
  // A dip restarts the wait.
  EXPECT_EQ(ladder.choose(900, clock.now()).name, "540p15");
  clock.advance(seconds{1});
  ladder.choose(1100, clock.now());
  clock.advance(seconds{5});
  EXPECT_EQ(ladder.choose(1100, clock.now()).name, "720p15");
  // Plenty of rate climbs one step per 5 s, not all at once.
  ladder.choose(10000, clock.now());
  clock.advance(seconds{5});
  EXPECT_EQ(ladder.choose(10000, clock.now()).name, "720p30");
  clock.advance(seconds{5});
  EXPECT_EQ(ladder.choose(10000, clock.now()).name, "1080p30");
  clock.advance(seconds{5});
  EXPECT_EQ(ladder.choose(10000, clock.now()).name, "1080p30");  // never above the configured profile
}

}  // namespace
}  // namespace surgilink::media
