// One direction of surgilink-link as a model, driven by made-up instants (no clock, no sleeping): delay and
// jitter without reordering, the rate's queue, its tail drop, steps and blackholes.
#include <gtest/gtest.h>

#include <vector>

#include "link/impaired_direction.hpp"

namespace surgilink::tools::link {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

const LinkTime kStart{std::chrono::seconds{1'000}};

LinkProfile profile(const std::string& link_table, const std::string& rest = {}) {
  return parse_link_profile("name = \"t\"\n[link]\n" + link_table + "\n" + rest, "t.toml");
}

TEST(ImpairedDirection, WithoutImpairmentsAPacketLeavesAtOnce) {
  const auto p = profile("");
  ImpairedDirection d{p, Direction::or_to_mentor, kStart, 1};
  const auto a = d.admit(kStart + milliseconds{5}, 1200);
  EXPECT_EQ(a.fate, Fate::deliver);
  EXPECT_EQ(a.release, kStart + milliseconds{5});
}

TEST(ImpairedDirection, JitterStaysWithinItsBoundsAndNeverReorders) {
  const auto p = profile("delay_ms = 20\njitter_ms = 5");
  ImpairedDirection d{p, Direction::or_to_mentor, kStart, 2};
  LinkTime previous{};
  nanoseconds lowest{milliseconds{100}}, highest{0};
  double sum_ms = 0;
  constexpr int kCount = 200'000;
  for (int i = 0; i < kCount; ++i) {  // dense: a packet every 0.1 ms
    const auto now = kStart + microseconds{100} * i;
    const auto a = d.admit(now, 100);
    ASSERT_EQ(a.fate, Fate::deliver);
    ASSERT_GE(a.release, previous);
    previous = a.release;
    lowest = std::min(lowest, a.release - now);
    highest = std::max(highest, a.release - now);
    sum_ms += std::chrono::duration<double, std::milli>(a.release - now).count();
  }
  // Centred on the delay: keeping the order does not push dense traffic towards delay + jitter.
  EXPECT_NEAR(sum_ms / kCount, 20.0, 0.3);
  EXPECT_GE(lowest, milliseconds{15});
  EXPECT_LE(highest, milliseconds{25});
  EXPECT_LT(lowest, milliseconds{16});
  EXPECT_GT(highest, milliseconds{24});
}

TEST(ImpairedDirection, SparsePacketsGetTheWholeJitterSpreadAroundTheDelay) {
  const auto p = profile("delay_ms = 40\njitter_ms = 7.5");
  ImpairedDirection d{p, Direction::mentor_to_or, kStart, 3};
  double sum_ms = 0;
  constexpr int kCount = 10'000;
  for (int i = 0; i < kCount; ++i) {  // 20 ms apart: more than the jitter spread, so nothing is held back
    const auto now = kStart + milliseconds{20} * i;
    sum_ms += std::chrono::duration<double, std::milli>(d.admit(now, 100).release - now).count();
  }
  EXPECT_NEAR(sum_ms / kCount, 40.0, 0.2);
}

TEST(ImpairedDirection, WithReorderingAllowedALaterPacketMayLeaveFirst) {
  const auto p = profile("delay_ms = 20\njitter_ms = 5\nreorder = true");
  ImpairedDirection d{p, Direction::or_to_mentor, kStart, 4};
  LinkTime previous{};
  int overtaken = 0;
  for (int i = 0; i < 1'000; ++i) {
    const auto a = d.admit(kStart + microseconds{100} * i, 100);
    overtaken += a.release < previous ? 1 : 0;
    previous = a.release;
  }
  EXPECT_GT(overtaken, 100);
}

TEST(ImpairedDirection, TheRateSpacesABurstBySendingTime) {
  // 1000-byte packets at 8 Mbit/s: 1 ms each.
  const auto p = profile("rate_mbit = 8\ndelay_ms = 10");
  ImpairedDirection d{p, Direction::or_to_mentor, kStart, 5};
  for (int i = 1; i <= 5; ++i) {
    const auto a = d.admit(kStart, 1000);
    ASSERT_EQ(a.fate, Fate::deliver);
    EXPECT_EQ(a.release, kStart + milliseconds{10 + i});
  }
  EXPECT_EQ(d.queue_wait(kStart), milliseconds{5});
  EXPECT_EQ(d.queue_wait(kStart + milliseconds{3}), milliseconds{2});
  EXPECT_EQ(d.last_delay(), milliseconds{15});
}

TEST(ImpairedDirection, AFullQueueDropsTheTail) {
  // 1 ms a packet, 5 ms of queue: packets that would wait 0..5 ms enter, the 7th and later do not.
  const auto p = profile("rate_mbit = 8\nqueue_ms = 5");
  ImpairedDirection d{p, Direction::or_to_mentor, kStart, 6};
  int delivered = 0;
  for (int i = 0; i < 20; ++i) delivered += d.admit(kStart, 1000).fate == Fate::deliver ? 1 : 0;
  EXPECT_EQ(delivered, 6);
  EXPECT_EQ(d.counters().queue_full, 14u);
  EXPECT_EQ(d.counters().packets_in, 20u);
  // Once the queue drained, packets enter again.
  EXPECT_EQ(d.admit(kStart + milliseconds{6}, 1000).fate, Fate::deliver);
}

TEST(ImpairedDirection, AnOverloadedLinkCarriesItsRate) {
  // Offered 12 Mbit/s into 6 Mbit/s for 10 simulated seconds: 6 Mbit/s leave.
  const auto p = profile("rate_mbit = 6\nqueue_ms = 100\ndelay_ms = 40");
  ImpairedDirection d{p, Direction::or_to_mentor, kStart, 7};
  std::uint64_t bytes = 0;
  LinkTime last{};
  for (int i = 0; i < 12'500; ++i) {  // 1200 bytes every 0.8 ms = 12 Mbit/s
    const auto a = d.admit(kStart + microseconds{800} * i, 1200);
    if (a.fate != Fate::deliver) continue;
    bytes += 1200;
    last = a.release;
  }
  const double seconds = std::chrono::duration<double>(last - (kStart + milliseconds{40})).count();
  EXPECT_NEAR(static_cast<double>(bytes) * 8.0 / seconds / 1e6, 6.0, 0.05);
  EXPECT_NEAR(static_cast<double>(d.counters().queue_full) / 12'500, 0.5, 0.01);
  EXPECT_LE(d.last_delay(), microseconds{141'600});  // 100 ms queue + 1.6 ms sending + 40 ms
}

TEST(ImpairedDirection, LossDropsItsShare) {
  const auto p = profile("loss_percent = 2");
  ImpairedDirection d{p, Direction::or_to_mentor, kStart, 8};
  for (int i = 0; i < 100'000; ++i) d.admit(kStart + microseconds{10} * i, 100);
  EXPECT_NEAR(static_cast<double>(d.counters().lost) / 100'000, 0.02, 0.002);
}

TEST(ImpairedDirection, ABlackholeDropsEverythingWhileItLasts) {
  const auto p = profile("delay_ms = 25",
                         "[schedule]\nperiod_s = 60\n[[schedule.step]]\nat_s = 10\nblackhole = true\n"
                         "[[schedule.step]]\nat_s = 13\nblackhole = false\n");
  ImpairedDirection d{p, Direction::mentor_to_or, kStart, 9};
  EXPECT_EQ(d.admit(kStart + milliseconds{9'990}, 100).fate, Fate::deliver);
  EXPECT_EQ(d.admit(kStart + milliseconds{10'000}, 100).fate, Fate::blackholed);
  EXPECT_EQ(d.admit(kStart + milliseconds{12'990}, 100).fate, Fate::blackholed);
  EXPECT_TRUE(d.state(kStart + milliseconds{12'990}).blackhole);
  const auto after = d.admit(kStart + milliseconds{13'000}, 100);
  EXPECT_EQ(after.fate, Fate::deliver);
  EXPECT_EQ(after.release, kStart + milliseconds{13'025});
  EXPECT_EQ(d.counters().blackholed, 2u);
}

TEST(ImpairedDirection, ARateStepSlowsThePacketsThatFollowIt) {
  const auto p = profile("rate_mbit = 8", "[[schedule.step]]\nat_s = 10\nrate_mbit = 0.8\n");
  ImpairedDirection d{p, Direction::or_to_mentor, kStart, 10};
  EXPECT_EQ(d.admit(kStart + milliseconds{9'000}, 1000).release, kStart + milliseconds{9'001});
  EXPECT_EQ(d.admit(kStart + milliseconds{10'000}, 1000).release, kStart + milliseconds{10'010});
  EXPECT_DOUBLE_EQ(d.state(kStart + milliseconds{10'000}).rate_bps, 0.8e6);
}

}  // namespace
}  // namespace surgilink::tools::link
