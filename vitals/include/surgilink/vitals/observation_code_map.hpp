#pragma once
// Which observation identifiers (OBX-3) name which vital sign: the IEEE 11073 MDC codes, common LOINC and
// vendor codes, and site-specific codes from a configuration file.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "surgilink/core/config.hpp"
#include "surgilink/vitals/vital_sign.hpp"

namespace surgilink::vitals {

// A table from "CODE^TEXT^SYSTEM" to a parameter.
//   - An entry with a CODE matches an OBX-3 with that identifier in that coding system (the TEXT is only
//     documentation): "150456^MDC_PULS_OXIM_SAT_O2^MDC" matches "150456^SpO2^MDC".
//   - An entry without a CODE ("^MNDRY_EEG_BISPECTRAL_INDEX^99MNDRY") matches that exact text in that system.
//   Coding systems compare case-insensitively; codes and texts exactly. Later entries replace earlier ones.
// Built-in defaults: every MDC code and reference id of vital_sign.hpp (system "MDC"), the LOINC (system
// "LN") codes 8867-4 hr, 8889-8 pr, 59408-5 and 2708-6 spo2, 8480-6/8462-4/8478-0 nibp_sys/dia/mean, 9279-1
// rr, 8310-5 temp, and Mindray's ^MNDRY_EEG_BISPECTRAL_INDEX^99MNDRY bis. Built at start-up on the main
// thread; then only read (find() is const and safe from any thread).
class ObservationCodeMap {
 public:
  // No entries.
  ObservationCodeMap() = default;
  static ObservationCodeMap defaults();

  // The defaults (unless `use_defaults = false`) plus every [[observation]] entry of `table`:
  //   [[observation]]
  //   id = "0002-4182^HR^MDIL"   # CODE^TEXT^SYSTEM as the gateway sends it in OBX-3
  //   parameter = "hr"           # a short name of vital_sign.hpp
  // Throws core::ConfigError for a malformed id or an unknown parameter.
  static ObservationCodeMap load(core::ConfigTable& table);

  // Adds "CODE^TEXT^SYSTEM" -> parameter; false (nothing added) when the entry has no system, or neither a
  // code nor a text.
  bool add(std::string_view entry, Parameter parameter);

  // The parameter an identifier names (one coded element: identifier, text, coding system).
  std::optional<Parameter> find(std::string_view identifier, std::string_view text,
                                std::string_view coding_system) const;

  std::size_t size() const { return entries_.size(); }

 private:
  std::unordered_map<std::string, Parameter> entries_;
};

}  // namespace surgilink::vitals
