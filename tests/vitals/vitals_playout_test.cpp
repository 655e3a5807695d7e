#include "surgilink/vitals/vitals_playout.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace surgilink::vitals {
namespace {

using namespace std::chrono_literals;
const core::CaptureTime kStart = core::from_ntp64(std::uint64_t{0xE8000000} << 32);

WaveformChunk chunk_at(core::CaptureTime first, std::size_t samples) {
  WaveformChunk c;
  c.first_sample = first;
  c.samples.assign(samples, 0.5f);
  return c;
}

TEST(VitalsPlayout, HoldsEachItemUntilItsTime) {
  VitalsPlayout playout;
  VitalsUpdate update;
  update.numerics.push_back(make_numeric_sample(Parameter::kHr, 70.0, kStart + 10ms));
  update.waveforms.push_back(chunk_at(kStart, 10));  // last sample at +18 ms
  playout.push(update);
  EXPECT_EQ(playout.next_due(), kStart + 10ms);
  auto early = playout.release(kStart + 9ms);
  EXPECT_TRUE(early.numerics.empty());
  EXPECT_TRUE(early.waveforms.empty());
  auto numeric = playout.release(kStart + 10ms);
  EXPECT_EQ(numeric.numerics.size(), 1u);
  EXPECT_TRUE(numeric.waveforms.empty()) << "a chunk is due at its last sample";
  EXPECT_EQ(playout.next_due(), kStart + 18ms);
  EXPECT_EQ(playout.release(kStart + 18ms).waveforms.size(), 1u);
  EXPECT_EQ(playout.held(), 0u);
  EXPECT_FALSE(playout.next_due());
}

TEST(VitalsPlayout, AlarmFlagIsNeverHeld) {
  VitalsPlayout playout;
  VitalsUpdate update;
  update.alarms_changed = true;
  playout.push(update);
  EXPECT_EQ(playout.held(), 0u);
  EXPECT_FALSE(playout.release(kStart).alarms_changed);
}

TEST(VitalsPlayout, ABoundedHoldReleasesTheOldestEarly) {
  VitalsPlayout playout(3);
  VitalsUpdate update;
  for (int i = 0; i < 5; ++i) {
    update.numerics.push_back(make_numeric_sample(Parameter::kHr, 70.0, kStart + std::chrono::seconds{i}));
  }
  playout.push(update);
  auto out = playout.release(kStart - 1s);  // nothing is due yet, but 5 > 3 are held
  ASSERT_EQ(out.numerics.size(), 2u);
  EXPECT_EQ(out.numerics[0].captured, kStart);
  EXPECT_EQ(playout.held(), 3u);
}

}  // namespace
}  // namespace surgilink::vitals
