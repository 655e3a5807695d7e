#include "surgilink/vitals/vital_sign.hpp"

#include <array>
#include <cstddef>

namespace surgilink::vitals {

namespace {

// Partition 2 (SCADA) codes of IEEE 11073-10101: 2 * 65536 + term code.
constexpr std::uint32_t scada(std::uint32_t term) { return 2u * 65536u + term; }

using P = Parameter;
using Q = Quantity;

constexpr std::array<ParameterInfo, static_cast<std::size_t>(P::kCount)> kParameters = {{
    {P::kHr, "hr", "Heart rate", scada(16770), "MDC_ECG_HEART_RATE", Q::kRate, Unit::kPerMinute, 0, 350},
    {P::kPr, "pr", "Pulse rate", scada(18458), "MDC_PULS_OXIM_PULS_RATE", Q::kRate, Unit::kPerMinute, 0, 350},
    {P::kSpo2, "spo2", "SpO2", scada(19384), "MDC_PULS_OXIM_SAT_O2", Q::kSaturation, Unit::kPercent, 0, 100},
    {P::kNibpSys, "nibp_sys", "NIBP systolic", scada(19229), "MDC_PRESS_CUFF_SYS", Q::kPressure, Unit::kMmHg,
     0, 400},
    {P::kNibpDia, "nibp_dia", "NIBP diastolic", scada(19230), "MDC_PRESS_CUFF_DIA", Q::kPressure, Unit::kMmHg,
     0, 400},
    {P::kNibpMean, "nibp_mean", "NIBP mean", scada(19231), "MDC_PRESS_CUFF_MEAN", Q::kPressure, Unit::kMmHg,
     0, 400},
    {P::kAbpSys, "abp_sys", "ABP systolic", scada(18965), "MDC_PRESS_BLD_ART_ABP_SYS", Q::kPressure,
     Unit::kMmHg, 0, 400},
    {P::kAbpDia, "abp_dia", "ABP diastolic", scada(18966), "MDC_PRESS_BLD_ART_ABP_DIA", Q::kPressure,
     Unit::kMmHg, 0, 400},
    {P::kAbpMean, "abp_mean", "ABP mean", scada(18967), "MDC_PRESS_BLD_ART_ABP_MEAN", Q::kPressure,
     Unit::kMmHg, 0, 400},
    {P::kEtco2, "etco2", "EtCO2", scada(20636), "MDC_AWAY_CO2_ET", Q::kPressure, Unit::kMmHg, 0, 150},
    {P::kRr, "rr", "Respiration rate", scada(20490), "MDC_RESP_RATE", Q::kRate, Unit::kPerMinute, 0, 150},
    {P::kTemp, "temp", "Temperature", scada(19272), "MDC_TEMP", Q::kTemperature, Unit::kCelsius, 10, 50},
    // BIS has no term in IEEE 11073-10101 proper; gateways send the manufacturer-private partition-2 term
    // 0xF04E (Philips IntelliVue NOM_EEG_BISPECTRAL_INDEX), i.e. 192590.
    {P::kBis, "bis", "BIS", scada(0xF04E), "MDC_EEG_BISPECTRAL_INDEX", Q::kIndex, Unit::kDimensionless, 0,
     100},
}};

// Preferred terms first (they repeat kParameters), then the aliases seen from gateways.
constexpr std::array<MdcAlias, 24> kAliases = {{
    {scada(16770), "MDC_ECG_HEART_RATE", P::kHr},
    {scada(18458), "MDC_PULS_OXIM_PULS_RATE", P::kPr},
    {scada(19384), "MDC_PULS_OXIM_SAT_O2", P::kSpo2},
    {scada(19229), "MDC_PRESS_CUFF_SYS", P::kNibpSys},
    {scada(19230), "MDC_PRESS_CUFF_DIA", P::kNibpDia},
    {scada(19231), "MDC_PRESS_CUFF_MEAN", P::kNibpMean},
    {scada(18965), "MDC_PRESS_BLD_ART_ABP_SYS", P::kAbpSys},
    {scada(18966), "MDC_PRESS_BLD_ART_ABP_DIA", P::kAbpDia},
    {scada(18967), "MDC_PRESS_BLD_ART_ABP_MEAN", P::kAbpMean},
    {scada(20636), "MDC_AWAY_CO2_ET", P::kEtco2},
    {scada(20490), "MDC_RESP_RATE", P::kRr},
    {scada(19272), "MDC_TEMP", P::kTemp},
    {scada(0xF04E), "MDC_EEG_BISPECTRAL_INDEX", P::kBis},
    // Aliases.
    {scada(18474), "MDC_PULS_RATE_NON_INV", P::kPr},  // pulse rate from the NIBP cuff
    {scada(18949), "MDC_PRESS_BLD_NONINV_SYS",
     P::kNibpSys},  // older NIBP terms (IntelliVue, PCD-01 gateways)
    {scada(18950), "MDC_PRESS_BLD_NONINV_DIA", P::kNibpDia},
    {scada(18951), "MDC_PRESS_BLD_NONINV_MEAN", P::kNibpMean},
    {scada(20636), "MDC_CONC_AWAY_CO2_ET", P::kEtco2},  // the 10101 reference id of 151708
    {scada(20656), "MDC_AWAY_CO2_ET", P::kEtco2},       // IntelliVue's end-tidal CO2 term, 151728
    {scada(20498), "MDC_AWAY_RESP_RATE", P::kRr},       // airway (capnograph) respiration rate
    {0, "MDC_TTHOR_RESP_RATE", P::kRr},                 // impedance respiration rate, by reference id only
    {0, "MDC_CO2_RESP_RATE", P::kRr},
    {scada(19292), "MDC_TEMP_BODY", P::kTemp},
    {0, "MNDRY_EEG_BISPECTRAL_INDEX", P::kBis},
}};

constexpr std::array<WaveformInfo, static_cast<std::size_t>(Waveform::kCount)> kWaveforms = {{
    {Waveform::kEcgII, "ecg_ii", "ECG lead II", scada(258), "MDC_ECG_ELEC_POTL_II", Unit::kMilliVolt},
    {Waveform::kPleth, "pleth", "Plethysmogram", scada(19380), "MDC_PULS_OXIM_PLETH", Unit::kDimensionless},
    {Waveform::kCapnogram, "co2", "Capnogram", scada(20652), "MDC_AWAY_CO2", Unit::kMmHg},
    {Waveform::kAbp, "abp", "Arterial pressure", scada(18964), "MDC_PRESS_BLD_ART_ABP", Unit::kMmHg},
}};

}  // namespace

const ParameterInfo& info(Parameter parameter) { return kParameters[static_cast<std::size_t>(parameter)]; }

std::span<const ParameterInfo> all_parameters() { return kParameters; }

std::optional<Parameter> parameter_from_short_name(std::string_view short_name) {
  for (const auto& p : kParameters) {
    if (p.short_name == short_name) return p.parameter;
  }
  return std::nullopt;
}

std::optional<Parameter> parameter_from_mdc_code(std::uint32_t code) {
  if (code == 0) return std::nullopt;
  for (const auto& a : kAliases) {
    if (a.code == code) return a.parameter;
  }
  return std::nullopt;
}

std::optional<Parameter> parameter_from_mdc_name(std::string_view reference_id) {
  for (const auto& a : kAliases) {
    if (a.reference_id == reference_id) return a.parameter;
  }
  return std::nullopt;
}

std::span<const MdcAlias> mdc_aliases() { return kAliases; }

const WaveformInfo& info(Waveform waveform) { return kWaveforms[static_cast<std::size_t>(waveform)]; }

std::span<const WaveformInfo> all_waveforms() { return kWaveforms; }

}  // namespace surgilink::vitals
