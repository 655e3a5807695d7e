// The bench's run figures: what a receiver's report says of a link, and the annotation delays, shaped as the
// bench's JSON names them (README: Bench output).
#include "bench/run_figures.hpp"

#include <gtest/gtest.h>

namespace surgilink::bench {
namespace {

using nlohmann::json;

TEST(RunFigures, APictureReportBecomesFrozenRatioFreezesAndBrokenFrames) {
  const json report = {
      {"frozen_ms", 300.0}, {"freezes", 2}, {"longest_freeze_ms", 250.0}, {"frames_undecodable", 7}};
  const json f = picture_figures(report, 30'000);
  EXPECT_DOUBLE_EQ(f["frozen_ratio"].get<double>(), 0.01);
  EXPECT_EQ(f["freezes"]["count"], 2);
  EXPECT_DOUBLE_EQ(f["freezes"]["longest_ms"].get<double>(), 250.0);
  EXPECT_EQ(f["broken_frames"], 7);
  EXPECT_DOUBLE_EQ(picture_figures(report, 0)["frozen_ratio"].get<double>(), 0.0) << "nothing measured";
}

TEST(RunFigures, ABaselinesReportKeepsItsCountsAndItsLatencyFigures) {
  const json summary = {{"p50", 40.0}, {"p95", 60.0}, {"p99", 70.0}, {"max", 90.0}, {"count", 900}};
  const json b = {{"frozen_ms", 0.0},         {"freezes", 0},
                  {"longest_freeze_ms", 0.0}, {"frames_undecodable", 3},
                  {"transport", "udp"},       {"frames_until_keyframe", 12},
                  {"frames_received", 880},   {"frames_pixel_unreadable", 4},
                  {"fps_received", 29.3},     {"packets_received", 20000},
                  {"packets_lost", 100},      {"g2g_ms", summary},
                  {"pixel_ms", summary}};
  const json f = link_figures(b, 30'000);
  EXPECT_EQ(f["broken_frames"], 3);
  EXPECT_EQ(f["frames_until_keyframe"], 12);
  EXPECT_EQ(f["packets_lost"], 100);
  EXPECT_EQ(f["transport"], "udp");
  EXPECT_EQ(f["g2g_ms"], (json{{"p50", 40.0}, {"p95", 60.0}, {"p99", 70.0}, {"max", 90.0}}));
  EXPECT_EQ(p50_p95(summary), (json{{"p50", 40.0}, {"p95", 60.0}}));
  EXPECT_TRUE(latency(json(nullptr)).is_null());
}

TEST(RunFigures, AnAnnotationsDelayIsToTheFirstPictureWhoseSceneIncludesIt) {
  // Operations 1..3 input at 10, 20, 30 ms; scene versions 2 and 3 composited at 25 and 50 ms.
  const json inputs = json::array({{1, 10'000'000}, {2, 20'000'000}, {3, 30'000'000}, {4, 40'000'000}});
  const json composited = json::array({{2, 25'000'000}, {3, 50'000'000}});
  std::size_t never_shown = 0;
  const auto delays = annotation_delays_ms(inputs, composited, 15'000'000, &never_shown);
  // Operation 1 came before the measured part; 4 no picture showed.
  EXPECT_EQ(delays, (std::vector<double>{5.0, 20.0}));
  EXPECT_EQ(never_shown, 1u);
  const json d = distribution(delays);
  EXPECT_EQ(d["count"], 2);
  EXPECT_DOUBLE_EQ(d["mean"].get<double>(), 12.5);
  EXPECT_DOUBLE_EQ(d["max"].get<double>(), 20.0);
  EXPECT_TRUE(distribution({}).is_null());
}

}  // namespace
}  // namespace surgilink::bench
