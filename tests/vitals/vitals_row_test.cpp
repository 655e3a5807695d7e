#include "surgilink/vitals/vitals_row.hpp"

#include <gtest/gtest.h>

namespace surgilink::vitals {
namespace {

TEST(VitalsRow, TableIsInEnumOrderAndKeysRoundTrip) {
  std::size_t i = 0;
  for (const auto& r : all_rows()) {
    EXPECT_EQ(static_cast<std::size_t>(r.row), i++);
    EXPECT_EQ(row_from_key(r.key), r.row) << r.key;
    EXPECT_EQ(&info(r.row), &r);
  }
  EXPECT_EQ(i, static_cast<std::size_t>(VitalsRow::kCount));
}

TEST(VitalsRow, PressuresCarryDiastolicAndMeanAndUnknownKeysAreNotRows) {
  EXPECT_EQ(info(VitalsRow::kAbp).diastolic, Parameter::kAbpDia);
  EXPECT_EQ(info(VitalsRow::kNibp).mean, Parameter::kNibpMean);
  EXPECT_FALSE(info(VitalsRow::kHr).diastolic);
  EXPECT_FALSE(row_from_key("ABP"));
  EXPECT_FALSE(row_from_key("hr "));
  EXPECT_FALSE(row_from_key(""));
}

}  // namespace
}  // namespace surgilink::vitals
