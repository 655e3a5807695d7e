#include "surgilink/vitals/observation_code_map.hpp"

#include <string>
#include <vector>

#include "hl7_segment.hpp"

namespace surgilink::vitals {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string code_key(std::string_view system, std::string_view code) {
  return "c|" + lower(system) + "|" + std::string(code);
}
std::string text_key(std::string_view system, std::string_view text) {
  return "t|" + lower(system) + "|" + std::string(text);
}

struct DefaultEntry {
  std::string_view id;
  Parameter parameter;
};

// LOINC and vendor codes seen from monitor gateways.
constexpr DefaultEntry kVendorDefaults[] = {
    {"8867-4^Heart rate^LN", Parameter::kHr},
    {"8889-8^Heart rate by Pulse oximetry^LN", Parameter::kPr},
    {"59408-5^Oxygen saturation in Arterial blood by Pulse oximetry^LN", Parameter::kSpo2},
    {"2708-6^Oxygen saturation in Arterial blood^LN", Parameter::kSpo2},
    {"8480-6^Systolic blood pressure^LN", Parameter::kNibpSys},
    {"8462-4^Diastolic blood pressure^LN", Parameter::kNibpDia},
    {"8478-0^Mean blood pressure^LN", Parameter::kNibpMean},
    {"9279-1^Respiratory rate^LN", Parameter::kRr},
    {"8310-5^Body temperature^LN", Parameter::kTemp},
    {"^MNDRY_EEG_BISPECTRAL_INDEX^99MNDRY", Parameter::kBis},
};

}  // namespace

ObservationCodeMap ObservationCodeMap::defaults() {
  ObservationCodeMap map;
  for (const MdcAlias& a : mdc_aliases()) {
    if (a.code != 0) map.entries_.emplace(code_key("MDC", std::to_string(a.code)), a.parameter);
    map.entries_.emplace(text_key("MDC", a.reference_id), a.parameter);
  }
  for (const DefaultEntry& e : kVendorDefaults) map.add(e.id, e.parameter);
  return map;
}

ObservationCodeMap ObservationCodeMap::load(core::ConfigTable& table) {
  ObservationCodeMap map = table.get_bool("use_defaults", true) ? defaults() : ObservationCodeMap{};
  std::vector<std::string> names;
  for (const ParameterInfo& p : all_parameters()) names.emplace_back(p.short_name);
  for (core::ConfigTable& entry : table.tables("observation")) {
    const std::string id = entry.require_string("id");
    const std::string name = entry.get_choice("parameter", "", names);
    const auto parameter = parameter_from_short_name(name);
    if (!parameter || !map.add(id, *parameter)) {
      throw core::ConfigError(entry.where("id") + "'" + id +
                              "' is not CODE^TEXT^SYSTEM with a coding system and a code or a text");
    }
  }
  return map;
}

bool ObservationCodeMap::add(std::string_view entry, Parameter parameter) {
  const auto parts = split(entry, '^');
  if (parts.size() != 3) return false;
  const std::string_view code = parts[0];
  const std::string_view text = parts[1];
  const std::string_view system = parts[2];
  if (system.empty() || (code.empty() && text.empty())) return false;
  entries_[code.empty() ? text_key(system, text) : code_key(system, code)] = parameter;
  return true;
}

std::optional<Parameter> ObservationCodeMap::find(std::string_view identifier, std::string_view text,
                                                  std::string_view coding_system) const {
  if (coding_system.empty()) return std::nullopt;
  if (!identifier.empty()) {
    if (auto it = entries_.find(code_key(coding_system, identifier)); it != entries_.end()) return it->second;
  }
  if (!text.empty()) {
    if (auto it = entries_.find(text_key(coding_system, text)); it != entries_.end()) return it->second;
  }
  return std::nullopt;
}

}  // namespace surgilink::vitals
