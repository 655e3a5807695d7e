#include "surgilink/core/token_bucket.hpp"

#include <gtest/gtest.h>

namespace surgilink::core {
namespace {

using std::chrono::milliseconds;

TEST(TokenBucket, ABurstUpToTheDepthThenTheRate) {
  SimulatedClock clock;
  TokenBucket bucket(10, 5);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(bucket.take(clock.now())) << i;
  EXPECT_FALSE(bucket.take(clock.now()));
  clock.advance(milliseconds{99});
  EXPECT_FALSE(bucket.take(clock.now()));
  clock.advance(milliseconds{2});
  EXPECT_TRUE(bucket.take(clock.now()));
  EXPECT_FALSE(bucket.take(clock.now()));
}

TEST(TokenBucket, RefusedAttemptsDoNotEarnTokensAndIdleTimeFillsOnlyToTheDepth) {
  SimulatedClock clock;
  TokenBucket bucket(100, 2);
  EXPECT_TRUE(bucket.take(clock.now()));
  EXPECT_TRUE(bucket.take(clock.now()));
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(bucket.take(clock.now()));
  clock.advance(std::chrono::seconds{60});
  EXPECT_TRUE(bucket.take(clock.now()));
  EXPECT_TRUE(bucket.take(clock.now()));
  EXPECT_FALSE(bucket.take(clock.now()));
}

TEST(TokenBucket, TimeGoingBackwardsGivesNothing) {
  SimulatedClock clock;
  TokenBucket bucket(1000, 1);
  const auto t = clock.now();
  EXPECT_TRUE(bucket.take(t));
  EXPECT_FALSE(bucket.take(t - std::chrono::seconds{5}));
  EXPECT_FALSE(bucket.take(t));
}

}  // namespace
}  // namespace surgilink::core
