#pragma once
// Vital signs as the status lines and the review print them (README: "vitals" in the console status line):
// one key per numeric, its short name, in its canonical unit.

#include <array>
#include <cstddef>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "surgilink/vitals/alarm_monitor.hpp"
#include "surgilink/vitals/numeric_sample.hpp"

namespace surgilink::vitals {

// The latest sample of each numeric parameter, indexed by Parameter (none: never received).
using LatestNumerics = std::array<std::optional<NumericSample>, static_cast<std::size_t>(Parameter::kCount)>;

// {"hr": 72, "spo2": 98, ...}: a number in the canonical unit rounded to 2 decimals, null when the source
// said "not available", the key absent when never received. Any thread.
nlohmann::json numerics_json(const LatestNumerics& latest);

// ["hr low", "spo2 high", ...]. Any thread.
nlohmann::json alarms_json(const std::vector<ActiveAlarm>& alarms);

}  // namespace surgilink::vitals
