// Alarms on the OR side (DESIGN.md §8): a mentor who sees the operative field late is shown to the OR, not
// only on the mentor's own console. Through the real sender, with consoles' latency reports.
#include <fstream>
#include <limits>
#include <optional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/running_sender.hpp"
#include "support/test_control_client.hpp"
#include "support/test_installation.hpp"

namespace surgilink::testing {
namespace {

using std::chrono::milliseconds;

// The sender's status lines until `done(status)` holds (at most `lines` lines); the last one read.
template <typename Done>
nlohmann::json next_sender_status(RunningSender& sender, int lines, Done done) {
  nlohmann::json last;
  for (int i = 0; i < lines; ++i) {
    const auto line = sender.next_status(milliseconds{2000});
    if (!line) break;
    last = nlohmann::json::parse(*line, nullptr, false);
    if (!last.is_discarded() && last.contains("mentor_latency_p95_ms") && done(last)) return last;
  }
  return last;
}

TEST(OrAlarms, AMentorsLatencyReachesTheOrAndNonsenseIsRejected) {
  const auto dir = scratch_dir("or-alarms");
  const auto config = write_sender_config(dir);
  std::ofstream(config, std::ios::app) << "[or_display]\nmentor_latency_red_ms = 300\n";
  RunningSender sender(config, dir / "sender.log");
  TestControlClient observer(identity("observer"));
  ASSERT_TRUE(observer.hello(sender.control_port(), 40031).welcomed);
  TestControlClient mentor(identity("mentor"));
  ASSERT_TRUE(mentor.hello(sender.control_port(), 40032).welcomed);

  // An observer's figures are not the mentor's picture; a mentor's are.
  observer.send_latency_report(700, 900, 300);
  mentor.send_latency_report(120, 450, 300);
  const auto late = next_sender_status(
      sender, 10, [](const nlohmann::json& s) { return s["mentor_latency_p95_ms"].is_number(); });
  ASSERT_TRUE(late["mentor_latency_p95_ms"].is_number()) << late.dump();
  EXPECT_DOUBLE_EQ(late["mentor_latency_p95_ms"].get<double>(), 450.0);
  const auto rejected_before = late.value("rejected_datagrams", 0);

  // Figures that cannot be true are counted as rejected and change nothing.
  mentor.send_latency_report(120, std::numeric_limits<double>::quiet_NaN(), 300);
  mentor.send_latency_report(-5, 20, 300);
  const auto after = next_sender_status(sender, 10, [&](const nlohmann::json& s) {
    return s.value("rejected_datagrams", 0) >= rejected_before + 2;
  });
  EXPECT_GE(after.value("rejected_datagrams", 0), rejected_before + 2) << after.dump();
  EXPECT_DOUBLE_EQ(after["mentor_latency_p95_ms"].get<double>(), 450.0);

  // Without fresh reports (3 s), the alarm goes: a console that stopped reporting is not "late".
  const auto quiet = next_sender_status(
      sender, 10, [](const nlohmann::json& s) { return s["mentor_latency_p95_ms"].is_null(); });
  EXPECT_TRUE(quiet["mentor_latency_p95_ms"].is_null()) << quiet.dump();
  EXPECT_EQ(sender.stop(), 0);
}

}  // namespace
}  // namespace surgilink::testing
