#pragma once
// A simulated patient monitor: physiologically plausible numerics and waveforms, deterministic from a seed,
// following a clinical scenario. Generates exactly the samples of a requested time span (no threads, no
// sleeps): the caller decides what "now" is, from the capture clock or a SimulatedClock in tests.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/vitals/numeric_sample.hpp"
#include "surgilink/vitals/waveform_chunk.hpp"

namespace surgilink::vitals {

// What happens to the simulated patient, from the scenario start. The name functions: any thread.
enum class Scenario : std::uint8_t {
  kStable,        // steady adult under anaesthesia: HR ~72, SpO2 ~98, ABP ~120/80 (MAP ~93), EtCO2 ~37, RR 14
  kHypotension,   // MAP falls linearly from ~93 to 55 mmHg over 120 s and stays there; HR rises to ~100
  kDesaturation,  // SpO2 falls from ~98 to ~82 % over 90 s (delayed start 10 s) and stays; HR rises to ~95
  kTachycardia,   // HR rises from ~72 to ~150 /min over 60 s and stays; MAP drifts down ~10 mmHg
};

std::string_view scenario_name(Scenario scenario);  // "stable", "hypotension", "desaturation", "tachycardia"
std::optional<Scenario> scenario_from_name(std::string_view name);

// How to simulate. Plain value type; any thread.
struct SimulatorSettings {
  Scenario scenario = Scenario::kStable;
  std::uint64_t seed = 1;
  core::CaptureTime start{};  // scenario time 0, on the capture clock
  std::chrono::nanoseconds waveform_period{std::chrono::milliseconds{2}};  // 500 Hz
  std::chrono::seconds nibp_interval{60};  // the cuff measures at start and then every interval
};

// The samples of one span [from, to). Plain value type; any thread.
struct VitalsBatch {
  std::vector<NumericSample> numerics;   // every parameter once per whole second since start, in time order
  std::vector<WaveformChunk> waveforms;  // one chunk per waveform (empty when the span holds no sample)

  bool operator==(const VitalsBatch&) const = default;
};

// Not thread-safe: one thread. Output depends only on the settings and the sample times, never on how the
// time line is cut into spans: generate(a, c) == generate(a, b) + generate(b, c).
class VitalsSimulator {
 public:
  explicit VitalsSimulator(SimulatorSettings settings);

  // Every numeric whose capture time t (start + k s) and every waveform sample (start + n * period) with
  // from <= t < to. Spans move forward only: the part of [from, to) before the end of the previous span is
  // not produced again, and a gap between spans is computed (to keep the physiology continuous) but not
  // returned.
  VitalsBatch generate(core::CaptureTime from, core::CaptureTime to);

  // End of everything produced so far (start before the first call).
  core::CaptureTime produced_until() const { return produced_until_; }
  const SimulatorSettings& settings() const { return settings_; }

 private:
  // One heartbeat, anchored at its R peak (seconds since start), with the values it was drawn with.
  struct Beat {
    double r_peak = 0;
    double rr = 1;  // seconds to the next R peak: 60 / HR of the second holding this R peak
    double abp_sys = 0;
    double abp_dia = 0;
  };
  // One breath, from the start of inspiration.
  struct Breath {
    double start = 0;
    double length = 1;  // 60 / RR
    double etco2 = 0;
  };
  struct Second;  // the numerics of one whole second (defined in the .cpp)

  Second second_at(std::int64_t k) const;
  Beat beat_at(double r_peak) const;
  Breath breath_at(double start) const;
  float ecg_at(double t) const;
  float arterial_at(double t, double delay, bool pressure) const;
  float co2_at(double t) const;
  double noise(std::uint64_t stream, std::int64_t index) const;
  double wobble(std::uint64_t stream, double seconds) const;
  void extend_schedules(double t);

  SimulatorSettings settings_;
  core::CaptureTime produced_until_;
  std::int64_t next_second_ = 0;  // the next numeric second to produce
  std::int64_t next_sample_ = 0;  // the next waveform sample to produce
  std::vector<Beat> beats_;       // R peaks around the current waveform time, oldest first
  std::vector<Breath> breaths_;   // breaths around the current waveform time, oldest first
};

}  // namespace surgilink::vitals
