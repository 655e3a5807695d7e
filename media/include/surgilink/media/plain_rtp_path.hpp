#pragma once
// The benchmark's baselines (README: surgilink-bench): a plain, unprotected RTP stream that leaves the
// sender pipeline straight from GStreamer and enters the receiver pipeline straight into it — no SRTP, no
// Asio, no NACK, no FEC — over UDP (the plain GStreamer RTP pipeline) or inside SRT (srtsink/srtsrc, whose
// retransmission and latency window are SRT's own), so that SurgiLink can be compared with both over the
// same link. Plain data.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "surgilink/media/rtp_packet.hpp"

namespace surgilink::media {

struct PlainRtpPath {
  enum class Transport { udp, srt };
  Transport transport = Transport::udp;
  // udp: the sender sends to it and the receiver binds it. srt: the sender listens on it, the receiver calls.
  std::string address = "127.0.0.1";
  int port = 0;
  // srt: SRT's latency window (both ends), how long its receiver keeps a packet for retransmission.
  std::chrono::milliseconds srt_latency{0};
  // udp, receiver: an rtpjitterbuffer with this latency before the depacketizer (how long a gap is waited
  // for); none: packets go to the depacketizer as they arrive (the loopback baseline).
  std::optional<std::chrono::milliseconds> jitter_latency;
};

const char* to_string(PlainRtpPath::Transport transport);

// What a receiver saw of a plain RTP stream's sequence numbers, counted by RtpGapWatch.
struct PlainRtpCounts {
  std::uint64_t packets = 0;
  std::uint64_t packets_lost = 0;  // sequence numbers that never reached the depacketizer
  // Frames the depacketizer got with a packet missing before them: the frame after each gap, the rule of
  // SurgiLink's own JitterBuffer (frame_damaged), so the two counts compare.
  std::uint64_t frames_damaged = 0;
  // Further frames that arrived after a damaged one and before the next intact keyframe: decoded from a
  // damaged reference picture (nothing asks the sender for a keyframe on a plain stream).
  std::uint64_t frames_until_keyframe = 0;
};

// Counts gaps in the sequence numbers of a plain H.264 RTP stream as the depacketizer receives it (after any
// jitter buffer: in order, a gap is a loss given up on). Pure; one thread.
class RtpGapWatch {
 public:
  void on_packet(std::span<const std::uint8_t> packet);
  const PlainRtpCounts& counts() const { return counts_; }

 private:
  // The frame whose packets are arriving (by RTP timestamp).
  struct Frame {
    std::uint32_t timestamp = 0;
    bool damaged = false;       // the frame after a gap
    bool keyframe = false;      // a packet carried an SPS or IDR slice
    bool after_damage = false;  // began while the stream waited for an intact keyframe
  };
  void finish(const Frame& frame);  // its last packet has passed

  SequenceUnwrapper unwrapper_;
  std::optional<std::int64_t> next_index_;
  std::optional<Frame> frame_;
  bool awaiting_keyframe_ = false;
  PlainRtpCounts counts_;
};

}  // namespace surgilink::media
