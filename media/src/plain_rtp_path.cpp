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
    awaiting_keyframe_ = true;
  }
  next_index_ = index + 1;
  if (!frame_ || frame_->timestamp != h.timestamp) {
    if (frame_) finish(*frame_);
    frame_ = Frame{h.timestamp, false, false, awaiting_keyframe_ && !gap};
  }
  if (gap && !frame_->damaged) {
    // The console's rule: the frame the packet after a gap belongs to cannot be decoded correctly.
    frame_->damaged = true;
    ++counts_.frames_damaged;
  }
  if (carries_h264_keyframe(packet)) frame_->keyframe = true;
}

void RtpGapWatch::finish(const Frame& frame) {
  if (frame.damaged) return;
  if (frame.keyframe) {
    awaiting_keyframe_ = false;  // intact: the pictures after it are whole again
  } else if (frame.after_damage) {
    ++counts_.frames_until_keyframe;
  }
}

}  // namespace surgilink::media
