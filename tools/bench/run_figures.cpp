#include "run_figures.hpp"

#include <algorithm>
#include <cmath>

namespace surgilink::bench {

using nlohmann::json;

json p50_p95(const json& summary) {
  if (summary.is_null()) return nullptr;
  return {{"p50", summary["p50"]}, {"p95", summary["p95"]}};
}

json distribution(std::vector<double> v) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  const auto at = [&v](double q) {
    return v[static_cast<std::size_t>(std::lround(q * static_cast<double>(v.size() - 1)))];
  };
  double sum = 0;
  for (const double x : v) sum += x;
  return {{"min", v.front()}, {"mean", sum / static_cast<double>(v.size())},
          {"p50", at(0.5)},   {"p95", at(0.95)},
          {"max", v.back()},  {"count", v.size()}};
}

std::vector<double> annotation_delays_ms(const json& inputs, const json& composited,
                                         std::int64_t measured_from, std::size_t* never_shown) {
  std::vector<std::pair<std::uint64_t, std::int64_t>> shown;
  for (const auto& c : composited) shown.emplace_back(c[0].get<std::uint64_t>(), c[1].get<std::int64_t>());
  std::vector<double> delays;
  for (const auto& i : inputs) {
    const auto sequence = i[0].get<std::uint64_t>();
    const auto input = i[1].get<std::int64_t>();
    if (input < measured_from) continue;
    const auto first = std::lower_bound(shown.begin(), shown.end(), sequence,
                                        [](const auto& s, std::uint64_t v) { return s.first < v; });
    if (first == shown.end()) {
      ++*never_shown;  // deleted before a picture showed it, or the run ended first
      continue;
    }
    delays.push_back(static_cast<double>(first->second - input) / 1e6);
  }
  return delays;
}

json latency(const json& summary) {
  if (summary.is_null()) return nullptr;
  return {{"p50", summary["p50"]}, {"p95", summary["p95"]}, {"p99", summary["p99"]}, {"max", summary["max"]}};
}

json picture_figures(const json& report, double measured_ms) {
  return {{"frozen_ratio", measured_ms > 0 ? report.value("frozen_ms", 0.0) / measured_ms : 0.0},
          {"freezes",
           {{"count", report.value("freezes", 0)}, {"longest_ms", report.value("longest_freeze_ms", 0.0)}}},
          {"broken_frames", report["frames_undecodable"]}};
}

json link_figures(const json& b, double measured_ms) {
  json figures = picture_figures(b, measured_ms);
  for (const char* key : {"transport", "frames_until_keyframe", "frames_received", "frames_pixel_unreadable",
                          "fps_received", "packets_received", "packets_lost"})
    figures[key] = b[key];
  // The plain stream carries no capture time: its glass-to-glass is the pixel code's.
  figures["g2g_ms"] = latency(b["g2g_ms"]);
  figures["pixel_ms"] = latency(b["pixel_ms"]);
  return figures;
}

}  // namespace surgilink::bench
