#include "surgilink/core/repeat_limiter.hpp"

#include <gtest/gtest.h>

namespace surgilink::core {
namespace {

using std::chrono::seconds;

TEST(RepeatLimiter, TheFirstOfAKeyIsToldRepeatsAreCountedAndSummarisedOnce) {
  SimulatedClock clock;
  RepeatLimiter limiter(seconds{10});
  EXPECT_TRUE(limiter.first("10.0.0.7 tls", clock.now()));
  for (int i = 0; i < 2999; ++i) EXPECT_FALSE(limiter.first("10.0.0.7 tls", clock.now()));
  EXPECT_TRUE(limiter.first("10.0.0.8 tls", clock.now()));
  EXPECT_TRUE(limiter.ended(clock.now()).empty()) << "the interval has not ended";
  clock.advance(seconds{10});
  const auto repeats = limiter.ended(clock.now());
  ASSERT_EQ(repeats.size(), 1u) << "a key that did not repeat has no summary";
  EXPECT_EQ(repeats[0].key, "10.0.0.7 tls");
  EXPECT_EQ(repeats[0].count, 2999u);
  EXPECT_TRUE(limiter.first("10.0.0.7 tls", clock.now())) << "a new interval tells the first again";
}

TEST(RepeatLimiter, ManyDifferentKeysShareOneOverflowEntry) {
  SimulatedClock clock;
  RepeatLimiter limiter(seconds{10}, 4);
  int told = 0;
  for (int i = 0; i < 1000; ++i) told += limiter.first("source " + std::to_string(i), clock.now()) ? 1 : 0;
  EXPECT_EQ(told, 5) << "four keys and the overflow's first";
  clock.advance(seconds{11});
  const auto repeats = limiter.ended(clock.now());
  ASSERT_EQ(repeats.size(), 1u);
  EXPECT_EQ(repeats[0].key, RepeatLimiter::kOverflowKey);
  EXPECT_EQ(repeats[0].count, 995u);
}

}  // namespace
}  // namespace surgilink::core
