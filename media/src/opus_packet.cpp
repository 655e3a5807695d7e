#include "surgilink/media/opus_packet.hpp"

namespace surgilink::media {

namespace {

constexpr std::size_t kMaxFrameBytes = 1275;
constexpr int kMaxPacketTenthsMs = 1200;  // 120 ms

// A frame's duration in tenths of a millisecond, from the TOC byte's configuration (RFC 6716 §3.1, Table 2).
int frame_tenths_ms(std::uint8_t toc) {
  static constexpr int kSilk[] = {100, 200, 400, 600}, kCelt[] = {25, 50, 100, 200};
  const int config = toc >> 3;
  if (config < 12) return kSilk[config % 4];
  if (config < 16) return config % 2 == 0 ? 100 : 200;  // hybrid
  return kCelt[config % 4];
}

// A frame length as coded in one or two bytes (§3.2.1) at `at`; advances `at`. False if the bytes are
// missing.
bool read_frame_length(std::span<const std::uint8_t> p, std::size_t& at, std::size_t& length) {
  if (at >= p.size()) return false;
  const std::size_t first = p[at++];
  if (first < 252) {
    length = first;
    return true;
  }
  if (at >= p.size()) return false;
  length = first + 4 * static_cast<std::size_t>(p[at++]);
  return true;
}

}  // namespace

core::Result<void> check_opus_packet(std::span<const std::uint8_t> p) {
  using core::Fault;
  if (p.empty()) return Fault::kTruncated;  // R1
  const std::uint8_t toc = p[0];
  const std::size_t rest = p.size() - 1;
  switch (toc & 0x3) {
    case 0:                                                 // one frame
      if (rest > kMaxFrameBytes) return Fault::kMalformed;  // R2
      return boost::outcome_v2::success();
    case 1:                                                                      // two frames of equal size
      if (rest % 2 != 0 || rest / 2 > kMaxFrameBytes) return Fault::kMalformed;  // R3
      return boost::outcome_v2::success();
    case 2: {  // two frames, the first's length coded
      std::size_t at = 1, first = 0;
      if (!read_frame_length(p, at, first)) return Fault::kTruncated;
      if (first > p.size() - at) return Fault::kTruncated;  // R4
      if (first > kMaxFrameBytes || p.size() - at - first > kMaxFrameBytes) return Fault::kMalformed;
      return boost::outcome_v2::success();
    }
    default: {                                     // code 3: a frame count byte, optional padding, CBR or VBR
      if (p.size() < 2) return Fault::kTruncated;  // R6
      const std::uint8_t count_byte = p[1];
      const std::size_t frames = count_byte & 0x3f;
      if (frames == 0 || static_cast<int>(frames) * frame_tenths_ms(toc) > kMaxPacketTenthsMs)
        return Fault::kMalformed;  // R5
      std::size_t at = 2, padding = 0;
      if ((count_byte & 0x40) != 0) {
        for (;;) {
          if (at >= p.size()) return Fault::kTruncated;
          const std::size_t b = p[at++];
          padding += b == 255 ? 254 : b;
          if (b != 255) break;
        }
      }
      if (at + padding > p.size()) return Fault::kTruncated;
      const std::size_t left = p.size() - at - padding;
      if ((count_byte & 0x80) == 0) {  // CBR: R6
        if (left % frames != 0 || left / frames > kMaxFrameBytes) return Fault::kMalformed;
        return boost::outcome_v2::success();
      }
      // VBR (R7): M − 1 coded lengths, then the frames (the last one takes what is left), then padding.
      std::size_t taken = padding;  // bytes after the lengths that belong to padding or a counted frame
      for (std::size_t i = 0; i + 1 < frames; ++i) {
        std::size_t length = 0;
        if (!read_frame_length(p, at, length)) return Fault::kTruncated;
        if (length > kMaxFrameBytes) return Fault::kMalformed;
        taken += length;
        if (at + taken > p.size()) return Fault::kTruncated;
      }
      if (p.size() - at - taken > kMaxFrameBytes) return Fault::kMalformed;
      return boost::outcome_v2::success();
    }
  }
}

}  // namespace surgilink::media
