#include "surgilink/core/latency_statistics.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <vector>

namespace surgilink::core {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// 1..100 ms in a scrambled (but fixed) order, so that the code has to sort.
std::vector<nanoseconds> one_to_hundred_ms_scrambled() {
  std::vector<nanoseconds> samples;
  for (int i = 0; i < 100; ++i) samples.push_back(milliseconds{(i * 37) % 100 + 1});
  return samples;
}

TEST(LatencySeries, NearestRankPercentilesOfOneToHundredMs) {
  LatencySeries series;
  for (const nanoseconds s : one_to_hundred_ms_scrambled()) series.add(s);
  ASSERT_EQ(series.size(), 100u);
  const LatencySummary summary = series.summary();
  EXPECT_EQ(summary.count, 100u);
  EXPECT_DOUBLE_EQ(summary.p50_ms, 50.0);
  EXPECT_DOUBLE_EQ(summary.p95_ms, 95.0);
  EXPECT_DOUBLE_EQ(summary.p99_ms, 99.0);
  EXPECT_DOUBLE_EQ(summary.max_ms, 100.0);
}

TEST(LatencySeries, EmptySeriesHasCountZeroAndZeroes) {
  const LatencySummary summary = LatencySeries{}.summary();
  EXPECT_EQ(summary.count, 0u);
  EXPECT_EQ(summary.p50_ms, 0.0);
  EXPECT_EQ(summary.p95_ms, 0.0);
  EXPECT_EQ(summary.p99_ms, 0.0);
  EXPECT_EQ(summary.max_ms, 0.0);
}

TEST(LatencySeries, SingleSampleIsEveryPercentile) {
  LatencySeries series;
  series.add(microseconds{7'500});
  const LatencySummary summary = series.summary();
  EXPECT_EQ(summary.count, 1u);
  EXPECT_DOUBLE_EQ(summary.p50_ms, 7.5);
  EXPECT_DOUBLE_EQ(summary.p95_ms, 7.5);
  EXPECT_DOUBLE_EQ(summary.p99_ms, 7.5);
  EXPECT_DOUBLE_EQ(summary.max_ms, 7.5);
}

TEST(LatencySeries, SmallSetUsesNearestRankNotInterpolation) {
  LatencySeries series;
  for (const int ms : {40, 10, 30, 20}) series.add(milliseconds{ms});
  const LatencySummary summary = series.summary();
  EXPECT_DOUBLE_EQ(summary.p50_ms, 20.0);  // rank ceil(0.5 * 4) = 2
  EXPECT_DOUBLE_EQ(summary.p95_ms, 40.0);  // rank ceil(3.8) = 4
  EXPECT_DOUBLE_EQ(summary.p99_ms, 40.0);
  EXPECT_DOUBLE_EQ(summary.max_ms, 40.0);
}

TEST(LatencySeries, TwentySamplesP95IsTheNineteenth) {
  LatencySeries series;
  for (int i = 20; i >= 1; --i) series.add(milliseconds{i});
  const LatencySummary summary = series.summary();
  EXPECT_DOUBLE_EQ(summary.p50_ms, 10.0);
  EXPECT_DOUBLE_EQ(summary.p95_ms, 19.0);
  EXPECT_DOUBLE_EQ(summary.p99_ms, 20.0);
}

TEST(PercentileMs, NearestRankOnKnownSet) {
  const std::vector<nanoseconds> samples = one_to_hundred_ms_scrambled();
  EXPECT_DOUBLE_EQ(percentile_ms(samples, 0.50), 50.0);
  EXPECT_DOUBLE_EQ(percentile_ms(samples, 0.95), 95.0);
  EXPECT_DOUBLE_EQ(percentile_ms(samples, 0.99), 99.0);
  EXPECT_DOUBLE_EQ(percentile_ms(samples, 1.0), 100.0);
  EXPECT_DOUBLE_EQ(percentile_ms(samples, 0.0), 1.0);  // the smallest sample
}

TEST(PercentileMs, EmptyIsZeroAndSingleIsTheSample) {
  EXPECT_EQ(percentile_ms({}, 0.5), 0.0);
  EXPECT_DOUBLE_EQ(percentile_ms({microseconds{2'250}}, 0.5), 2.25);
  EXPECT_DOUBLE_EQ(percentile_ms({microseconds{2'250}}, 0.99), 2.25);
}

TEST(SlidingLatencyWindow, KeepsSamplesWithinTheSpan) {
  const CaptureTime t0{seconds{1'700'000'000}};
  SlidingLatencyWindow window(seconds{10});
  window.add(t0, milliseconds{100});
  window.add(t0 + seconds{5}, milliseconds{200});
  window.add(t0 + seconds{9}, milliseconds{300});
  const LatencySummary summary = window.summary(t0 + seconds{9});
  EXPECT_EQ(summary.count, 3u);
  EXPECT_DOUBLE_EQ(summary.p50_ms, 200.0);
  EXPECT_DOUBLE_EQ(summary.max_ms, 300.0);
}

TEST(SlidingLatencyWindow, DropsSamplesOlderThanTheSpan) {
  const CaptureTime t0{seconds{1'700'000'000}};
  SlidingLatencyWindow window(seconds{10});
  window.add(t0, milliseconds{900});  // the largest, so that its leaving shows in max
  window.add(t0 + seconds{5}, milliseconds{200});
  window.add(t0 + seconds{9}, milliseconds{300});

  // Exactly one span old is not yet older than the span.
  EXPECT_EQ(window.summary(t0 + seconds{10}).count, 3u);

  const LatencySummary after_first = window.summary(t0 + seconds{10} + nanoseconds{1});
  EXPECT_EQ(after_first.count, 2u);
  EXPECT_DOUBLE_EQ(after_first.p50_ms, 200.0);
  EXPECT_DOUBLE_EQ(after_first.max_ms, 300.0);

  const LatencySummary after_second = window.summary(t0 + seconds{16});
  EXPECT_EQ(after_second.count, 1u);
  EXPECT_DOUBLE_EQ(after_second.max_ms, 300.0);

  const LatencySummary all_gone = window.summary(t0 + seconds{30});
  EXPECT_EQ(all_gone.count, 0u);
  EXPECT_EQ(all_gone.max_ms, 0.0);

  window.add(t0 + seconds{30}, milliseconds{42});
  const LatencySummary fresh = window.summary(t0 + seconds{30});
  EXPECT_EQ(fresh.count, 1u);
  EXPECT_DOUBLE_EQ(fresh.p99_ms, 42.0);
}

TEST(SlidingLatencyWindow, EmptyWindowSummaryIsZero) {
  SlidingLatencyWindow window(seconds{10});
  const LatencySummary summary = window.summary(CaptureTime{seconds{1}});
  EXPECT_EQ(summary.count, 0u);
  EXPECT_EQ(summary.p50_ms, 0.0);
}

}  // namespace
}  // namespace surgilink::core

namespace surgilink::core {
namespace {

// A 4-hour case at 30 fps: the series stays bounded and its percentiles within 0.4 %.
TEST(LatencySeries, AFourHourCaseIsBoundedAndStillAccurate) {
  LatencySeries series;
  const std::size_t n = 4 * 3600 * 30;
  for (std::size_t i = 0; i < n; ++i) {
    // 10.000 .. 59.999 ms, spread evenly.
    series.add(std::chrono::nanoseconds{10'000'000 + static_cast<std::int64_t>((i * 7919) % 50'000) * 1000});
  }
  const LatencySummary s = series.summary();
  EXPECT_EQ(s.count, n);
  EXPECT_NEAR(s.p50_ms, 35.0, 35.0 * 0.004);
  EXPECT_NEAR(s.p95_ms, 57.5, 57.5 * 0.004);
  EXPECT_NEAR(s.p99_ms, 59.5, 59.5 * 0.004);
  EXPECT_DOUBLE_EQ(s.max_ms, 59.999);
}

TEST(LatencySeries, ExactUpToTheFoldAndHugeValuesDoNotOverflowTheBins) {
  LatencySeries series;
  for (std::size_t i = 0; i < LatencySeries::kExactSamples; ++i) series.add(std::chrono::milliseconds{5});
  EXPECT_DOUBLE_EQ(series.summary().p50_ms, 5.0);
  series.add(std::chrono::hours{48});
  series.add(std::chrono::nanoseconds{-3});
  const LatencySummary s = series.summary();
  EXPECT_EQ(s.count, LatencySeries::kExactSamples + 2);
  EXPECT_NEAR(s.p50_ms, 5.0, 0.02);
  EXPECT_DOUBLE_EQ(s.max_ms, 48.0 * 3600 * 1000);
}

}  // namespace
}  // namespace surgilink::core
