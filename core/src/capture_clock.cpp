#include "surgilink/core/capture_clock.hpp"
#include <algorithm>
#include <ctime>

namespace surgilink::core {

namespace {
// Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (Unix epoch).
constexpr std::int64_t kNtpToUnixSeconds = 2'208'988'800;
}  // namespace

std::string utc_text(CaptureTime t) {
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text;
}

CaptureTime CaptureClock::now() const {
  return std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
}

SimulatedClock::SimulatedClock(CaptureTime start) : now_ns_(start.time_since_epoch().count()) {}

CaptureTime SimulatedClock::now() const { return CaptureTime{std::chrono::nanoseconds{now_ns_.load()}}; }

void SimulatedClock::advance(std::chrono::nanoseconds step) { now_ns_ += step.count(); }

std::uint64_t to_ntp64(CaptureTime t) {
  const std::int64_t ns = t.time_since_epoch().count();
  std::int64_t seconds = ns / 1'000'000'000;
  std::int64_t rest = ns % 1'000'000'000;
  if (rest < 0) {
    rest += 1'000'000'000;
    --seconds;
  }
  const auto ntp_seconds = static_cast<std::uint64_t>(seconds + kNtpToUnixSeconds) & 0xffffffffu;
  // Round to the nearest 2^-32 s so that a round trip through from_ntp64 is exact to the nanosecond.
  const std::uint64_t fraction = ((static_cast<std::uint64_t>(rest) << 32) + 500'000'000u) / 1'000'000'000u;
  return (ntp_seconds << 32) + fraction;
}

CaptureTime from_ntp64(std::uint64_t ntp) {
  // RFC 4330 §3: a seconds field with the top bit clear is in era 1 (from 2036-02-07), so capture times keep
  // working past the NTP rollover; era 0 then covers 1968..2036.
  auto ntp_seconds = static_cast<std::int64_t>(ntp >> 32);
  if ((ntp_seconds & 0x80000000) == 0) ntp_seconds += std::int64_t{1} << 32;
  const std::int64_t seconds = ntp_seconds - kNtpToUnixSeconds;
  const std::uint64_t fraction = ntp & 0xffffffffu;
  // Rounded to the nearest nanosecond, but never up into the next second: at the end of an era that second
  // would be in the other era (a 2104 time re-encoded as 1968).
  const auto ns = std::min<std::int64_t>(
      static_cast<std::int64_t>((fraction * 1'000'000'000u + (1ull << 31)) >> 32), 999'999'999);
  return CaptureTime{std::chrono::nanoseconds{seconds * 1'000'000'000 + ns}};
}

}  // namespace surgilink::core
