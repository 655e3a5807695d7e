#pragma once
// surgilink-bench --soak: the resident memory of the sender and the console, sampled once a minute, and how
// fast each grows.

#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

namespace surgilink::bench {

// Least-squares slope of y over x; nullopt with fewer than two points or all x equal.
std::optional<double> least_squares_slope(const std::vector<double>& x, const std::vector<double>& y);

// One soak's memory samples, minute 0 being the end of the warm-up. Bench thread only.
class SoakRecord {
 public:
  // Minutes at the start left out of the growth figure (start-up allocations, caches filling).
  static constexpr double kWarmupMinutes = 1.0;

  // RSS in bytes of each process at `minute`; nullopt when the process could not be read.
  void add(double minute, std::optional<std::uint64_t> sender_bytes,
           std::optional<std::uint64_t> console_bytes);

  // {"rss_mb": {"sender": [...], "console": [...]}, "rss_minutes": [...],
  //  "rss_growth_mb_per_min": {"sender": x|null, "console": x|null}}
  nlohmann::json to_json() const;
  // Growth of one process (MB per minute) over the samples after the warm-up minute; nullopt if too few.
  std::optional<double> sender_growth_mb_per_min() const { return growth(sender_mb_); }
  std::optional<double> console_growth_mb_per_min() const { return growth(console_mb_); }

 private:
  std::optional<double> growth(const std::vector<std::optional<double>>& mb) const;

  std::vector<double> minutes_;
  std::vector<std::optional<double>> sender_mb_, console_mb_;
};

}  // namespace surgilink::bench
