#include "surgilink/vitals/numeric_sample.hpp"

#include <cmath>

namespace surgilink::vitals {

NumericSample make_numeric_sample(Parameter parameter, std::optional<double> value,
                                  core::CaptureTime captured, std::optional<core::CaptureTime> source_time) {
  NumericSample s;
  s.parameter = parameter;
  if (value && std::isfinite(*value)) s.value = *value;
  s.unit = info(parameter).unit;
  s.captured = captured;
  s.source_time = source_time;
  return s;
}

}  // namespace surgilink::vitals
