#include "surgilink/vitals/alarm_monitor.hpp"

namespace surgilink::vitals {

AlarmMonitor::AlarmMonitor(AlarmLimits limits) : limits_(limits) {}

std::vector<AlarmEvent> AlarmMonitor::feed(const NumericSample& sample) {
  std::vector<AlarmEvent> events;
  const auto index = static_cast<std::size_t>(sample.parameter);
  if (index >= active_.size() || !sample.value) return events;
  const double v = *sample.value;
  const AlarmLimit& l = limits_[sample.parameter];
  std::optional<ActiveAlarm>& current = active_[index];

  auto end = [&] {
    AlarmEvent e;
    e.parameter = sample.parameter;
    e.condition = current->condition;
    e.transition = AlarmEvent::Transition::kEnd;
    e.value = v;
    e.limit = current->limit;
    e.at = sample.captured;
    e.started = current->since;
    events.push_back(e);
    current.reset();
  };

  if (current) {
    if (!l.enabled) {
      end();
    } else if (current->condition == AlarmCondition::kLow) {
      if (!l.low || v >= *l.low + l.hysteresis) end();
    } else {
      if (!l.high || v <= *l.high - l.hysteresis) end();
    }
  }
  if (!current && l.enabled) {
    std::optional<AlarmCondition> condition;
    double crossed = 0;
    if (l.low && v < *l.low) {
      condition = AlarmCondition::kLow;
      crossed = *l.low;
    } else if (l.high && v > *l.high) {
      condition = AlarmCondition::kHigh;
      crossed = *l.high;
    }
    if (condition) {
      current = ActiveAlarm{sample.parameter, *condition, crossed, sample.captured};
      AlarmEvent e;
      e.parameter = sample.parameter;
      e.condition = *condition;
      e.transition = AlarmEvent::Transition::kStart;
      e.value = v;
      e.limit = crossed;
      e.at = sample.captured;
      e.started = sample.captured;
      events.push_back(e);
    }
  }
  return events;
}

std::vector<AlarmEvent> AlarmMonitor::feed(std::span<const NumericSample> samples) {
  std::vector<AlarmEvent> events;
  for (const NumericSample& s : samples) {
    auto more = feed(s);
    events.insert(events.end(), more.begin(), more.end());
  }
  return events;
}

std::optional<ActiveAlarm> AlarmMonitor::active(Parameter parameter) const {
  const auto index = static_cast<std::size_t>(parameter);
  if (index >= active_.size()) return std::nullopt;
  return active_[index];
}

std::vector<ActiveAlarm> AlarmMonitor::active() const {
  std::vector<ActiveAlarm> out;
  for (const auto& a : active_) {
    if (a) out.push_back(*a);
  }
  return out;
}

}  // namespace surgilink::vitals
