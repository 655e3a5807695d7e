#include "video_parity.hpp"

#include <algorithm>
#include <cmath>

namespace surgilink::sender {

std::size_t VideoParity::block(std::optional<double> reported_loss, bool link_unknown) {
  if (reported_loss) {
    const double loss = smoothed_ ? 0.7 * *smoothed_ + 0.3 * *reported_loss : *reported_loss;
    smoothed_ = loss;
    const bool on = block_ != 0 ? loss >= kStopUnder : loss >= kStartAbove;
    block_ = on ? std::clamp<std::size_t>(static_cast<std::size_t>(std::lround(0.2 / loss)), 4, 20) : 0;
  }
  if (link_unknown) return block_ == 0 ? kUnknownLinkBlock : std::min(block_, kUnknownLinkBlock);
  return block_;
}

}  // namespace surgilink::sender
