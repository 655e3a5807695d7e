#pragma once
// How much forward error correction the video carries, from the loss the consoles report (RTCP receiver
// reports, about once a second per console). One parity packet per K video packets of a frame, K about
// 1/(5 x loss) within 4 ... 20: 0.5 % -> 20 (5 % more), 2 % -> 10, 5 % -> 4. Parity starts at 0.2 % smoothed
// loss (retransmissions suffice under it: one frame in twenty or fewer waits for one at 1080p) and stops only
// under 0.1 %: a link that loses 0.5 % reports seconds of no loss, and switching parity off for such a second
// left that second's lost packets to retransmission alone (wan-fA1: a 252-ms freeze in the one second
// without parity). Pure logic, one thread (the network thread).

#include <cstddef>
#include <optional>

namespace surgilink::sender {

class VideoParity {
 public:
  static constexpr double kStartAbove = 0.002;
  static constexpr double kStopUnder = 0.001;
  // While a console's link is unknown (it joined and has not reported yet, about a second): parity as for a
  // link that loses 2 %. Without it every packet the join's first frames lost waited a round trip (rural,
  // one 10-s run each: the first second's median picture 145 ms old without, 90 with); the video gives up a
  // tenth of its rate for that second.
  static constexpr std::size_t kUnknownLinkBlock = 10;

  // The block size K for the worst console's last reported loss (0 ... 1; none: no console has reported,
  // and nothing changes); 0: no parity. The first report is taken as it is (smoothing up from zero left a
  // lossy link without parity while the join's keyframes crossed it); later ones are smoothed 0.7 / 0.3.
  // `link_unknown`: a console has not reported yet; the block is then at most kUnknownLinkBlock.
  std::size_t block(std::optional<double> reported_loss, bool link_unknown = false);

  double smoothed_loss() const { return smoothed_.value_or(0.0); }

 private:
  std::optional<double> smoothed_;
  std::size_t block_ = 0;
};

}  // namespace surgilink::sender
