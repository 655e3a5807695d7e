#include "surgilink/vitals/vitals_json.hpp"

#include <cmath>
#include <string>

namespace surgilink::vitals {

nlohmann::json numerics_json(const LatestNumerics& latest) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& p : all_parameters()) {
    const auto& sample = latest[static_cast<std::size_t>(p.parameter)];
    if (!sample) continue;
    // Two decimals are more than any monitor resolves; it keeps 36.8 from printing as 36.800000000000004.
    j[std::string(p.short_name)] =
        sample->value ? nlohmann::json(std::round(*sample->value * 100) / 100) : nlohmann::json(nullptr);
  }
  return j;
}

nlohmann::json alarms_json(const std::vector<ActiveAlarm>& alarms) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& a : alarms) {
    j.push_back(std::string(info(a.parameter).short_name) +
                (a.condition == AlarmCondition::kLow ? " low" : " high"));
  }
  return j;
}

}  // namespace surgilink::vitals
