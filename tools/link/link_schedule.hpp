#pragma once
// The state a profile's schedule gives one direction at a time since the emulator started: the rate in
// force and whether the link is a blackhole. Pure; any thread.

#include <chrono>
#include <optional>

#include "link/link_profile.hpp"

namespace surgilink::tools::link {

struct LinkState {
  double rate_bps = 0.0;  // 0 = unlimited
  bool blackhole = false;

  bool operator==(const LinkState&) const = default;
};

// The profile's rate, changed by every step of the direction at or before `since_start` within the current
// period (the schedule starts over at each period with the profile's own rate and no blackhole).
LinkState link_state_at(const LinkProfile& profile, Direction direction,
                        std::chrono::nanoseconds since_start);

}  // namespace surgilink::tools::link

namespace surgilink::tools::link {

// The first time after `since_start` at which a step of the schedule takes effect (for any direction), or
// nullopt when none is left (a schedule without a period, past its last step; or no steps).
std::optional<std::chrono::nanoseconds> next_step_after(const LinkProfile& profile,
                                                        std::chrono::nanoseconds since_start);

}  // namespace surgilink::tools::link
