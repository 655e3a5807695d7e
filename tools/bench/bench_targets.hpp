#pragma once
// The performance targets surgilink-bench checks (DESIGN.md §4, §9; they were once wall-clock assertions in
// tests, where a loaded machine made them flaky): each one's limit, the measured value and whether it held.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace surgilink::bench {

// What the run measured, for choosing the targets that apply.
struct TargetContext {
  int profile_fps = 30;
  bool baseline = false;        // ratio_p95 was measured
  bool annotations = false;     // annotation_ms was measured
  bool soak = false;            // rss_growth_mb_per_min was measured
  bool or_window = false;       // or_window_ms (and with annotations annotation_to_or_screen_ms) was measured
  bool link_baselines = false;  // baseline_rtp and baseline_srt were measured across the same link
};

// {"NAME": {"limit", "compare": "<=" | ">=", "measured", "pass"}, ...} from the bench's result JSON; a target
// whose figure is missing (null) fails.
nlohmann::json evaluate_targets(const nlohmann::json& results, const TargetContext& context);

// Names of the targets that failed, in alphabetical order.
std::vector<std::string> failed_targets(const nlohmann::json& targets);

}  // namespace surgilink::bench
