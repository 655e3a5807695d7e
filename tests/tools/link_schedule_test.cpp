// The schedule of surgilink-link profiles: rate steps and blackholes per direction, repeating by period.
#include <gtest/gtest.h>

#include "link/link_profile.hpp"
#include "link/link_schedule.hpp"

namespace surgilink::tools::link {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

LinkProfile capacity_drop() {
  return parse_link_profile(R"(
name = "steps"
[link]
rate_mbit = 20
[schedule]
period_s = 30
[[schedule.step]]
at_s = 10
rate_mbit = 2
direction = "or_to_mentor"
[[schedule.step]]
at_s = 20
rate_mbit = 20
direction = "or_to_mentor"
)",
                            "steps.toml");
}

LinkProfile outage() {
  return parse_link_profile(R"(
name = "outage"
[schedule]
period_s = 60
[[schedule.step]]
at_s = 13
blackhole = false
[[schedule.step]]
at_s = 10
blackhole = true
)",
                            "outage.toml");
}

double rate_at(const LinkProfile& p, Direction d, milliseconds t) { return link_state_at(p, d, t).rate_bps; }

TEST(LinkSchedule, RateStepsDownAndBackAndRepeatsEachPeriod) {
  const auto p = capacity_drop();
  const auto up = Direction::or_to_mentor;
  EXPECT_DOUBLE_EQ(rate_at(p, up, milliseconds{0}), 20e6);
  EXPECT_DOUBLE_EQ(rate_at(p, up, milliseconds{9'999}), 20e6);
  EXPECT_DOUBLE_EQ(rate_at(p, up, milliseconds{10'000}), 2e6);
  EXPECT_DOUBLE_EQ(rate_at(p, up, milliseconds{19'999}), 2e6);
  EXPECT_DOUBLE_EQ(rate_at(p, up, milliseconds{20'000}), 20e6);
  EXPECT_DOUBLE_EQ(rate_at(p, up, milliseconds{30'000}), 20e6);
  EXPECT_DOUBLE_EQ(rate_at(p, up, milliseconds{40'500}), 2e6);
}

TEST(LinkSchedule, AStepForOneDirectionLeavesTheOtherAlone) {
  const auto p = capacity_drop();
  EXPECT_DOUBLE_EQ(rate_at(p, Direction::mentor_to_or, milliseconds{15'000}), 20e6);
}

TEST(LinkSchedule, BlackholeHoldsFromItsStartToItsEndInEveryPeriodAndBothDirections) {
  const auto p = outage();  // steps written out of order: sorted when read
  for (const auto d : {Direction::or_to_mentor, Direction::mentor_to_or}) {
    EXPECT_FALSE(link_state_at(p, d, milliseconds{9'999}).blackhole);
    EXPECT_TRUE(link_state_at(p, d, milliseconds{10'000}).blackhole);
    EXPECT_TRUE(link_state_at(p, d, milliseconds{12'999}).blackhole);
    EXPECT_FALSE(link_state_at(p, d, milliseconds{13'000}).blackhole);
    EXPECT_TRUE(link_state_at(p, d, milliseconds{71'000}).blackhole);
    EXPECT_FALSE(link_state_at(p, d, milliseconds{59'000}).blackhole);
  }
}

TEST(LinkSchedule, NextStepWalksThroughThePeriodAndIntoTheNext) {
  const auto p = outage();
  EXPECT_EQ(next_step_after(p, seconds{0}), seconds{10});
  EXPECT_EQ(next_step_after(p, seconds{10}), seconds{13});
  EXPECT_EQ(next_step_after(p, seconds{13}), seconds{60});
  EXPECT_EQ(next_step_after(p, seconds{61}), seconds{70});
}

TEST(LinkSchedule, WithoutAPeriodTheScheduleRunsOnceAndEnds) {
  const auto p = parse_link_profile(R"(
name = "once"
[[schedule.step]]
at_s = 1.5
rate_mbit = 4
)",
                                    "once.toml");
  EXPECT_DOUBLE_EQ(rate_at(p, Direction::or_to_mentor, milliseconds{1'000}), 0.0);
  EXPECT_DOUBLE_EQ(rate_at(p, Direction::or_to_mentor, milliseconds{100'000}), 4e6);
  EXPECT_EQ(next_step_after(p, seconds{0}), milliseconds{1'500});
  EXPECT_EQ(next_step_after(p, seconds{2}), std::nullopt);
  EXPECT_EQ(next_step_after(parse_link_profile("name = \"plain\"", "plain.toml"), seconds{0}), std::nullopt);
}

}  // namespace
}  // namespace surgilink::tools::link
