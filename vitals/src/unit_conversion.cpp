#include "surgilink/vitals/unit_conversion.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>

namespace surgilink::vitals {

namespace {

using core::Fault;

struct Spelling {
  std::string_view text;
  Unit unit;
};

// Exact spellings (UCUM is case-sensitive; vendor spellings are listed in the cases seen in the field).
constexpr std::array<Spelling, 48> kSpellings = {{
    {"/min", Unit::kPerMinute},
    {"1/min", Unit::kPerMinute},
    {"/MIN", Unit::kPerMinute},
    {"{beat}/min", Unit::kPerMinute},
    {"{beats}/min", Unit::kPerMinute},
    {"{Beats}/min", Unit::kPerMinute},
    {"{pulse}/min", Unit::kPerMinute},
    {"{breath}/min", Unit::kPerMinute},
    {"{breaths}/min", Unit::kPerMinute},
    {"{resp}/min", Unit::kPerMinute},
    {"bpm", Unit::kPerMinute},
    {"BPM", Unit::kPerMinute},
    {"Bpm", Unit::kPerMinute},
    {"beats/min", Unit::kPerMinute},
    {"rpm", Unit::kPerMinute},
    {"RPM", Unit::kPerMinute},
    {"brpm", Unit::kPerMinute},
    {"br/min", Unit::kPerMinute},
    {"breaths/min", Unit::kPerMinute},
    {"%", Unit::kPercent},
    {"percent", Unit::kPercent},
    {"mm[Hg]", Unit::kMmHg},
    {"mmHg", Unit::kMmHg},
    {"mmhg", Unit::kMmHg},
    {"MMHG", Unit::kMmHg},
    {"mm Hg", Unit::kMmHg},
    {"MM[HG]", Unit::kMmHg},
    {"kPa", Unit::kKiloPascal},
    {"kpa", Unit::kKiloPascal},
    {"KPA", Unit::kKiloPascal},
    {"KPa", Unit::kKiloPascal},
    {"Cel", Unit::kCelsius},
    {"CEL", Unit::kCelsius},
    {"cel", Unit::kCelsius},
    {"degC", Unit::kCelsius},
    {"DegC", Unit::kCelsius},
    {"\302\260C", Unit::kCelsius},  // UTF-8 degree sign
    {"\260C", Unit::kCelsius},      // Latin-1 (HL7 character set 8859/1)
    {"[degF]", Unit::kFahrenheit},
    {"degF", Unit::kFahrenheit},
    {"DegF", Unit::kFahrenheit},
    {"\302\260F", Unit::kFahrenheit},
    {"\260F", Unit::kFahrenheit},
    {"1", Unit::kDimensionless},
    {"{index}", Unit::kDimensionless},
    {"{score}", Unit::kDimensionless},
    {"mV", Unit::kMilliVolt},
    {"mv", Unit::kMilliVolt},
}};

std::optional<Unit> by_spelling(std::string_view text) {
  if (text.empty()) return std::nullopt;
  for (const auto& s : kSpellings) {
    if (s.text == text) return s.unit;
  }
  return std::nullopt;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// The MDC_DIM reference ids and codes we know (canonical units plus the respiration-rate dimension).
std::optional<Unit> by_mdc_name(std::string_view name) {
  for (Unit u : {Unit::kPerMinute, Unit::kPercent, Unit::kMmHg, Unit::kKiloPascal, Unit::kCelsius,
                 Unit::kFahrenheit, Unit::kDimensionless, Unit::kMilliVolt}) {
    if (info(u).mdc_name == name) return u;
  }
  if (name == "MDC_DIM_RESP_PER_MIN" || name == "MDC_DIM_PULS_PER_MIN") return Unit::kPerMinute;
  if (name == "MDC_DIM_KILO_PA") return Unit::kKiloPascal;
  if (name == "MDC_DIM_DEG_C") return Unit::kCelsius;
  return std::nullopt;
}

constexpr std::uint32_t kRespPerMinute = 4u * 65536u + 2784u;  // MDC_DIM_RESP_PER_MIN

std::optional<Unit> by_mdc_code(std::uint32_t code) {
  for (Unit u : {Unit::kPerMinute, Unit::kPercent, Unit::kMmHg, Unit::kKiloPascal, Unit::kCelsius,
                 Unit::kFahrenheit, Unit::kDimensionless, Unit::kMilliVolt}) {
    if (info(u).mdc_code == code) return u;
  }
  if (code == kRespPerMinute) return Unit::kPerMinute;
  return std::nullopt;
}

std::optional<std::uint32_t> as_code(std::string_view text) {
  std::uint32_t value = 0;
  const auto* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || p != end || text.empty()) return std::nullopt;
  return value;
}

std::string quoted(std::string_view identifier, std::string_view text, std::string_view system) {
  std::string s(identifier);
  if (!text.empty() || !system.empty()) {
    s += '^';
    s += text;
  }
  if (!system.empty()) {
    s += '^';
    s += system;
  }
  // Keep reasons printable and short whatever the input was.
  std::string out;
  for (char c : s.substr(0, 64)) out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  return "'" + out + "'";
}

const char* quantity_name(Quantity q) {
  switch (q) {
    case Quantity::kRate:
      return "a rate (/min)";
    case Quantity::kSaturation:
      return "a saturation (%)";
    case Quantity::kPressure:
      return "a pressure (mmHg or kPa)";
    case Quantity::kTemperature:
      return "a temperature (Cel or degF)";
    case Quantity::kIndex:
      return "a dimensionless index";
  }
  return "?";
}

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

Checked<Unit> UnitConversion::recognise(std::string_view identifier, std::string_view text,
                                        std::string_view coding_system) {
  if (identifier.empty() && text.empty()) {
    return reject(Fault::kMalformed, "no unit given");
  }
  const bool mdc = iequals(coding_system, "MDC");
  const auto code = as_code(identifier);

  if (mdc || (code && coding_system.empty() && *code > 262144u)) {
    const std::optional<Unit> from_code = code ? by_mdc_code(*code) : std::nullopt;
    const std::optional<Unit> from_name = by_mdc_name(text);
    if (from_code && from_name && *from_code != *from_name) {
      return reject(Fault::kMalformed, "unit " + quoted(identifier, text, coding_system) + ": code " +
                                           std::string(identifier) + " is " +
                                           std::string(info(*from_code).mdc_name) + ", which contradicts " +
                                           std::string(text));
    }
    if (from_code) return *from_code;
    if (from_name) return *from_name;
    // Some gateways put a UCUM code in the text of an MDC unit.
    if (auto u = by_spelling(text)) return *u;
    return reject(Fault::kUnknownStream, "unknown unit " + quoted(identifier, text, coding_system));
  }

  const std::optional<Unit> from_identifier = by_spelling(identifier);
  std::optional<Unit> from_text = by_spelling(text);
  if (!from_text) from_text = by_mdc_name(text);
  if (from_identifier && from_text && *from_identifier != *from_text) {
    return reject(Fault::kMalformed, "unit " + quoted(identifier, text, coding_system) +
                                         ": identifier and text name different units");
  }
  if (from_identifier) return *from_identifier;
  if (from_text) return *from_text;  // a vendor code with a recognisable text ("1234^mmHg^99LOCAL")
  return reject(Fault::kUnknownStream, "unknown unit " + quoted(identifier, text, coding_system));
}

Checked<Unit> UnitConversion::recognise(std::string_view unit_text) {
  std::string_view parts[3];
  std::size_t n = 0;
  std::size_t start = 0;
  while (n < 3) {
    const std::size_t caret = unit_text.find('^', start);
    parts[n++] =
        unit_text.substr(start, caret == std::string_view::npos ? std::string_view::npos : caret - start);
    if (caret == std::string_view::npos) break;
    start = caret + 1;
  }
  return recognise(parts[0], parts[1], parts[2]);
}

std::optional<Unit> UnitConversion::implied_unit(Parameter parameter) {
  switch (info(parameter).quantity) {
    case Quantity::kRate:
    case Quantity::kSaturation:
    case Quantity::kIndex:
      return info(parameter).unit;
    case Quantity::kPressure:
    case Quantity::kTemperature:
      return std::nullopt;
  }
  return std::nullopt;
}

bool UnitConversion::accepts(Parameter parameter, Unit unit) {
  switch (info(parameter).quantity) {
    case Quantity::kRate:
      return unit == Unit::kPerMinute;
    case Quantity::kSaturation:
      return unit == Unit::kPercent;
    case Quantity::kPressure:
      return unit == Unit::kMmHg || unit == Unit::kKiloPascal;
    case Quantity::kTemperature:
      return unit == Unit::kCelsius || unit == Unit::kFahrenheit;
    case Quantity::kIndex:
      return unit == Unit::kDimensionless;
  }
  return false;
}

Checked<double> UnitConversion::to_canonical(Parameter parameter, double value, Unit from) {
  const ParameterInfo& p = info(parameter);
  if (!std::isfinite(value)) {
    return reject(Fault::kMalformed, std::string(p.short_name) + ": value is not a finite number");
  }
  if (!accepts(parameter, from)) {
    std::string reason = std::string(p.short_name) + " is " + quantity_name(p.quantity) + "; unit " +
                         std::string(info(from).ucum) + " cannot be converted to " +
                         std::string(info(p.unit).ucum);
    if (p.quantity == Quantity::kPressure && from == Unit::kPercent) {
      reason += " (a CO2 concentration in % is not a partial pressure; send mmHg or kPa)";
    }
    return reject(Fault::kMalformed, reason);
  }
  double canonical = value;
  if (from == Unit::kKiloPascal) canonical = kilopascal_to_mmhg(value);
  if (from == Unit::kFahrenheit) canonical = fahrenheit_to_celsius(value);
  if (canonical < p.min_valid || canonical > p.max_valid) {
    return reject(Fault::kMalformed, std::string(p.short_name) + " value " + number(value) + " " +
                                         std::string(info(from).ucum) + " is outside the plausible range " +
                                         number(p.min_valid) + ".." + number(p.max_valid) + " " +
                                         std::string(info(p.unit).ucum));
  }
  return canonical;
}

}  // namespace surgilink::vitals
