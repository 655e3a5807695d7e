#include "surgilink/core/capture_clock.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <vector>

namespace surgilink::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// Seconds from 1900-01-01 (NTP era 0) to 1970-01-01, written out here independently of the library.
constexpr std::uint64_t kUnixEpochInNtpSeconds = 2'208'988'800;
// 2036-02-07T06:28:16Z: the first second of NTP era 1, as Unix seconds (2^32 - kUnixEpochInNtpSeconds).
constexpr std::int64_t kNtpEra1StartUnixSeconds = 2'085'978'496;

CaptureTime unix_time(std::int64_t secs, std::int64_t nanos = 0) {
  return CaptureTime{seconds{secs} + nanoseconds{nanos}};
}

std::uint64_t ntp(std::uint64_t secs, std::uint32_t fraction) { return (secs << 32) | fraction; }

TEST(CaptureClockNtp, UnixEpochIsKnownNtpSeconds) {
  EXPECT_EQ(to_ntp64(unix_time(0)), ntp(kUnixEpochInNtpSeconds, 0));
  EXPECT_EQ(from_ntp64(ntp(kUnixEpochInNtpSeconds, 0)), unix_time(0));
}

TEST(CaptureClockNtp, BinaryFractionsOfASecondAreExact) {
  EXPECT_EQ(to_ntp64(unix_time(0, 500'000'000)), ntp(kUnixEpochInNtpSeconds, 0x80000000u));
  EXPECT_EQ(to_ntp64(unix_time(1, 250'000'000)), ntp(kUnixEpochInNtpSeconds + 1, 0x40000000u));
  EXPECT_EQ(to_ntp64(unix_time(2, 750'000'000)), ntp(kUnixEpochInNtpSeconds + 2, 0xC0000000u));
  EXPECT_EQ(from_ntp64(ntp(kUnixEpochInNtpSeconds, 0x80000000u)), unix_time(0, 500'000'000));
  EXPECT_EQ(from_ntp64(ntp(kUnixEpochInNtpSeconds + 1, 0x40000000u)), unix_time(1, 250'000'000));
}

TEST(CaptureClockNtp, KnownModernInstant) {
  // 2023-11-14T22:13:20.5Z.
  const CaptureTime t = unix_time(1'700'000'000, 500'000'000);
  EXPECT_EQ(to_ntp64(t), ntp(1'700'000'000 + kUnixEpochInNtpSeconds, 0x80000000u));
}

TEST(CaptureClockNtp, OneNanosecondRoundsToNearestFraction) {
  // 1 ns = 4.294967296 units of 2^-32 s: rounds to 4.
  EXPECT_EQ(to_ntp64(unix_time(0, 1)), ntp(kUnixEpochInNtpSeconds, 4));
  // 999'999'999 ns = 4294967291.7 units: rounds to 4294967292 and stays inside the second.
  EXPECT_EQ(to_ntp64(unix_time(0, 999'999'999)), ntp(kUnixEpochInNtpSeconds, 4'294'967'292u));
}

TEST(CaptureClockNtp, RoundTripIsExactToTheNanosecondForSeveralInstants) {
  const std::vector<CaptureTime> instants = {
      unix_time(0),
      unix_time(0, 1),
      unix_time(0, 999'999'999),
      unix_time(1, 123'456'789),
      unix_time(1'000'000'000, 1),
      unix_time(1'700'000'000, 123'456'789),
      unix_time(1'700'000'000, 999'999'999),
      unix_time(1'893'456'000, 500'000'001),                 // 2030-01-01
      unix_time(kNtpEra1StartUnixSeconds - 1, 999'999'999),  // last nanosecond of NTP era 0
  };
  for (const CaptureTime t : instants) {
    EXPECT_EQ(from_ntp64(to_ntp64(t)), t) << "ns since epoch " << t.time_since_epoch().count();
  }
}

TEST(CaptureClockNtp, RoundTripIsExactAcrossManyNanosecondValues) {
  // A spread of sub-second offsets (a prime stride hits every residue class of the rounding).
  for (std::int64_t k = 0; k < 2000; ++k) {
    const std::int64_t nanos = (k * 499'979) % 1'000'000'000;
    const CaptureTime t = unix_time(1'700'000'000 + k, nanos);
    ASSERT_EQ(from_ntp64(to_ntp64(t)), t) << "k=" << k << " nanos=" << nanos;
  }
}

TEST(CaptureClockNtp, NtpOrderFollowsTimeOrderWithinASecond) {
  const CaptureTime a = unix_time(1'700'000'000, 100);
  const CaptureTime b = unix_time(1'700'000'000, 101);
  EXPECT_LT(to_ntp64(a), to_ntp64(b));
  EXPECT_LT(to_ntp64(b), to_ntp64(unix_time(1'700'000'001)));
}

TEST(CaptureClockNtp, SecondsFieldWrapsToZeroAtEra1AsOnTheWire) {
  // RFC 5905: the 32-bit seconds field wraps at 2036-02-07T06:28:16Z; the wire value there is 0.
  EXPECT_EQ(to_ntp64(unix_time(kNtpEra1StartUnixSeconds)), ntp(0, 0));
  EXPECT_EQ(to_ntp64(unix_time(kNtpEra1StartUnixSeconds - 1)), ntp(0xFFFFFFFFu, 0));
}

// Found by the vitals_packet fuzz target: the last fractions of a second round up to a whole second, and at
// the end of era 1 (2104) that next second is era 0 again: re-encoding the time moved it back 136 years.
// Every wire time must decode to a time that encodes back to the same wire time's instant.
TEST(CaptureClockNtp, TheLastFractionsOfASecondStayInThatSecond) {
  for (const std::uint32_t wire_seconds : {0u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu}) {
    for (const std::uint32_t fraction : {0xFFFFFFFFu, 0xFFFFFFFEu, 0xFFFFFFFDu}) {
      const CaptureTime t = from_ntp64(ntp(wire_seconds, fraction));
      EXPECT_EQ(from_ntp64(ntp(wire_seconds, 0)) + nanoseconds{999'999'999}, t)
          << wire_seconds << " " << fraction;
      EXPECT_EQ(from_ntp64(to_ntp64(t)), t) << wire_seconds << " " << fraction;
    }
  }
}

TEST(SimulatedClock, StartsAtGivenTimeAndMovesOnlyWhenAdvanced) {
  SimulatedClock clock(unix_time(1'234, 5));
  EXPECT_EQ(clock.now(), unix_time(1'234, 5));
  EXPECT_EQ(clock.now(), unix_time(1'234, 5));
  clock.advance(milliseconds{1'500});
  EXPECT_EQ(clock.now(), unix_time(1'235, 500'000'005));
  clock.advance(nanoseconds{1});
  EXPECT_EQ(clock.now(), unix_time(1'235, 500'000'006));
}

TEST(SimulatedClock, DefaultStartIsNovember2023AndWorksThroughTheInterface) {
  SimulatedClock simulated;
  const Clock& clock = simulated;
  EXPECT_EQ(clock.now(), unix_time(1'700'000'000));
  simulated.advance(seconds{10});
  EXPECT_EQ(clock.now(), unix_time(1'700'000'010));
}

TEST(CaptureClock, NowIsTheSystemWallClock) {
  const auto before = std::chrono::system_clock::now();
  const CaptureTime now = CaptureClock{}.now();
  const auto after = std::chrono::system_clock::now();
  EXPECT_GE(now, std::chrono::time_point_cast<nanoseconds>(before));
  EXPECT_LE(now, std::chrono::time_point_cast<nanoseconds>(after));
}

TEST(CaptureClock, ToMsConvertsNanosecondsToFractionalMilliseconds) {
  EXPECT_DOUBLE_EQ(to_ms(nanoseconds{1'500'000}), 1.5);
  EXPECT_DOUBLE_EQ(to_ms(milliseconds{-20}), -20.0);
  EXPECT_DOUBLE_EQ(to_ms(nanoseconds{0}), 0.0);
}

}  // namespace
}  // namespace surgilink::core
