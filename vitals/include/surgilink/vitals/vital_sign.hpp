#pragma once
// The vital-sign model: which numerics and waveforms SurgiLink knows, by IEEE 11073-10101 (MDC) code,
// short name and canonical UCUM unit.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "surgilink/vitals/unit.hpp"

namespace surgilink::vitals {

// A numeric vital sign. Values index tables; append only.
enum class Parameter : std::uint8_t {
  kHr,       // heart rate from the ECG
  kPr,       // pulse rate (pulse oximeter or cuff)
  kSpo2,     // peripheral oxygen saturation
  kNibpSys,  // non-invasive (cuff) blood pressure
  kNibpDia,
  kNibpMean,
  kAbpSys,  // invasive arterial blood pressure
  kAbpDia,
  kAbpMean,
  kEtco2,  // end-tidal CO2 partial pressure
  kRr,     // respiration rate
  kTemp,   // body temperature
  kBis,    // bispectral index (depth of anaesthesia)
  kCount
};

// What a parameter measures; decides which units it may arrive in.
enum class Quantity : std::uint8_t {
  kRate,         // /min, and its aliases
  kSaturation,   // %
  kPressure,     // mmHg or kPa (never %: a concentration is not a partial pressure)
  kTemperature,  // Cel or degF
  kIndex,        // dimensionless
};

// Facts about one numeric parameter. Plain value type; any thread.
struct ParameterInfo {
  Parameter parameter;
  std::string_view short_name;  // key in status lines and configs: "hr", "spo2", "nibp_sys", ...
  std::string_view label;       // for people: "Heart rate"
  std::uint32_t mdc_code;       // preferred IEEE 11073-10101 code, e.g. 147842
  std::string_view mdc_name;    // its reference id, e.g. "MDC_ECG_HEART_RATE"
  Quantity quantity;
  Unit unit;         // canonical unit of every sample of this parameter
  double min_valid;  // values outside [min_valid, max_valid] (canonical unit) are implausible
  double max_valid;  //   and are rejected rather than shown
};

// Facts about a parameter. Any thread.
const ParameterInfo& info(Parameter parameter);
// All parameters in enum order. Any thread.
std::span<const ParameterInfo> all_parameters();

std::optional<Parameter> parameter_from_short_name(std::string_view short_name);
// The MDC codes (and reference ids) that name a parameter: the preferred one and the aliases gateways
// use (e.g. 150021 MDC_PRESS_BLD_NONINV_SYS and 150301 MDC_PRESS_CUFF_SYS are both nibp_sys).
std::optional<Parameter> parameter_from_mdc_code(std::uint32_t code);
std::optional<Parameter> parameter_from_mdc_name(std::string_view reference_id);

// One MDC code or reference id naming a parameter. Plain value type; any thread.
struct MdcAlias {
  std::uint32_t code;  // 0 when only the reference id is known
  std::string_view reference_id;
  Parameter parameter;
};
// Every MDC code and reference id that maps to a parameter (preferred ones first). Any thread.
std::span<const MdcAlias> mdc_aliases();

// A waveform. Values index tables; append only.
enum class Waveform : std::uint8_t {
  kEcgII,      // ECG lead II
  kPleth,      // pulse-oximeter plethysmogram
  kCapnogram,  // airway CO2
  kAbp,        // invasive arterial pressure
  kCount
};

// Facts about one waveform. Plain value type; any thread.
struct WaveformInfo {
  Waveform waveform;
  std::string_view short_name;  // "ecg_ii", "pleth", "co2", "abp"
  std::string_view label;
  std::uint32_t mdc_code;
  std::string_view mdc_name;
  Unit unit;
};

const WaveformInfo& info(Waveform waveform);
std::span<const WaveformInfo> all_waveforms();

}  // namespace surgilink::vitals
