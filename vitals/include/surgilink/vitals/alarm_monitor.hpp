#pragma once
// Turns a stream of numeric samples into alarm start and end events, by the limits with hysteresis.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/vitals/alarm_limits.hpp"
#include "surgilink/vitals/numeric_sample.hpp"

namespace surgilink::vitals {

// Which limit an alarm is about.
enum class AlarmCondition : std::uint8_t { kLow, kHigh };

// The start or the end of one alarm. An alarm is the span between its start and its end event.
// Plain value type; any thread.
struct AlarmEvent {
  enum class Transition : std::uint8_t { kStart, kEnd };
  Parameter parameter = Parameter::kHr;
  AlarmCondition condition = AlarmCondition::kLow;
  Transition transition = Transition::kStart;
  double value = 0;             // the sample that started or ended it (canonical unit)
  double limit = 0;             // the limit that was crossed
  core::CaptureTime at{};       // the sample's capture time
  core::CaptureTime started{};  // for kEnd: when this alarm started; for kStart: == at

  bool operator==(const AlarmEvent&) const = default;
};

// One alarm in progress. Plain value type; any thread.
struct ActiveAlarm {
  Parameter parameter = Parameter::kHr;
  AlarmCondition condition = AlarmCondition::kLow;
  double limit = 0;
  core::CaptureTime since{};
  bool operator==(const ActiveAlarm&) const = default;
};

// State per parameter. Not thread-safe: one thread (the network thread, where samples arrive).
// A "not available" sample changes nothing (an alarm in progress stays in progress); a disabled limit ends
// its alarm at the next sample.
class AlarmMonitor {
 public:
  explicit AlarmMonitor(AlarmLimits limits = AlarmLimits::defaults());

  // Events caused by one sample, in order (at most two: the end of a low alarm and the start of a high one).
  std::vector<AlarmEvent> feed(const NumericSample& sample);
  std::vector<AlarmEvent> feed(std::span<const NumericSample> samples);

  // New limits apply from the next sample.
  void set_limits(AlarmLimits limits) { limits_ = limits; }
  const AlarmLimits& limits() const { return limits_; }

  std::optional<ActiveAlarm> active(Parameter parameter) const;
  std::vector<ActiveAlarm> active() const;

 private:
  AlarmLimits limits_;
  std::array<std::optional<ActiveAlarm>, static_cast<std::size_t>(Parameter::kCount)> active_{};
};

}  // namespace surgilink::vitals
