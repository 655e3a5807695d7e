#include "surgilink/vitals/vitals_row.hpp"

#include <array>

namespace surgilink::vitals {

namespace {
using P = Parameter;
using R = VitalsRow;
constexpr std::array<VitalsRowInfo, static_cast<std::size_t>(R::kCount)> kRows{{
    {R::kHr, "hr", "HR", "HR", P::kHr, std::nullopt, std::nullopt},
    {R::kSpo2, "spo2", "SpO\u2082", "SPO2", P::kSpo2, std::nullopt, std::nullopt},
    {R::kAbp, "abp", "ABP", "ABP", P::kAbpSys, P::kAbpDia, P::kAbpMean},
    {R::kNibp, "nibp", "NIBP", "NIBP", P::kNibpSys, P::kNibpDia, P::kNibpMean},
    {R::kEtco2, "etco2", "EtCO\u2082", "ETCO2", P::kEtco2, std::nullopt, std::nullopt},
    {R::kRr, "rr", "RR", "RR", P::kRr, std::nullopt, std::nullopt},
    {R::kTemp, "temp", "Temp", "TEMP", P::kTemp, std::nullopt, std::nullopt},
    {R::kPr, "pr", "PR", "PR", P::kPr, std::nullopt, std::nullopt},
    {R::kBis, "bis", "BIS", "BIS", P::kBis, std::nullopt, std::nullopt},
}};
}  // namespace

const VitalsRowInfo& info(VitalsRow row) { return kRows.at(static_cast<std::size_t>(row)); }
std::span<const VitalsRowInfo> all_rows() { return kRows; }

std::optional<VitalsRow> row_from_key(std::string_view key) {
  for (const auto& r : kRows) {
    if (r.key == key) return r.row;
  }
  return std::nullopt;
}

}  // namespace surgilink::vitals
