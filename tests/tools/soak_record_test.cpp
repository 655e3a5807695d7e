// The soak's memory figures: the least-squares growth and what it leaves out.
#include <gtest/gtest.h>

#include "bench/soak_record.hpp"

namespace surgilink::bench {
namespace {

constexpr std::uint64_t kMb = 1024 * 1024;

TEST(LeastSquaresSlope, FitsALineThroughNoisyPoints) {
  // 3x + 10 with ±0.5 of noise: by hand, Sxy = 14 and Sxx = 5 around the means (2.5, 17.5).
  const auto slope = least_squares_slope({1, 2, 3, 4}, {13.5, 15.5, 19.5, 21.5});
  ASSERT_TRUE(slope.has_value());
  EXPECT_NEAR(*slope, 2.8, 1e-9);
}

TEST(LeastSquaresSlope, NeedsTwoDistinctXs) {
  EXPECT_FALSE(least_squares_slope({}, {}).has_value());
  EXPECT_FALSE(least_squares_slope({2}, {5}).has_value());
  EXPECT_FALSE(least_squares_slope({2, 2}, {5, 7}).has_value());
  EXPECT_FALSE(least_squares_slope({1, 2}, {5}).has_value());
}

TEST(SoakRecord, GrowthLeavesTheFirstMinuteOut) {
  SoakRecord soak;
  soak.add(0, 100 * kMb, 50 * kMb);  // start-up: far below the rest, must not count
  soak.add(1, 200 * kMb, 60 * kMb);
  soak.add(2, 204 * kMb, 60 * kMb);
  soak.add(3, 208 * kMb, 60 * kMb);
  ASSERT_TRUE(soak.sender_growth_mb_per_min().has_value());
  EXPECT_NEAR(*soak.sender_growth_mb_per_min(), 4.0, 1e-9);
  EXPECT_NEAR(*soak.console_growth_mb_per_min(), 0.0, 1e-9);
  const auto j = soak.to_json();
  EXPECT_EQ(j["rss_mb"]["sender"], nlohmann::json({100.0, 200.0, 204.0, 208.0}));
  EXPECT_EQ(j["rss_minutes"], nlohmann::json({0.0, 1.0, 2.0, 3.0}));
  EXPECT_NEAR(j["rss_growth_mb_per_min"]["sender"].get<double>(), 4.0, 1e-9);
}

TEST(SoakRecord, ShortSoakHasNoGrowthFigureAndUnreadSamplesAreNull) {
  SoakRecord soak;
  soak.add(0, 100 * kMb, std::nullopt);
  soak.add(1, 101 * kMb, std::nullopt);
  EXPECT_FALSE(soak.sender_growth_mb_per_min().has_value()) << "one sample after the warm-up minute";
  const auto j = soak.to_json();
  EXPECT_TRUE(j["rss_growth_mb_per_min"]["sender"].is_null());
  EXPECT_TRUE(j["rss_growth_mb_per_min"]["console"].is_null());
  EXPECT_EQ(j["rss_mb"]["console"], nlohmann::json({nullptr, nullptr}));
}

}  // namespace
}  // namespace surgilink::bench
