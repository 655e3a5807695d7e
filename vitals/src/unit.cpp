#include "surgilink/vitals/unit.hpp"

#include <array>
#include <cstddef>

namespace surgilink::vitals {

namespace {

// MDC_DIM codes are partition 4 of IEEE 11073-10101: 4 * 65536 + term code.
constexpr std::uint32_t dim(std::uint32_t term) { return 4u * 65536u + term; }

constexpr std::array<UnitInfo, 8> kUnits = {{
    {Unit::kPerMinute, "/min", "/min", dim(2720), "MDC_DIM_BEAT_PER_MIN"},
    {Unit::kPercent, "%", "%", dim(544), "MDC_DIM_PERCENT"},
    {Unit::kMmHg, "mm[Hg]", "mmHg", dim(3872), "MDC_DIM_MMHG"},
    {Unit::kKiloPascal, "kPa", "kPa", dim(3843), "MDC_DIM_KILO_PASCAL"},
    {Unit::kCelsius, "Cel", "\302\260C", dim(6048), "MDC_DIM_DEGC"},
    {Unit::kFahrenheit, "[degF]", "\302\260F", dim(4416), "MDC_DIM_FAHR"},
    {Unit::kDimensionless, "1", "", dim(512), "MDC_DIM_DIMLESS"},
    {Unit::kMilliVolt, "mV", "mV", dim(4274), "MDC_DIM_MILLI_VOLT"},
}};

}  // namespace

const UnitInfo& info(Unit unit) { return kUnits[static_cast<std::size_t>(unit)]; }

}  // namespace surgilink::vitals
