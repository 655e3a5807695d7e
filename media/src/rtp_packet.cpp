#include "surgilink/media/rtp_packet.hpp"

#include <algorithm>
#include <cstring>

#include "network_bytes.hpp"

namespace surgilink::media {

using core::Fault;

namespace {

using wire::read16;
using wire::read32;
using wire::read64;
using wire::write16;
using wire::write32;
using wire::write64;

// Reads the elements of a one-byte-header extension block (RFC 8285 §4.2).
core::Result<void> read_one_byte_extension(const std::uint8_t* data, std::size_t size, RtpHeader& header) {
  std::size_t i = 0;
  while (i < size) {
    const std::uint8_t first = data[i];
    if (first == 0) {  // padding
      ++i;
      continue;
    }
    const std::uint8_t id = first >> 4;
    const std::size_t len = (first & 0x0f) + 1u;
    if (id == 15) break;  // reserved: stop processing (RFC 8285)
    if (i + 1 + len > size) return Fault::kMalformed;
    if (len == 8 && id == kCaptureTimeExtensionId) header.capture_ntp = read64(data + i + 1);
    if (len == 8 && id == kSendTimeExtensionId) header.send_ntp = read64(data + i + 1);
    i += 1 + len;
  }
  return boost::outcome_v2::success();
}

}  // namespace

core::Result<RtpHeader> parse_rtp(std::span<const std::uint8_t> packet) {
  if (packet.size() < kRtpFixedHeaderSize) return Fault::kTruncated;
  const std::uint8_t* p = packet.data();
  if ((p[0] >> 6) != 2) return Fault::kNotRtp;
  if (looks_like_rtcp(packet)) return Fault::kNotRtp;
  RtpHeader h;
  const bool padding = (p[0] & 0x20) != 0;
  const bool extension = (p[0] & 0x10) != 0;
  const std::size_t csrc_count = p[0] & 0x0f;
  h.marker = (p[1] & 0x80) != 0;
  h.payload_type = p[1] & 0x7f;
  h.sequence = read16(p + 2);
  h.timestamp = read32(p + 4);
  h.ssrc = read32(p + 8);
  std::size_t offset = kRtpFixedHeaderSize + 4 * csrc_count;
  if (offset > packet.size()) return Fault::kTruncated;
  if (extension) {
    if (offset + 4 > packet.size()) return Fault::kTruncated;
    const std::uint16_t profile = read16(p + offset);
    const std::size_t ext_size = std::size_t{read16(p + offset + 2)} * 4;
    if (offset + 4 + ext_size > packet.size()) return Fault::kTruncated;
    if (profile == 0xBEDE) {
      if (auto r = read_one_byte_extension(p + offset + 4, ext_size, h); !r) return r.error();
    }
    offset += 4 + ext_size;
  }
  std::size_t padding_size = 0;
  if (padding) {
    if (offset >= packet.size()) return Fault::kTruncated;
    padding_size = packet.back();
    if (padding_size == 0 || offset + padding_size > packet.size()) return Fault::kMalformed;
  }
  h.payload_offset = offset;
  h.payload_size = packet.size() - offset - padding_size;
  return h;
}

core::Result<std::size_t> add_timing_extension(std::span<std::uint8_t> buffer, std::size_t length,
                                               std::uint64_t capture_ntp, std::uint64_t send_ntp) {
  if (length < kRtpFixedHeaderSize || length > buffer.size()) return Fault::kTruncated;
  std::uint8_t* p = buffer.data();
  if ((p[0] >> 6) != 2) return Fault::kNotRtp;
  if ((p[0] & 0x10) != 0) return Fault::kMalformed;  // already has an extension: not ours to rewrite
  const std::size_t insert_at = kRtpFixedHeaderSize + 4 * std::size_t{p[0] & 0x0fu};
  if (insert_at > length) return Fault::kTruncated;
  if (length + kTimingExtensionSize > buffer.size()) return Fault::kTooLarge;
  std::memmove(p + insert_at + kTimingExtensionSize, p + insert_at, length - insert_at);
  std::uint8_t* e = p + insert_at;
  write16(e, 0xBEDE);
  write16(e + 2, 5);  // 20 bytes of elements, in 32-bit words
  e[4] = static_cast<std::uint8_t>((kCaptureTimeExtensionId << 4) | 7);
  write64(e + 5, capture_ntp);
  e[13] = static_cast<std::uint8_t>((kSendTimeExtensionId << 4) | 7);
  write64(e + 14, send_ntp);
  e[22] = 0;
  e[23] = 0;
  p[0] |= 0x10;
  return length + kTimingExtensionSize;
}

bool looks_like_rtcp(std::span<const std::uint8_t> packet) {
  if (packet.size() < 2) return false;
  const std::uint8_t pt = packet[1];
  return pt >= 192 && pt <= 223;  // RTCP packet types 192..223 (RFC 5761 §4)
}

std::size_t write_rtp_header(std::span<std::uint8_t> out, const RtpHeader& header) {
  if (out.size() < 12) return 0;
  out[0] = 0x80;  // V=2
  out[1] = static_cast<std::uint8_t>((header.marker ? 0x80 : 0) | (header.payload_type & 0x7f));
  write16(out.data() + 2, header.sequence);
  write32(out.data() + 4, header.timestamp);
  write32(out.data() + 8, header.ssrc);
  return 12;
}

std::size_t write_pli(std::span<std::uint8_t> out, std::uint32_t sender_ssrc, std::uint32_t media_ssrc) {
  if (out.size() < 12) return 0;
  out[0] = 0x80 | 1;  // V=2, FMT=1 (PLI)
  out[1] = 206;       // PSFB
  write16(out.data() + 2, 2);
  write32(out.data() + 4, sender_ssrc);
  write32(out.data() + 8, media_ssrc);
  return 12;
}

std::size_t write_nack(std::span<std::uint8_t> out, std::uint32_t sender_ssrc, std::uint32_t media_ssrc,
                       std::span<const std::uint16_t> lost) {
  if (lost.empty() || out.size() < 16) return 0;
  std::size_t length = 12;
  std::size_t i = 0;
  while (i < lost.size() && length + 4 <= out.size()) {
    const std::uint16_t pid = lost[i++];
    std::uint16_t mask = 0;
    // Following losses within 16 of the first ride in its mask.
    while (i < lost.size()) {
      const auto distance = static_cast<std::uint16_t>(lost[i] - pid);
      if (distance == 0 || distance > 16) break;
      mask = static_cast<std::uint16_t>(mask | (1u << (distance - 1)));
      ++i;
    }
    write16(out.data() + length, pid);
    write16(out.data() + length + 2, mask);
    length += 4;
  }
  out[0] = 0x80 | 1;  // V=2, FMT=1 (generic NACK)
  out[1] = 205;       // RTPFB
  write16(out.data() + 2, static_cast<std::uint16_t>(length / 4 - 1));
  write32(out.data() + 4, sender_ssrc);
  write32(out.data() + 8, media_ssrc);
  return length;
}

std::size_t write_remb(std::span<std::uint8_t> out, std::uint32_t sender_ssrc, std::uint64_t bitrate_bps,
                       std::uint32_t media_ssrc) {
  if (out.size() < 24 || bitrate_bps == 0) return 0;
  // The rate as an 18-bit mantissa and a 6-bit exponent: the largest mantissa that fits, rounded down.
  std::uint32_t exponent = 0;
  while ((bitrate_bps >> exponent) > 0x3ffff) ++exponent;
  if (exponent > 63) return 0;
  const auto mantissa = static_cast<std::uint32_t>(bitrate_bps >> exponent);
  out[0] = 0x80 | 15;  // V=2, FMT=15 (application layer feedback)
  out[1] = 206;        // PSFB
  write16(out.data() + 2, 5);
  write32(out.data() + 4, sender_ssrc);
  write32(out.data() + 8, 0);  // media source: unused, the SSRCs follow
  out[12] = 'R';
  out[13] = 'E';
  out[14] = 'M';
  out[15] = 'B';
  write32(out.data() + 16, (1u << 24) | (exponent << 18) | mantissa);
  write32(out.data() + 20, media_ssrc);
  return 24;
}

std::size_t write_receiver_report(std::span<std::uint8_t> out, std::uint32_t reporter_ssrc,
                                  std::uint32_t media_ssrc, double fraction_lost,
                                  std::uint32_t cumulative_lost, std::uint32_t highest_sequence) {
  if (out.size() < 32) return 0;
  std::fill(out.begin(), out.begin() + 32, std::uint8_t{0});
  out[0] = 0x80 | 1;  // V=2, one report block
  out[1] = 201;       // RR
  write16(out.data() + 2, 7);
  write32(out.data() + 4, reporter_ssrc);
  write32(out.data() + 8, media_ssrc);
  const double share = std::clamp(fraction_lost, 0.0, 1.0);
  // Fixed point with the binary point at the left edge (RFC 3550): 1.0 is 255.
  write32(out.data() + 12, (static_cast<std::uint32_t>(std::min(255.0, share * 256)) << 24) |
                               std::min<std::uint32_t>(cumulative_lost, 0x7fffff));
  write32(out.data() + 16, highest_sequence);
  return 32;
}

std::size_t write_rtx(std::span<std::uint8_t> out, std::span<const std::uint8_t> original,
                      std::uint32_t rtx_ssrc, std::uint8_t rtx_payload_type, std::uint16_t rtx_sequence) {
  const auto header = parse_rtp(original);
  if (!header) return 0;
  const std::size_t offset = header.value().payload_offset, payload = header.value().payload_size;
  if (out.size() < offset + 2 + payload) return 0;
  // Same header (extension included, padding dropped), then the original sequence number, then the payload.
  std::copy(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(offset), out.begin());
  out[0] = static_cast<std::uint8_t>(out[0] & ~0x20);  // no padding
  out[1] = static_cast<std::uint8_t>((out[1] & 0x80) | (rtx_payload_type & 0x7f));
  write16(out.data() + 2, rtx_sequence);
  write32(out.data() + 8, rtx_ssrc);
  write16(out.data() + offset, header.value().sequence);
  std::copy(original.begin() + static_cast<std::ptrdiff_t>(offset),
            original.begin() + static_cast<std::ptrdiff_t>(offset + payload),
            out.begin() + static_cast<std::ptrdiff_t>(offset + 2));
  return offset + 2 + payload;
}

core::Result<std::vector<std::uint8_t>> unwrap_rtx(std::span<const std::uint8_t> packet, const RtpHeader& rtx,
                                                   std::uint32_t media_ssrc,
                                                   std::uint8_t media_payload_type) {
  if (rtx.payload_size < 2 || rtx.payload_offset + rtx.payload_size > packet.size()) return Fault::kTruncated;
  std::vector<std::uint8_t> out;
  out.reserve(rtx.payload_offset + rtx.payload_size - 2);
  out.insert(out.end(), packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(rtx.payload_offset));
  out[0] = static_cast<std::uint8_t>(out[0] & ~0x20);
  out[1] = static_cast<std::uint8_t>((out[1] & 0x80) | (media_payload_type & 0x7f));
  const std::uint8_t* osn = packet.data() + rtx.payload_offset;
  out[2] = osn[0];
  out[3] = osn[1];
  write32(out.data() + 8, media_ssrc);
  out.insert(out.end(), packet.begin() + static_cast<std::ptrdiff_t>(rtx.payload_offset + 2),
             packet.begin() + static_cast<std::ptrdiff_t>(rtx.payload_offset + rtx.payload_size));
  return out;
}

bool starts_h264_keyframe(std::span<const std::uint8_t> packet) {
  const auto header = parse_rtp(packet);
  if (!header || header.value().payload_size < 2) return false;
  const std::uint8_t* payload = packet.data() + header.value().payload_offset;
  const std::size_t size = header.value().payload_size;
  // Where the first NAL unit's header is, and its first byte after that (an IDR slice's header).
  std::size_t at = 0;
  if ((payload[0] & 0x1f) == 24) {  // STAP-A: a 16-bit size, then the first NAL unit
    at = 3;
  } else if ((payload[0] & 0x1f) == 28) {  // FU-A: the indicator, then a header whose S bit marks the start
    if ((payload[1] & 0x80) == 0) return false;
    at = 1;
  }
  if (at + 1 >= size) return false;
  const std::uint8_t type = payload[at] & 0x1f;
  if (type == 7) {
    // An SPS also leads an intra refresh wave's first picture (x264 --intra-refresh), which needs earlier
    // pictures: a recovery-point SEI (payload type 6) aggregated with it says so.
    if (at != 3) return true;
    for (std::size_t unit = 1; unit + 3 < size;) {
      const std::size_t length = read16(payload + unit);
      if (length == 0 || unit + 2 + length > size) break;
      if ((payload[unit + 2] & 0x1f) == 6 && payload[unit + 3] == 6) return false;
      unit += 2 + length;
    }
    return true;
  }
  // An IDR picture of several slices (x264's sliced threads) starts with the slice whose first macroblock
  // is 0: the slice header's first field, ue(v), is then the single bit 1. A later slice starts no picture.
  return type == 5 && (payload[at + 1] & 0x80) != 0;
}

bool carries_h264_keyframe(std::span<const std::uint8_t> packet) {
  const auto header = parse_rtp(packet);
  if (!header || header.value().payload_size < 2) return false;
  const auto payload = packet.subspan(header.value().payload_offset, header.value().payload_size);
  // An IDR slice, not an SPS: x264's intra refresh sends an SPS before each refresh wave's first picture,
  // which still needs the pictures before it.
  const auto is_key = [](std::uint8_t nal_type) { return nal_type == 5; };
  const std::uint8_t type = payload[0] & 0x1f;
  if (type == 28) return (payload[1] & 0x80) != 0 && is_key(payload[1] & 0x1f);  // FU-A start
  if (type != 24) return is_key(type);
  // STAP-A: after its own header byte, units of a 16-bit size each.
  for (std::size_t at = 1; at + 2 < payload.size();) {
    const std::size_t size = read16(payload.data() + at);
    if (size == 0 || at + 2 + size > payload.size()) return false;
    if (is_key(payload[at + 2] & 0x1f)) return true;
    at += 2 + size;
  }
  return false;
}

core::Result<RtcpFeedback> parse_rtcp(std::span<const std::uint8_t> packet) {
  RtcpFeedback feedback;
  std::size_t offset = 0;
  if (packet.size() < 4) return Fault::kTruncated;
  while (offset + 4 <= packet.size()) {
    const std::uint8_t* p = packet.data() + offset;
    if ((p[0] >> 6) != 2) return Fault::kNotRtp;
    const std::size_t size = (std::size_t{read16(p + 2)} + 1) * 4;
    if (offset + size > packet.size()) return Fault::kTruncated;
    const std::uint8_t fmt = p[0] & 0x1f;
    if (p[1] == 206 && (fmt == 1 || fmt == 4)) feedback.picture_loss = true;  // PLI, FIR
    if (p[1] == 201 && fmt >= 1) {  // RR: FMT is the report count here
      if (size < 32) return Fault::kTruncated;
      feedback.fraction_lost = p[12] / 256.0;
    }
    if (p[1] == 206 && fmt == 15 && size >= 20 && p[12] == 'R' && p[13] == 'E' && p[14] == 'M' &&
        p[15] == 'B') {
      const std::uint32_t word = read32(p + 16);
      const std::size_t ssrcs = word >> 24;
      if (size < 20 + 4 * ssrcs) return Fault::kTruncated;
      const std::uint64_t mantissa = word & 0x3ffff;
      feedback.estimated_bps = mantissa << ((word >> 18) & 0x3f);
    }
    if (p[1] == 205 && fmt == 1) {  // generic NACK: media SSRC, then (PID, BLP) entries
      if (size < 16) return Fault::kTruncated;
      feedback.nack_ssrc = read32(p + 8);
      for (std::size_t at = 12; at + 4 <= size && feedback.nacked.size() < 256; at += 4) {
        const std::uint16_t pid = read16(p + at), mask = read16(p + at + 2);
        feedback.nacked.push_back(pid);
        for (int bit = 0; bit < 16 && feedback.nacked.size() < 256; ++bit) {
          if ((mask >> bit) & 1u) feedback.nacked.push_back(static_cast<std::uint16_t>(pid + bit + 1));
        }
      }
    }
    offset += size;
  }
  if (offset != packet.size()) return Fault::kTruncated;
  return feedback;
}

std::int64_t SequenceUnwrapper::unwrap(std::uint16_t sequence) {
  if (!last_) {
    last_ = sequence;
    return *last_;
  }
  const auto delta = static_cast<std::int16_t>(static_cast<std::uint16_t>(sequence - (*last_ & 0xffff)));
  const std::int64_t value = *last_ + delta;
  if (value > *last_) last_ = value;
  return value;
}

}  // namespace surgilink::media
