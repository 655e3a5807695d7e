#include "soak_record.hpp"

#include <cmath>

namespace surgilink::bench {

namespace {

constexpr double kBytesPerMb = 1024.0 * 1024.0;

nlohmann::json as_json(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

// Rounded to 0.1 MB for reading; the growth is computed from the unrounded values.
nlohmann::json rounded_list(const std::vector<std::optional<double>>& mb) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& v : mb) list.push_back(v ? nlohmann::json(std::round(*v * 10) / 10) : nlohmann::json());
  return list;
}

}  // namespace

std::optional<double> least_squares_slope(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size() || x.size() < 2) return std::nullopt;
  const auto n = static_cast<double>(x.size());
  double mean_x = 0, mean_y = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    mean_x += x[i] / n;
    mean_y += y[i] / n;
  }
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mean_x) * (y[i] - mean_y);
    sxx += (x[i] - mean_x) * (x[i] - mean_x);
  }
  if (sxx <= 0) return std::nullopt;
  return sxy / sxx;
}

void SoakRecord::add(double minute, std::optional<std::uint64_t> sender_bytes,
                     std::optional<std::uint64_t> console_bytes) {
  const auto mb = [](std::optional<std::uint64_t> b) -> std::optional<double> {
    if (!b) return std::nullopt;
    return static_cast<double>(*b) / kBytesPerMb;
  };
  minutes_.push_back(minute);
  sender_mb_.push_back(mb(sender_bytes));
  console_mb_.push_back(mb(console_bytes));
}

std::optional<double> SoakRecord::growth(const std::vector<std::optional<double>>& mb) const {
  std::vector<double> x, y;
  for (std::size_t i = 0; i < minutes_.size(); ++i) {
    if (minutes_[i] < kWarmupMinutes || !mb[i]) continue;
    x.push_back(minutes_[i]);
    y.push_back(*mb[i]);
  }
  return least_squares_slope(x, y);
}

nlohmann::json SoakRecord::to_json() const {
  nlohmann::json minutes = nlohmann::json::array();
  for (const double m : minutes_) minutes.push_back(std::round(m * 100) / 100);
  return {
      {"rss_minutes", minutes},
      {"rss_mb", {{"sender", rounded_list(sender_mb_)}, {"console", rounded_list(console_mb_)}}},
      {"rss_growth_mb_per_min",
       {{"sender", as_json(sender_growth_mb_per_min())}, {"console", as_json(console_growth_mb_per_min())}}}};
}

}  // namespace surgilink::bench
