// Reading and validating surgilink-link profiles (configs/links/*.toml).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "link/link_profile.hpp"
#include "surgilink/core/config.hpp"

namespace surgilink::tools::link {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

LinkProfile parse(const std::string& text) { return parse_link_profile(text, "test.toml"); }

// The message of the ConfigError `text` raises (empty if it parses).
std::string refusal(const std::string& text) {
  try {
    parse(text);
  } catch (const core::ConfigError& e) {
    return e.what();
  }
  return {};
}

TEST(LinkProfile, EveryShippedProfileReadsAndMeansWhatItsNameSays) {
  const std::filesystem::path folder = std::filesystem::path{SURGILINK_SOURCE_DIR} / "configs" / "links";
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator{folder}) {
    SCOPED_TRACE(entry.path().string());
    const auto profile = load_link_profile(entry.path());
    EXPECT_EQ(profile.name, entry.path().stem().string());
    EXPECT_FALSE(profile.description.empty());
    ++count;
  }
  EXPECT_EQ(count, 7);

  const auto wan = load_link_profile(folder / "wan.toml");
  EXPECT_EQ(wan.or_to_mentor.delay + wan.mentor_to_or.delay, milliseconds{50});
  EXPECT_EQ(wan.or_to_mentor.jitter + wan.mentor_to_or.jitter, milliseconds{5});
  EXPECT_DOUBLE_EQ(wan.or_to_mentor.loss, 0.005);
  const auto rural = load_link_profile(folder / "rural.toml");
  EXPECT_EQ(rural.or_to_mentor.delay + rural.mentor_to_or.delay, milliseconds{80});
  EXPECT_EQ(rural.or_to_mentor.jitter + rural.mentor_to_or.jitter, milliseconds{15});
  EXPECT_DOUBLE_EQ(rural.mentor_to_or.rate_bps, 6e6);
  EXPECT_DOUBLE_EQ(rural.or_to_mentor.loss, 0.02);
  EXPECT_NEAR(load_link_profile(folder / "lossy.toml").or_to_mentor.mean_loss(), 0.05, 0.001);
  EXPECT_EQ(load_link_profile(folder / "outage.toml").period, milliseconds{60'000});
}

TEST(LinkProfile, ADirectionTableOverridesOnlyTheKeysItNames) {
  const auto p = parse(R"(
name = "asymmetric"
[link]
delay_ms = 20
jitter_ms = 2.5
loss_percent = 1
rate_mbit = 10
[link.burst]
enter_percent = 1
leave_percent = 50
[or_to_mentor]
rate_mbit = 2
queue_ms = 250
)");
  EXPECT_DOUBLE_EQ(p.or_to_mentor.rate_bps, 2e6);
  EXPECT_EQ(p.or_to_mentor.queue, milliseconds{250});
  EXPECT_EQ(p.or_to_mentor.delay, milliseconds{20});
  EXPECT_EQ(p.or_to_mentor.jitter, microseconds{2'500});
  EXPECT_DOUBLE_EQ(p.or_to_mentor.burst.leave, 0.5);
  EXPECT_DOUBLE_EQ(p.mentor_to_or.rate_bps, 10e6);
  EXPECT_EQ(p.mentor_to_or.queue, milliseconds{100});
  EXPECT_DOUBLE_EQ(p.mentor_to_or.loss, 0.01);
  EXPECT_FALSE(p.mentor_to_or.reorder);
}

TEST(LinkProfile, BadProfilesAreRefusedWithTheKeyAndTheReason) {
  EXPECT_THAT(refusal("[link]\ndelay_ms = 1"), HasSubstr("'name': is required"));
  EXPECT_THAT(refusal("name = \"x\"\n[link]\ndelay_ms = 5\njitter_ms = 6"),
              HasSubstr("test.toml:4: key 'link.jitter_ms': jitter (6 ms) must not exceed delay_ms (5 ms)"));
  EXPECT_THAT(refusal("name = \"x\"\n[link]\nlos_percent = 1"),
              HasSubstr("'link.los_percent': unknown setting"));
  EXPECT_THAT(refusal("name = \"x\"\n[link]\nloss_percent = 101"), HasSubstr("outside 0..100"));
  EXPECT_THAT(refusal("name = \"x\"\n[link]\nrate_mbit = -1"), HasSubstr("'link.rate_mbit'"));
  EXPECT_THAT(refusal("name = \"x\"\n[link.burst]\nenter_percent = 1\nleave_percent = 0"),
              HasSubstr("stay in the bad state forever"));
  EXPECT_THAT(
      refusal("name = \"x\"\n[schedule]\nperiod_s = 10\n[[schedule.step]]\nat_s = 10\nblackhole = true"),
      HasSubstr("must be before the schedule's period_s (10 s)"));
  EXPECT_THAT(refusal("name = \"x\"\n[[schedule.step]]\nat_s = 1"),
              HasSubstr("must set rate_mbit or blackhole"));
  EXPECT_THAT(refusal("name = \"x\"\n[[schedule.step]]\nblackhole = true"), HasSubstr("'schedule.step"));
  EXPECT_THAT(refusal("name = \"x\"\n[[schedule.step]]\nat_s = 1\nblackhole = true\ndirection = \"up\""),
              HasSubstr("'up' is not one of"));
  EXPECT_THAT(refusal("name = \"x\"\n[mentor_to_or]\ndelay_ms = \"5\""), HasSubstr("expected"));
}

TEST(LinkProfile, AMissingFileIsRefusedWithItsName) {
  try {
    load_link_profile("/nonexistent/wan.toml");
    FAIL() << "no error";
  } catch (const core::ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/wan.toml"));
  }
}

}  // namespace
}  // namespace surgilink::tools::link
