#include "surgilink/vitals/hl7_time.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace surgilink::vitals {
namespace {

using namespace std::chrono;

core::CaptureTime utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0, int ms = 0) {
  return core::CaptureTime{duration_cast<nanoseconds>(
      (sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s} + milliseconds{ms})
          .time_since_epoch())};
}

TEST(Hl7Time, ReadsEveryPrecisionAndOffset) {
  EXPECT_EQ(parse_hl7_time("20240115103000"), utc(2024, 1, 15, 10, 30, 0));
  EXPECT_EQ(parse_hl7_time("20240115103000+0100"), utc(2024, 1, 15, 9, 30, 0));
  EXPECT_EQ(parse_hl7_time("20240115103000-0500"), utc(2024, 1, 15, 15, 30, 0));
  EXPECT_EQ(parse_hl7_time("20240115103000.25+0000"), utc(2024, 1, 15, 10, 30, 0, 250));
  EXPECT_EQ(parse_hl7_time("20240115103000.1234"), utc(2024, 1, 15, 10, 30, 0) + microseconds{123400});
  EXPECT_EQ(parse_hl7_time("20240115183005123+0800"), utc(2024, 1, 15, 10, 30, 5, 123));  // ms, no point
  EXPECT_EQ(parse_hl7_time("202401151030"), utc(2024, 1, 15, 10, 30));
  EXPECT_EQ(parse_hl7_time("2024011510"), utc(2024, 1, 15, 10));
  EXPECT_EQ(parse_hl7_time("20240115"), utc(2024, 1, 15));
  EXPECT_EQ(parse_hl7_time("202401"), utc(2024, 1, 1));
  EXPECT_EQ(parse_hl7_time("2024"), utc(2024, 1, 1));
  EXPECT_EQ(parse_hl7_time("20240229"), utc(2024, 2, 29));
}

TEST(Hl7Time, RefusesWhatIsNotADate) {
  for (const char* bad :
       {"", "2024011", "20241315", "20230229", "20240115256000", "20240115106000", "20240115103000+01",
        "20240115103000+2400", "2024-01-15", "abcd", "20240115103000.", "202401151030.5",
        "20240115103000.1234567890", "+0100", "0240", "18991231", "22010101", "99991231235959"}) {
    EXPECT_EQ(parse_hl7_time(bad), std::nullopt) << bad;
  }
}

TEST(Hl7Time, FormatsUtcWholeSeconds) {
  EXPECT_EQ(format_hl7_time(utc(2024, 1, 15, 9, 30, 1, 999)), "20240115093001+0000");
  EXPECT_EQ(format_hl7_time(core::CaptureTime{seconds{1'700'000'000}}), "20231114221320+0000");
  EXPECT_EQ(parse_hl7_time(format_hl7_time(utc(2031, 12, 31, 23, 59, 59))), utc(2031, 12, 31, 23, 59, 59));
}

}  // namespace
}  // namespace surgilink::vitals
