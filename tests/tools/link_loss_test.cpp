// The Gilbert–Elliott loss model of surgilink-link: random loss, bursts, their long-run shares.
#include <gtest/gtest.h>

#include <random>

#include "link/gilbert_elliott.hpp"

namespace surgilink::tools::link {
namespace {

constexpr int kPackets = 200'000;

TEST(GilbertElliott, WithoutLossLosesNothing) {
  std::mt19937_64 random{1};
  GilbertElliott model{0.0, BurstLoss{}};
  for (int i = 0; i < kPackets; ++i) ASSERT_FALSE(model.lose(random));
}

TEST(GilbertElliott, RandomLossMatchesItsProbabilityAndStaysInTheGoodState) {
  std::mt19937_64 random{2};
  GilbertElliott model{0.02, BurstLoss{}};
  int lost = 0;
  for (int i = 0; i < kPackets; ++i) {
    lost += model.lose(random) ? 1 : 0;
    ASSERT_FALSE(model.in_bad_state());
  }
  EXPECT_NEAR(static_cast<double>(lost) / kPackets, 0.02, 0.002);
}

TEST(GilbertElliott, BurstsHaveTheMeanLossAndLengthOfTheirParameters) {
  // The lossy profile: p 1.32 %, r 25 %, all lost in the bad state: 5 % lost, bursts of 1/r = 4 packets.
  const BurstLoss burst{0.0132, 0.25, 1.0};
  std::mt19937_64 random{3};
  GilbertElliott model{0.0, burst};
  int lost = 0, bursts = 0;
  bool previous = false;
  for (int i = 0; i < kPackets; ++i) {
    const bool now = model.lose(random);
    lost += now ? 1 : 0;
    bursts += now && !previous ? 1 : 0;
    previous = now;
  }
  const double share = static_cast<double>(lost) / kPackets;
  EXPECT_NEAR(share, 0.05, 0.005);
  EXPECT_NEAR(static_cast<double>(lost) / bursts, 4.0, 0.3);

  DirectionProfile profile;
  profile.burst = burst;
  EXPECT_NEAR(profile.mean_loss(), 0.0501, 0.0001);
}

TEST(GilbertElliott, TheSameSeedLosesTheSamePackets) {
  const BurstLoss burst{0.05, 0.3, 0.8};
  std::mt19937_64 a{7}, b{7};
  GilbertElliott first{0.01, burst}, second{0.01, burst};
  for (int i = 0; i < 10'000; ++i) ASSERT_EQ(first.lose(a), second.lose(b));
}

}  // namespace
}  // namespace surgilink::tools::link
