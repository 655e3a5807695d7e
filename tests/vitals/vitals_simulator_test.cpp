#include "surgilink/vitals/vitals_simulator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <vector>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::vitals {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const core::CaptureTime kStart{seconds{1'700'000'000}};

SimulatorSettings settings(Scenario scenario, std::uint64_t seed = 7) {
  SimulatorSettings s;
  s.scenario = scenario;
  s.seed = seed;
  s.start = kStart;
  return s;
}

// The value of `p` in the numeric captured at whole second `second`.
double numeric_at(const VitalsBatch& batch, Parameter p, int second) {
  for (const NumericSample& s : batch.numerics) {
    if (s.parameter == p && s.captured == kStart + seconds{second}) return s.value.value_or(NAN);
  }
  ADD_FAILURE() << "no " << info(p).short_name << " at " << second << " s";
  return NAN;
}

const WaveformChunk& chunk(const VitalsBatch& batch, Waveform w) {
  return batch.waveforms.at(static_cast<std::size_t>(w));
}

// R-peak times (seconds since start) of an ECG chunk: maxima above 0.6 mV, refined by a parabola.
std::vector<double> r_peaks(const WaveformChunk& ecg) {
  std::vector<double> peaks;
  const auto& y = ecg.samples;
  const double dt = std::chrono::duration<double>(ecg.sample_period).count();
  const double t0 = std::chrono::duration<double>(ecg.first_sample - kStart).count();
  constexpr std::size_t kWindow = 20;  // 40 ms: one R peak per window, whatever the noise does at its top
  for (std::size_t i = kWindow; i + kWindow < y.size(); ++i) {
    const auto top = std::max_element(y.begin() + static_cast<std::ptrdiff_t>(i - kWindow),
                                      y.begin() + static_cast<std::ptrdiff_t>(i + kWindow + 1));
    if (y[i] > 0.6f && top == y.begin() + static_cast<std::ptrdiff_t>(i)) {
      const double denom = y[i - 1] - 2.0 * y[i] + y[i + 1];
      const double offset = denom != 0 ? 0.5 * (y[i - 1] - y[i + 1]) / denom : 0.0;
      peaks.push_back(t0 + (static_cast<double>(i) + offset) * dt);
    }
  }
  return peaks;
}

TEST(VitalsSimulator, SameSeedSameOutputOtherSeedOtherOutput) {
  VitalsSimulator a(settings(Scenario::kStable, 42));
  VitalsSimulator b(settings(Scenario::kStable, 42));
  VitalsSimulator c(settings(Scenario::kStable, 43));
  const VitalsBatch ba = a.generate(kStart, kStart + seconds{20});
  const VitalsBatch bb = b.generate(kStart, kStart + seconds{20});
  const VitalsBatch bc = c.generate(kStart, kStart + seconds{20});
  EXPECT_EQ(ba, bb);
  EXPECT_NE(ba.waveforms, bc.waveforms);
  EXPECT_NE(ba.numerics, bc.numerics);
}

TEST(VitalsSimulator, HowTheTimeLineIsCutDoesNotMatter) {
  VitalsSimulator whole(settings(Scenario::kTachycardia));
  VitalsSimulator pieces(settings(Scenario::kTachycardia));
  const VitalsBatch all = whole.generate(kStart, kStart + seconds{5});
  std::vector<NumericSample> numerics;
  std::vector<std::vector<float>> waves(all.waveforms.size());
  for (auto t = kStart; t < kStart + seconds{5}; t += milliseconds{37}) {  // 37 ms: not a sample multiple
    const VitalsBatch part = pieces.generate(t, std::min(t + milliseconds{37}, kStart + seconds{5}));
    numerics.insert(numerics.end(), part.numerics.begin(), part.numerics.end());
    for (std::size_t w = 0; w < part.waveforms.size(); ++w) {
      waves[w].insert(waves[w].end(), part.waveforms[w].samples.begin(), part.waveforms[w].samples.end());
    }
  }
  EXPECT_EQ(numerics, all.numerics);
  for (std::size_t w = 0; w < all.waveforms.size(); ++w) EXPECT_EQ(waves[w], all.waveforms[w].samples) << w;
}

TEST(VitalsSimulator, EveryNumericOncePerSecondWaveformsAt500Hz) {
  VitalsSimulator sim(settings(Scenario::kStable));
  const VitalsBatch b = sim.generate(kStart, kStart + seconds{10});
  ASSERT_EQ(b.numerics.size(), 10u * all_parameters().size());
  for (std::size_t i = 0; i < b.numerics.size(); ++i) {
    const NumericSample& s = b.numerics[i];
    EXPECT_EQ(s.captured, kStart + seconds{static_cast<int>(i / all_parameters().size())});
    EXPECT_EQ(s.unit, info(s.parameter).unit);
    ASSERT_TRUE(s.value);
    EXPECT_GE(*s.value, info(s.parameter).min_valid);
    EXPECT_LE(*s.value, info(s.parameter).max_valid);
  }
  ASSERT_EQ(b.waveforms.size(), 4u);
  for (const WaveformChunk& w : b.waveforms) {
    EXPECT_EQ(w.samples.size(), 5000u);
    EXPECT_EQ(w.first_sample, kStart);
    EXPECT_EQ(w.sample_period, milliseconds{2});
    EXPECT_EQ(w.unit, info(w.waveform).unit);
  }
  // Plausible stable adult.
  EXPECT_NEAR(numeric_at(b, Parameter::kHr, 5), 72, 3);
  EXPECT_NEAR(numeric_at(b, Parameter::kSpo2, 5), 98, 2);
  EXPECT_NEAR(numeric_at(b, Parameter::kAbpMean, 5), 93, 3);
  EXPECT_NEAR(numeric_at(b, Parameter::kEtco2, 5), 37, 2);
  EXPECT_NEAR(numeric_at(b, Parameter::kTemp, 5), 36.8, 0.2);
}

TEST(VitalsSimulator, SpansOnlyMoveForward) {
  VitalsSimulator sim(settings(Scenario::kStable));
  EXPECT_FALSE(sim.generate(kStart, kStart + seconds{2}).numerics.empty());
  const VitalsBatch again = sim.generate(kStart, kStart + seconds{2});
  EXPECT_TRUE(again.numerics.empty());
  EXPECT_TRUE(again.waveforms.empty());
  EXPECT_EQ(sim.produced_until(), kStart + seconds{2});
  // A gap is skipped but the rhythm continues: the same samples as a simulator that produced the gap.
  VitalsSimulator reference(settings(Scenario::kStable));
  reference.generate(kStart, kStart + seconds{3});
  EXPECT_EQ(sim.generate(kStart + seconds{3}, kStart + seconds{4}),
            reference.generate(kStart + seconds{3}, kStart + seconds{4}));
}

void expect_r_peaks_follow_hr(Scenario scenario) {
  VitalsSimulator sim(settings(scenario));
  const VitalsBatch b = sim.generate(kStart, kStart + seconds{90});
  const std::vector<double> peaks = r_peaks(chunk(b, Waveform::kEcgII));
  ASSERT_GT(peaks.size(), 90u);
  for (std::size_t i = 0; i + 1 < peaks.size(); ++i) {
    const double hr = numeric_at(b, Parameter::kHr, static_cast<int>(std::floor(peaks[i])));
    const double expected = 60.0 / hr;
    const double spacing = peaks[i + 1] - peaks[i];
    EXPECT_NEAR(spacing, expected, 0.02 * expected) << "beat " << i << " at " << peaks[i] << " s, HR " << hr;
  }
}

TEST(VitalsSimulator, EcgRPeakSpacingMatchesHeartRateWithin2Percent) {
  expect_r_peaks_follow_hr(Scenario::kStable);
  expect_r_peaks_follow_hr(Scenario::kTachycardia);
}

TEST(VitalsSimulator, HypotensionMapFallsTo55At120Seconds) {
  VitalsSimulator sim(settings(Scenario::kHypotension));
  const VitalsBatch b = sim.generate(kStart, kStart + seconds{150});
  EXPECT_NEAR(numeric_at(b, Parameter::kAbpMean, 0), 93, 2);
  EXPECT_NEAR(numeric_at(b, Parameter::kAbpMean, 60), 74, 2);
  EXPECT_NEAR(numeric_at(b, Parameter::kAbpMean, 120), 55, 2);
  EXPECT_NEAR(numeric_at(b, Parameter::kAbpMean, 149), 55, 2);
  EXPECT_GT(numeric_at(b, Parameter::kHr, 120), numeric_at(b, Parameter::kHr, 0) + 15);
  // The cuff follows at its measurement times.
  EXPECT_NEAR(numeric_at(b, Parameter::kNibpMean, 121), 57, 3);
  // The arterial waveform stays between the diastolic and systolic values of its beats.
  const auto& abp = chunk(b, Waveform::kAbp).samples;
  double lowest_dia = 1e9;
  double highest_sys = 0;
  for (const NumericSample& s : b.numerics) {
    if (s.parameter == Parameter::kAbpDia) lowest_dia = std::min(lowest_dia, *s.value);
    if (s.parameter == Parameter::kAbpSys) highest_sys = std::max(highest_sys, *s.value);
  }
  EXPECT_GE(*std::min_element(abp.begin(), abp.end()), lowest_dia);
  EXPECT_LE(*std::max_element(abp.begin(), abp.end()), highest_sys);
}

TEST(VitalsSimulator, ArterialWaveformSpansDiastolicToSystolic) {
  VitalsSimulator sim(settings(Scenario::kStable));
  const VitalsBatch b = sim.generate(kStart, kStart + seconds{10});
  const auto& abp = chunk(b, Waveform::kAbp).samples;
  const double sys = numeric_at(b, Parameter::kAbpSys, 5);
  const double dia = numeric_at(b, Parameter::kAbpDia, 5);
  // Over one second around t = 5 s the pulse reaches (almost) systolic and falls back to diastolic.
  const auto first = abp.begin() + 2500;
  const auto last = abp.begin() + 3000;
  EXPECT_NEAR(*std::max_element(first, last), sys, 2.0);
  EXPECT_NEAR(*std::min_element(first, last), dia, 2.0);
}

TEST(VitalsSimulator, DesaturationSpo2Falls) {
  VitalsSimulator sim(settings(Scenario::kDesaturation));
  const VitalsBatch b = sim.generate(kStart, kStart + seconds{120});
  const double at0 = numeric_at(b, Parameter::kSpo2, 0);
  const double at40 = numeric_at(b, Parameter::kSpo2, 40);
  const double at70 = numeric_at(b, Parameter::kSpo2, 70);
  const double at110 = numeric_at(b, Parameter::kSpo2, 110);
  EXPECT_GE(at0, 96);
  EXPECT_LT(at40, at0);
  EXPECT_LT(at70, at40);
  EXPECT_LE(at110, 84);
}

TEST(VitalsSimulator, TachycardiaHeartRateRises) {
  VitalsSimulator sim(settings(Scenario::kTachycardia));
  const VitalsBatch b = sim.generate(kStart, kStart + seconds{90});
  EXPECT_NEAR(numeric_at(b, Parameter::kHr, 0), 72, 3);
  EXPECT_NEAR(numeric_at(b, Parameter::kHr, 80), 150, 3);
  EXPECT_NEAR(numeric_at(b, Parameter::kPr, 80), 150, 4);
}

TEST(VitalsSimulator, CapnogramBreathesAtTheRespirationRateUpToEtco2) {
  VitalsSimulator sim(settings(Scenario::kStable));
  const VitalsBatch b = sim.generate(kStart, kStart + seconds{60});
  const auto& co2 = chunk(b, Waveform::kCapnogram).samples;
  const double etco2 = numeric_at(b, Parameter::kEtco2, 30);
  int breaths = 0;
  for (std::size_t i = 1; i < co2.size(); ++i) {
    if (co2[i - 1] < etco2 / 2 && co2[i] >= etco2 / 2) ++breaths;
  }
  double mean_rr = 0;
  for (int s = 0; s < 60; ++s) mean_rr += numeric_at(b, Parameter::kRr, s) / 60;
  EXPECT_NEAR(breaths, mean_rr, 1.5);
  EXPECT_NEAR(*std::max_element(co2.begin(), co2.end()), etco2, 3.0);
  EXPECT_GE(*std::min_element(co2.begin(), co2.end()), 0.0f);
}

TEST(VitalsSimulator, ScenarioNames) {
  for (Scenario s :
       {Scenario::kStable, Scenario::kHypotension, Scenario::kDesaturation, Scenario::kTachycardia}) {
    EXPECT_EQ(scenario_from_name(scenario_name(s)), s);
  }
  EXPECT_EQ(scenario_from_name("hypotension"), Scenario::kHypotension);
  EXPECT_EQ(scenario_from_name("cardiac_arrest"), std::nullopt);
}

}  // namespace
}  // namespace surgilink::vitals
