#include "link/link_schedule.hpp"

namespace surgilink::tools::link {

LinkState link_state_at(const LinkProfile& profile, Direction direction,
                        std::chrono::nanoseconds since_start) {
  LinkState state{profile.direction(direction).rate_bps, false};
  if (since_start.count() < 0) return state;
  const auto in_period = profile.period.count() > 0 ? since_start % profile.period : since_start;
  for (const auto& step : profile.steps) {
    if (step.at > in_period) break;
    if (!step.applies_to(direction)) continue;
    if (step.rate_bps) state.rate_bps = *step.rate_bps;
    if (step.blackhole) state.blackhole = *step.blackhole;
  }
  return state;
}

}  // namespace surgilink::tools::link

namespace surgilink::tools::link {

std::optional<std::chrono::nanoseconds> next_step_after(const LinkProfile& profile,
                                                        std::chrono::nanoseconds since_start) {
  if (profile.steps.empty()) return std::nullopt;
  const auto period = std::chrono::nanoseconds{profile.period};
  const auto periods = period.count() > 0 && since_start.count() >= 0 ? since_start / period : 0;
  const auto period_start = period * periods;
  for (const auto& step : profile.steps) {
    if (period_start + step.at > since_start) return period_start + step.at;
  }
  if (period.count() == 0) return std::nullopt;
  // The period's end starts it over (its own rate, no blackhole) even where no step is at 0.
  return period_start + period;
}

}  // namespace surgilink::tools::link
