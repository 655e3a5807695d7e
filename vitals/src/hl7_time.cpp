#include "surgilink/vitals/hl7_time.hpp"

#include <chrono>
#include <cstdio>

namespace surgilink::vitals {

namespace {

// Reads `count` digits at `pos`; -1 when they are not all digits.
int digits(std::string_view s, std::size_t pos, std::size_t count) {
  if (pos + count > s.size()) return -1;
  int v = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

std::optional<core::CaptureTime> parse_hl7_time(std::string_view text) {
  using namespace std::chrono;
  // Split off the UTC offset.
  std::string_view main = text;
  int offset_minutes = 0;
  const std::size_t sign = text.find_first_of("+-");
  if (sign != std::string_view::npos) {
    const std::string_view zone = text.substr(sign + 1);
    if (zone.size() != 4) return std::nullopt;
    const int hh = digits(zone, 0, 2);
    const int mm = digits(zone, 2, 2);
    if (hh < 0 || mm < 0 || hh > 14 || mm > 59) return std::nullopt;
    offset_minutes = (hh * 60 + mm) * (text[sign] == '-' ? -1 : 1);
    main = text.substr(0, sign);
  }
  // Split off the fraction of a second.
  std::string_view fraction;
  if (const std::size_t dot = main.find('.'); dot != std::string_view::npos) {
    fraction = main.substr(dot + 1);
    main = main.substr(0, dot);
    if (main.size() != 14 || fraction.empty() || fraction.size() > 9) return std::nullopt;
  }
  // Some gateways write milliseconds without the point (YYYYMMDDHHMMSSmmm).
  if (main.size() == 17 && fraction.empty()) {
    fraction = main.substr(14);
    main = main.substr(0, 14);
  }
  // YYYY, YYYYMM, YYYYMMDD, YYYYMMDDHH, YYYYMMDDHHMM or YYYYMMDDHHMMSS.
  if (main.size() < 4 || main.size() > 14 || main.size() % 2 != 0) return std::nullopt;
  const int y = digits(main, 0, 4);
  const int mo = main.size() >= 6 ? digits(main, 4, 2) : 1;
  const int d = main.size() >= 8 ? digits(main, 6, 2) : 1;
  const int h = main.size() >= 10 ? digits(main, 8, 2) : 0;
  const int mi = main.size() >= 12 ? digits(main, 10, 2) : 0;
  const int s = main.size() >= 14 ? digits(main, 12, 2) : 0;
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return std::nullopt;
  // CaptureTime counts nanoseconds in 64 bits: 1677..2262. Vitals come from this century.
  if (y < 1900 || y > 2200) return std::nullopt;
  if (h > 23 || mi > 59 || s > 59) return std::nullopt;
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  std::int64_t fraction_ns = 0;
  if (!fraction.empty()) {
    const int f = digits(fraction, 0, fraction.size());
    if (f < 0) return std::nullopt;
    fraction_ns = f;
    for (std::size_t i = fraction.size(); i < 9; ++i) fraction_ns *= 10;
  }
  const auto local = sys_days{date} + hours{h} + minutes{mi} + seconds{s} + nanoseconds{fraction_ns};
  return core::CaptureTime{duration_cast<nanoseconds>(local.time_since_epoch()) - minutes{offset_minutes}};
}

std::string format_hl7_time(core::CaptureTime time) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(time);
  const auto day_start = floor<days>(secs);
  const year_month_day date{day_start};
  const hh_mm_ss<seconds> clock{secs - day_start};
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d%02u%02u%02d%02d%02d+0000", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return buffer;
}

}  // namespace surgilink::vitals
