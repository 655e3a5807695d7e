#include "video_pacing.hpp"

#include <algorithm>

namespace surgilink::sender {

std::optional<std::uint64_t> VideoPacing::pace_bps(core::CaptureTime now,
                                                   std::optional<std::uint64_t> estimate_bps,
                                                   std::uint64_t target_kbps, std::uint64_t needed_kbps) {
  const std::uint64_t full = target_kbps * 1000 * 5 / 2;
  if (!estimate_bps) return full;
  if (*estimate_bps < needed_kbps * 1000) bottleneck_until_ = now + kBottleneckFor;
  if (now < bottleneck_until_) return std::min(full, *estimate_bps);
  return full;
}

}  // namespace surgilink::sender
