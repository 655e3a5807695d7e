#pragma once
// Time types shared by every SurgiLink process: the capture clock and its NTP-64 wire form.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace surgilink::core {

// A point on the sender's wall clock (Unix epoch, nanosecond resolution). Every frame, vitals sample and
// annotation is stamped on this clock; a console maps it to its own clock with the clock-sync offset.
using CaptureTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;

// "2026-12-03 19:06:23 UTC": a capture time to the second, for notes and reports. Any thread.
std::string utc_text(CaptureTime t);

// Source of "now". Production code uses CaptureClock; unit tests inject SimulatedClock.
class Clock {
 public:
  virtual ~Clock() = default;
  // Any thread may call now().
  virtual CaptureTime now() const = 0;
};

// The machine's wall clock (CLOCK_REALTIME), which the sender stamps capture times with.
class CaptureClock final : public Clock {
 public:
  CaptureTime now() const override;
};

// A clock that only moves when a test says so.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(CaptureTime start = CaptureTime{std::chrono::seconds{1'700'000'000}});
  CaptureTime now() const override;
  void advance(std::chrono::nanoseconds step);

 private:
  std::atomic<std::int64_t> now_ns_;
};

// NTP-64 (RFC 5905): seconds since 1900 in the high 32 bits, binary fraction in the low 32 bits.
std::uint64_t to_ntp64(CaptureTime t);
CaptureTime from_ntp64(std::uint64_t ntp);

// Milliseconds as a double, for reports and status lines.
inline double to_ms(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

}  // namespace surgilink::core
