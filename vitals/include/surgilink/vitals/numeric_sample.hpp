#pragma once
// One value of one numeric vital sign, in its canonical unit, stamped on the sender's capture clock.

#include <optional>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/vitals/vital_sign.hpp"

namespace surgilink::vitals {

// Plain value type; any thread.
struct NumericSample {
  Parameter parameter = Parameter::kHr;
  // nullopt: the source says the value is not available (an empty value, OBX-11 "X", or an IEEE 11073
  // special value: NaN, NRes, +INF, -INF). Never NaN or infinite when set.
  std::optional<double> value;
  Unit unit = Unit::kPerMinute;  // always info(parameter).unit
  core::CaptureTime captured{};  // when the sender acquired it (sender's capture clock, same as video frames)
  std::optional<core::CaptureTime> source_time;  // the source's own timestamp (OBX-14), if it sent one

  bool operator==(const NumericSample&) const = default;
};

// A sample of `parameter` in its canonical unit; a non-finite `value` (NaN, ±inf) becomes "not available".
NumericSample make_numeric_sample(Parameter parameter, std::optional<double> value,
                                  core::CaptureTime captured,
                                  std::optional<core::CaptureTime> source_time = std::nullopt);

}  // namespace surgilink::vitals
