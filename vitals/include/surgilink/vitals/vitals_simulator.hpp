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

// What happens to the simulated patient, from the scenario start.
enum class Scenario : std::uint8_t {
  kStable,        // steady adult under anaesthesia: HR ~72, SpO2 ~98, ABP ~120/80 (MAP ~93), EtCO2 ~37, RR 14
  kHypotension,   // MAP falls linearly from ~93 to 55 mmHg over 120 s and stays there; HR rises to ~100
  kDesaturation,  // SpO2 falls from ~98 to ~82 % over 90 s (delayed start 10 s) and stays; HR rises to ~95
  kTachycardia,   // HR rises from ~72 to ~150 /min over 60 s and stays; MAP drifts down ~10 mmHg
};

std::string_view scenario_name(Scenario scenario);  // "stable", "hypotension", "desaturation", "tachycardia"
std::optional<Scenario> scenario_from_name(std::string_view name);

struct SimulatorSettings {
  Scenario scenario = Scenario::kStable;
  std::uint64_t seed = 1;
  core::CaptureTime start{};  // scenario time 0, on the capture clock
  std::chrono::nanoseconds waveform_period{std::chrono::milliseconds{2}};  // 500 Hz
  std::chrono::seconds nibp_interval{60};  // the cuff measures at start and then every interval
};

// The samples of one span [from, to).
struct VitalsBatch {
  std::vector<NumericSample> numerics;  // every parameter once per whole second since start, in time order
  std::vector<WaveformChunk> waveforms; // one chunk per waveform (empty when the span holds no sample)

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
  struct Trend;
  struct Second;
  Second second_at(std::int64_t k) const;
  void advance_numerics(std::int64_t until_second, core::CaptureTime from, VitalsBatch& out);
  void advance_waveforms(std::int64_t until_sample, core::CaptureTime from, VitalsBatch& out);

  SimulatorSettings settings_;
  core::CaptureTime produced_until_;
  std::int64_t next_second_ = 0;  // index of the next numeric second to produce
  std::int64_t next_sample_ = 0;  // index of the next waveform sample to produce
  // Waveform state carried from sample to sample: integrated cardiac and respiratory phase.
  double cardiac_phase_ = 0;      // beats since start
  double respiratory_phase_ = 0;  // breaths since start
  std::uint64_t noise_state_;
  double last_nibp_sys_ = 0, last_nibp_dia_ = 0, last_nibp_mean_ = 0;
  std::optional<core::CaptureTime> last_nibp_time_;
};

}  // namespace surgilink::vitals
