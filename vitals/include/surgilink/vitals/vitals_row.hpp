#pragma once
// The rows of the vitals panel (one parameter, or a pressure as sys/dia (mean)): what a mentor flags for
// the surgeon, what the OR badge names, what the console lists. The one table of them.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "surgilink/vitals/vital_sign.hpp"

namespace surgilink::vitals {

// A numerics row. Values are the wire values (control.proto VitalsRow) minus one; append only.
enum class VitalsRow : std::uint8_t { kHr, kSpo2, kAbp, kNibp, kEtco2, kRr, kTemp, kPr, kBis, kCount };

// Facts about one row. Plain value type; any thread.
struct VitalsRowInfo {
  VitalsRow row;
  std::string_view key;    // "hr", "abp": status lines, the controls socket, configs
  std::string_view label;  // as clinicians write it: "HR", "SpO₂", "EtCO₂"
  std::string_view badge;  // the same in ASCII, for the OR display's badge font: "SPO2"
  Parameter main;
  std::optional<Parameter> diastolic;
  std::optional<Parameter> mean;
};

const VitalsRowInfo& info(VitalsRow row);
// Every row in panel order. Any thread.
std::span<const VitalsRowInfo> all_rows();
std::optional<VitalsRow> row_from_key(std::string_view key);

}  // namespace surgilink::vitals
