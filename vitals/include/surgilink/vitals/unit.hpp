#pragma once
// Units of measurement that vitals arrive in, with their UCUM code and IEEE 11073 MDC_DIM code.

#include <cstdint>
#include <string_view>

namespace surgilink::vitals {

// Every unit SurgiLink recognises (any thread). Canonical units (what samples carry after conversion) are
// kPerMinute, kPercent, kMmHg, kCelsius and kDimensionless (plus kMilliVolt for ECG waveforms).
enum class Unit : std::uint8_t {
  kPerMinute,      // UCUM "/min" (beats, breaths, pulses per minute)
  kPercent,        // UCUM "%"
  kMmHg,           // UCUM "mm[Hg]"
  kKiloPascal,     // UCUM "kPa"
  kCelsius,        // UCUM "Cel"
  kFahrenheit,     // UCUM "[degF]"
  kDimensionless,  // UCUM "1" (indices such as BIS, normalised waveforms)
  kMilliVolt,      // UCUM "mV"
};

// Facts about one unit. Plain value type; any thread.
struct UnitInfo {
  Unit unit;
  std::string_view ucum;      // case-sensitive UCUM code
  std::string_view symbol;    // what people read: "/min", "%", "mmHg", "kPa", "°C", "°F", "", "mV"
  std::uint32_t mdc_code;     // IEEE 11073-10101 partition 4 (dimensions) code, 262144 + term code
  std::string_view mdc_name;  // MDC_DIM_* reference id
};

// Facts about a unit. Any thread.
const UnitInfo& info(Unit unit);

}  // namespace surgilink::vitals
