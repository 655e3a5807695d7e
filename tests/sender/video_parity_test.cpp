// The video's parity (issue 15): one parity packet per K video packets, K from the smoothed loss, starting
// at 0.2 % and stopping only under 0.1 %.
#include "video_parity.hpp"

#include <gtest/gtest.h>

namespace surgilink::sender {
namespace {

TEST(VideoParity, TheBlockFollowsTheLossWithinFourToTwenty) {
  VideoParity parity;
  EXPECT_EQ(parity.block(0.02), 10u);  // the first report as it is: 2 % -> 1 in 10
  VideoParity lossy;
  EXPECT_EQ(lossy.block(0.10), 4u);  // heavy loss: never denser than 1 in 4
  VideoParity light;
  EXPECT_EQ(light.block(0.005), 20u);  // 0.5 %: 1 in 20, never sparser
}

TEST(VideoParity, NoParityOnALinkThatLosesNothing) {
  VideoParity parity;
  EXPECT_EQ(parity.block(0.0), 0u);
  EXPECT_EQ(parity.block(0.0015), 0u);  // smoothed 0.045 %: under the start
  EXPECT_DOUBLE_EQ(parity.smoothed_loss(), 0.3 * 0.0015);
}

TEST(VideoParity, AWanLinksSecondWithoutLossDoesNotSwitchParityOff) {
  VideoParity parity;
  EXPECT_EQ(parity.block(0.005), 20u);
  // wan's 0.5 %: seconds of 0.0 and 0.2 % come; smoothed 0.35 %, then 0.245 %: parity stays on.
  EXPECT_EQ(parity.block(0.0), 20u);
  EXPECT_EQ(parity.block(0.0), 20u);
  // Only a link that keeps losing nothing brings it under 0.1 % and parity off.
  std::size_t block = 20;
  int seconds = 0;
  while (block != 0 && seconds < 20) {
    block = parity.block(0.0);
    ++seconds;
  }
  EXPECT_EQ(block, 0u);
  EXPECT_GE(seconds, 2);
  // And back on only above 0.2 % again.
  EXPECT_EQ(parity.block(0.003), 0u);  // smoothed 0.15 %: above the stop, under the start
  EXPECT_NE(parity.block(0.01), 0u);
}

// A console joined and has not reported (about a second): its joining keyframe crosses a link of unknown
// loss.
TEST(VideoParity, AJoiningConsolesUnknownLinkGetsParityUntilItReports) {
  VideoParity parity;
  EXPECT_EQ(parity.block(std::nullopt, true), VideoParity::kUnknownLinkBlock) << "nobody has reported yet";
  EXPECT_EQ(parity.block(0.03), 7u) << "its first report (3 %) is taken as it is, not smoothed with a guess";
  EXPECT_DOUBLE_EQ(parity.smoothed_loss(), 0.03);
  VideoParity lan;
  EXPECT_EQ(lan.block(std::nullopt, true), VideoParity::kUnknownLinkBlock);
  EXPECT_EQ(lan.block(0.0), 0u) << "a link that loses nothing: parity off with its first report";
  // A second console joins a session whose first console's link loses 0.5 % (1 in 20): denser until it
  // reports; a link that loses 5 % (1 in 4) keeps its denser parity.
  VideoParity wan;
  EXPECT_EQ(wan.block(0.005), 20u);
  EXPECT_EQ(wan.block(0.005, true), VideoParity::kUnknownLinkBlock);
  EXPECT_EQ(wan.block(0.005), 20u);
  VideoParity lossy;
  EXPECT_EQ(lossy.block(0.05), 4u);
  EXPECT_EQ(lossy.block(0.05, true), 4u);
  // Two join together and one reports 5 % first: its report counts at once, though the other has not.
  VideoParity together;
  EXPECT_EQ(together.block(0.05, true), 4u);
}

// Consoles that left before reporting leave nothing behind: the next first report is taken as it is.
TEST(VideoParity, NoReportChangesNothing) {
  VideoParity parity;
  EXPECT_EQ(parity.block(std::nullopt, true), VideoParity::kUnknownLinkBlock);
  EXPECT_EQ(parity.block(std::nullopt), 0u) << "it left unreported: no parity, and no 0 % report made up";
  EXPECT_EQ(parity.block(0.02), 10u);
  EXPECT_DOUBLE_EQ(parity.smoothed_loss(), 0.02);
  EXPECT_EQ(parity.block(std::nullopt), 10u) << "nothing new: as it was";
}

}  // namespace
}  // namespace surgilink::sender
