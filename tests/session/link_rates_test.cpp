// The link's rates over the last second, read any number of times without changing them.
#include "surgilink/session/link_rates.hpp"

#include <gtest/gtest.h>

namespace surgilink::session {
namespace {

using std::chrono::milliseconds;

TEST(LinkRates, ThirtyFramesASecondWithOnePercentLoss) {
  core::SimulatedClock clock;
  LinkRates rates;
  LinkTotals t;
  for (int i = 0; i < 90; ++i) {  // 3 s at 30 fps, 20 packets of 1,000 bytes a frame
    t.frames += 1;
    t.packets += 20;
    t.bytes += 20'000;
    if (i % 5 == 0) t.lost += 1;  // 6 lost a second
    rates.note(clock.now(), t);
    clock.advance(milliseconds{33});
  }
  const auto r = rates.rates(clock.now(), t);
  EXPECT_NEAR(r.fps, 30.0, 1.5);
  EXPECT_NEAR(r.bitrate_kbps, 4800.0, 250.0);
  EXPECT_NEAR(r.loss_pct, 100.0 * 6 / 606, 0.2);
}

TEST(LinkRates, ReadingTwiceGivesTheSameFiguresAndADeadLinkReadsZero) {
  core::SimulatedClock clock;
  LinkRates rates;
  LinkTotals t;
  for (int i = 0; i < 60; ++i) {
    t.frames += 1;
    rates.note(clock.now(), t);
    clock.advance(milliseconds{33});
  }
  const auto first = rates.rates(clock.now(), t);
  const auto second = rates.rates(clock.now(), t);
  EXPECT_DOUBLE_EQ(first.fps, second.fps) << "a second reader must not reset the window";
  clock.advance(std::chrono::seconds{5});
  EXPECT_DOUBLE_EQ(rates.rates(clock.now(), t).fps, 0.0);
  EXPECT_DOUBLE_EQ(LinkRates().rates(clock.now(), t).fps, 0.0);
}

}  // namespace
}  // namespace surgilink::session
