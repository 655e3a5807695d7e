#include "surgilink/vitals/alarm_limits.hpp"

#include <sstream>
#include <string>

namespace surgilink::vitals {

namespace {

AlarmLimit limit(std::optional<double> low, std::optional<double> high, double hysteresis) {
  AlarmLimit l;
  l.low = low;
  l.high = high;
  l.hysteresis = hysteresis;
  return l;
}

}  // namespace

AlarmLimits AlarmLimits::defaults() {
  AlarmLimits d;
  d[Parameter::kHr] = limit(50, 120, 5);
  d[Parameter::kPr] = limit(50, 120, 5);
  d[Parameter::kSpo2] = limit(90, std::nullopt, 2);
  d[Parameter::kNibpSys] = limit(90, 160, 5);
  d[Parameter::kNibpDia] = limit(50, 90, 5);
  d[Parameter::kNibpMean] = limit(65, 110, 5);
  d[Parameter::kAbpSys] = limit(90, 160, 5);
  d[Parameter::kAbpDia] = limit(50, 90, 5);
  d[Parameter::kAbpMean] = limit(65, 110, 5);
  d[Parameter::kEtco2] = limit(25, 50, 2);
  d[Parameter::kRr] = limit(8, 30, 2);
  d[Parameter::kTemp] = limit(35.0, 38.5, 0.2);
  d[Parameter::kBis] = limit(30, 70, 3);
  return d;
}

AlarmLimits load_alarm_limits(core::ConfigTable& table) {
  AlarmLimits limits = AlarmLimits::defaults();
  for (const ParameterInfo& p : all_parameters()) {
    if (!table.has(p.short_name)) continue;
    core::ConfigTable t = table.table(p.short_name);
    AlarmLimit& l = limits[p.parameter];
    l.enabled = t.get_bool("enabled", l.enabled);
    if (t.has("low")) l.low = t.get_double("low", 0, p.min_valid, p.max_valid);
    if (t.has("high")) l.high = t.get_double("high", 0, p.min_valid, p.max_valid);
    if (l.low && l.high && *l.low >= *l.high) {
      std::ostringstream msg;
      msg << t.where(t.has("low") ? "low" : "high") << "low " << *l.low << " must be below high " << *l.high;
      throw core::ConfigError(msg.str());
    }
    const double band = (l.low && l.high) ? *l.high - *l.low : p.max_valid - p.min_valid;
    l.hysteresis = t.get_double("hysteresis", l.hysteresis, 0, band);
    if (l.low && l.high && 2 * l.hysteresis >= band) {
      std::ostringstream msg;
      msg << t.where("hysteresis") << "hysteresis " << l.hysteresis << " must be smaller than half of the "
          << *l.low << ".." << *l.high << " band";
      throw core::ConfigError(msg.str());
    }
  }
  return limits;
}

}  // namespace surgilink::vitals
