#pragma once
// Alarm limits per numeric parameter, with hysteresis: built-in adult defaults, overridable from a config
// table.

#include <array>
#include <cstddef>
#include <optional>

#include "surgilink/core/config.hpp"
#include "surgilink/vitals/vital_sign.hpp"

namespace surgilink::vitals {

// The limits of one parameter, in its canonical unit (plain value type; any thread). An alarm starts when a
// value goes below `low` or above `high`; it ends only once the value is back inside by `hysteresis` (value
// >= low + hysteresis, or value <= high - hysteresis), so a value hovering at a limit does not make the alarm
// flicker.
struct AlarmLimit {
  std::optional<double> low;
  std::optional<double> high;
  double hysteresis = 0;
  bool enabled = true;

  bool operator==(const AlarmLimit&) const = default;
};

// One AlarmLimit per Parameter. Plain value type; any thread.
//
// Built-in defaults (adult patient in the operating room; canonical units):
//   parameter   low    high   hysteresis
//   hr          50     120    5 /min
//   pr          50     120    5 /min
//   spo2        90     -      2 %
//   nibp_sys    90     160    5 mmHg      abp_sys   same as nibp_sys
//   nibp_dia    50     90     5 mmHg      abp_dia   same as nibp_dia
//   nibp_mean   65     110    5 mmHg      abp_mean  same as nibp_mean
//   etco2       25     50     2 mmHg
//   rr          8      30     2 /min
//   temp        35.0   38.5   0.2 Cel
//   bis         30     70     3
class AlarmLimits {
 public:
  static AlarmLimits defaults();

  const AlarmLimit& operator[](Parameter p) const { return limits_[static_cast<std::size_t>(p)]; }
  AlarmLimit& operator[](Parameter p) { return limits_[static_cast<std::size_t>(p)]; }

  bool operator==(const AlarmLimits&) const = default;

 private:
  std::array<AlarmLimit, static_cast<std::size_t>(Parameter::kCount)> limits_{};
};

// The defaults, overridden by `table`, which holds one sub-table per parameter short name, e.g. the
// [vitals.alarms] table of the sender's config:
//   [vitals.alarms.hr]
//   low = 45          # /min; omit a key to keep the default
//   high = 130
//   hysteresis = 5
//   enabled = true    # false: never alarm on hr
// Throws core::ConfigError (file, line, key) for a value outside the parameter's plausible range, low >=
// high, a hysteresis that is negative or not smaller than half the low..high band. Unknown parameter names
// and misspelt keys are reported by the owner's table.finish(). Main thread, at start-up.
AlarmLimits load_alarm_limits(core::ConfigTable& table);

}  // namespace surgilink::vitals
