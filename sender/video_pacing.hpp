#pragma once
// How fast the sender lets the video out (RealtimeSender's pacer), from the congestion controller's figures.
// At 2.5 times the encoder's target (libwebrtc's factor): frames leave as fast as usual, keyframes are spread
// out. Where the link is the stream's bottleneck (its estimate under what the profile needs, now or within
// the last kBottleneckFor), at no more than what the link is estimated to carry: a keyframe then waits in
// the sender rather than in the link's buffer, whose overflow (a burst of drops) parity cannot repair. (A
// quarter above the estimate was the link's own rate once the estimate reached 80 % of it: rural's keyframes
// at 4.8 Mbit/s estimated went into its 100-ms buffer at 6 Mbit/s and overflowed it.) The seconds after
// matter: an estimate climbing past the link crosses the profile's need before the queue it builds is seen,
// and the full pace then flushed the waiting packets into that queue. Pure logic, one thread (the network
// thread); every time is passed in.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::sender {

class VideoPacing {
 public:
  static constexpr std::chrono::seconds kBottleneckFor{5};

  // `estimate_bps`: the narrowest console link's estimate (none: no console has reported, a joining one's
  // link is unknown: paced as a wide link, so its joining keyframe, 60-70 KB at 1080p30, leaves over ~40 ms
  // instead of as one burst that overflowed rural's 100-ms buffer at 6 Mbit/s);
  // `target_kbps`: the encoder's bitrate; `needed_kbps`: what the profile's full rate needs (with the
  // reserve for voice, vitals and annotations and the parity).
  std::optional<std::uint64_t> pace_bps(core::CaptureTime now, std::optional<std::uint64_t> estimate_bps,
                                        std::uint64_t target_kbps, std::uint64_t needed_kbps);

 private:
  core::CaptureTime bottleneck_until_{};
};

// The encoder's rate (kbit/s) while a joining console has not reported its link (issue 15): what
// `link_kbps` carries (its pre-flight's figure, or else the profile's own rate), of which the video shares
// kJoinShare with its parity (one per `fec_block` packets; 0: none), its packets' headers (RTP, extension,
// SRTP tag, UDP/IP: about 7 %) and `reserved_kbps` for voice, vitals and annotations. The rest stays free, as
// it does once the estimate leads (rural's steady target: 4508 kbit/s mean): filled to the brim by the
// joining second (a pre-flight's 5.7 Mbit/s less parity and the reserve: 5004-5154 kbit/s), rural's link
// queued the first second's retransmissions: asked for -> back in 85-137 ms, median 114, against its 80-ms
// round trip; with the tenth free 78-116 ms, median 92 (stop 35's debug runs dh1-4 and di1-4).
inline constexpr std::uint64_t kJoinShare = 90;  // percent
std::uint64_t joining_video_kbps(std::uint64_t link_kbps, std::size_t fec_block, std::uint64_t reserved_kbps);

}  // namespace surgilink::sender
