#pragma once
// surgilink-bench: the figures a run reports, shaped from the programs' own reports (JSON in, JSON out; no
// running program). Bench thread only.

#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace surgilink::bench {

// {"p50", "p95"} of a latency summary; null for null.
nlohmann::json p50_p95(const nlohmann::json& summary);
// {"p50", "p95", "p99", "max"} of a latency summary; null for null.
nlohmann::json latency(const nlohmann::json& summary);
// min/mean/p50/p95/max/count of a sample; null when empty.
nlohmann::json distribution(std::vector<double> v);
// Mentor input -> composited into an OR display picture, per confirmed operation of the scripted mentor made
// after `measured_from` (sender clock, ns): the console's [sequence, input] pairs joined with the sender's
// [scene version, first composited] pairs (a version includes every operation numbered up to it). Operations
// no picture showed are counted in `never_shown`.
std::vector<double> annotation_delays_ms(const nlohmann::json& inputs, const nlohmann::json& composited,
                                         std::int64_t measured_from, std::size_t* never_shown);
// What a link did to the picture, from a receiver's report (the console's, or a baseline receiver's, which
// uses the same names): time frozen / the measured time, freezes, frames released with a part missing.
nlohmann::json picture_figures(const nlohmann::json& report, double measured_ms);
// A baseline receiver's figures across a link, named as SurgiLink's are in the bench's JSON.
nlohmann::json link_figures(const nlohmann::json& baseline, double measured_ms);

}  // namespace surgilink::bench
