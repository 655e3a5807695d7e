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

std::uint64_t joining_video_kbps(std::uint64_t link_kbps, std::size_t fec_block,
                                 std::uint64_t reserved_kbps) {
  std::uint64_t fits = link_kbps * kJoinShare / 100;
  fits = fits > reserved_kbps ? fits - reserved_kbps : 0;
  if (fec_block != 0) fits = fits * fec_block / (fec_block + 1);
  return fits * 100 / 107;
}

}  // namespace surgilink::sender
