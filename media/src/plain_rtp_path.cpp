#include "surgilink/media/plain_rtp_path.hpp"

namespace surgilink::media {

const char* to_string(PlainRtpPath::Transport transport) {
  return transport == PlainRtpPath::Transport::srt ? "srt" : "udp";
}

void RtpGapWatch::on_packet(std::span<const std::uint8_t> packet) {
  const auto header = parse_rtp(packet);
  if (!header) return;  // the depacketizer refuses it too
  const auto& h = header.value();
  const std::int64_t index = unwrapper_.unwrap(h.sequence);
  if (next_index_ && index < *next_index_) return;  // late or repeated: not a new packet of the stream
  ++counts_.packets;
  const bool gap = next_index_ && index > *next_index_;
  if (gap) {
    counts_.packets_lost += static_cast<std::uint64_t>(index - *next_index_);
    if (damaged_timestamp_ != h.timestamp) ++counts_.frames_damaged;
    damaged_timestamp_ = h.timestamp;
    awaiting_keyframe_ = true;
  }
  next_index_ = index + 1;
  if (frame_timestamp_ == h.timestamp) return;
  frame_timestamp_ = h.timestamp;  // the first packet of a new frame
  if (!awaiting_keyframe_ || gap) return;
  if (starts_h264_keyframe(packet)) {
    awaiting_keyframe_ = false;  // a loss inside it starts the count again
  } else {
    ++counts_.frames_until_keyframe;
  }
}

}  // namespace surgilink::media
