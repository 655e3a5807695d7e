#pragma once
// Recognising units as monitors and gateways write them, and converting values into canonical units.

#include <optional>
#include <string_view>

#include "surgilink/vitals/rejection.hpp"
#include "surgilink/vitals/unit.hpp"
#include "surgilink/vitals/vital_sign.hpp"

namespace surgilink::vitals {

// Stateless; any thread.
//
// Recognised forms (HL7 OBX-6 is a coded element "identifier^text^coding system"):
//   UCUM codes          "/min", "%", "mm[Hg]", "kPa", "Cel", "[degF]", "1", "mV", "{beat}/min",
//   "{breath}/min" IEEE 11073 MDC_DIM  "266016^MDC_DIM_MMHG^MDC", "264864^MDC_DIM_BEAT_PER_MIN^MDC",
//   "^MDC_DIM_DEGC^MDC",
//                       or the bare code "268192" (code and reference id must agree when both are given)
//   vendor spellings    "mmHg", "bpm", "BPM", "rpm", "degC", "degF", "°C", "°F" (UTF-8 or Latin-1)
// Conversions into canonical units: kPa -> mmHg (pressures and EtCO2), degF -> Cel; rates are already /min.
// Refused: any unit of the wrong kind for the parameter, and % for EtCO2 (a concentration cannot become a
// partial pressure without the ambient pressure, which an ORU does not carry).
class UnitConversion {
 public:
  // The unit named by the three components of a coded element (any may be empty). Fails with kMalformed for
  // no unit at all, kUnknownStream for a unit we do not know, kMalformed when code and reference id disagree.
  static Checked<Unit> recognise(std::string_view identifier, std::string_view text,
                                 std::string_view coding_system);
  // Same, for a single string: a bare unit ("mmHg") or "identifier^text^system" separated by '^'.
  static Checked<Unit> recognise(std::string_view unit_text);

  // The unit a value without any unit can only be in: /min for rates, % for SpO2, 1 for indices; nullopt for
  // pressures and temperatures, where a missing unit is ambiguous (mmHg or kPa, Cel or degF).
  static std::optional<Unit> implied_unit(Parameter parameter);

  // Whether a value of `parameter` may arrive in `unit`.
  static bool accepts(Parameter parameter, Unit unit);

  // `value` in `from` converted to info(parameter).unit, and checked against the plausible range of the
  // parameter. Fails with kMalformed (wrong unit kind, non-finite value, implausible value).
  static Checked<double> to_canonical(Parameter parameter, double value, Unit from);

  // Plain conversions.
  static constexpr double kMmHgPerKiloPascal = 1000.0 / 133.322387415;  // 1 mmHg = 133.322387415 Pa
  static double kilopascal_to_mmhg(double kpa) { return kpa * kMmHgPerKiloPascal; }
  static double fahrenheit_to_celsius(double f) { return (f - 32.0) * 5.0 / 9.0; }
};

}  // namespace surgilink::vitals
