#pragma once
// The RTP/RTCP wire format SurgiLink uses (RFC 3550, RFC 8285 one-byte header extensions, RFC 6051 NTP-64,
// RFC 4585 PLI, RFC 5761 demultiplexing). Pure functions, no state; any thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "surgilink/core/fault.hpp"

namespace surgilink::media {

// Header extension ids (one-byte form) announced in the control channel's welcome.
inline constexpr std::uint8_t kCaptureTimeExtensionId = 1;  // NTP-64 capture time of the frame
inline constexpr std::uint8_t kSendTimeExtensionId = 2;     // NTP-64 time the packet left the sender
// Bytes add_timing_extension() adds to a packet.
inline constexpr std::size_t kTimingExtensionSize = 24;
inline constexpr std::size_t kRtpFixedHeaderSize = 12;

// The fields of an RTP header that SurgiLink reads.
struct RtpHeader {
  bool marker = false;
  std::uint8_t payload_type = 0;
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
  std::size_t payload_offset = 0;  // header + CSRCs + extension
  std::size_t payload_size = 0;    // without padding
  std::optional<std::uint64_t> capture_ntp;
  std::optional<std::uint64_t> send_ntp;
};

// Parses an (unprotected) RTP packet; rejects anything whose lengths do not add up.
core::Result<RtpHeader> parse_rtp(std::span<const std::uint8_t> packet);

// Inserts a one-byte-header extension carrying capture time and send time into an RTP packet that has none.
// `capacity` is the size of the buffer behind `packet`; returns the new length.
core::Result<std::size_t> add_timing_extension(std::span<std::uint8_t> buffer, std::size_t length,
                                               std::uint64_t capture_ntp, std::uint64_t send_ntp);

// Writes a 12-byte RTP fixed header (V=2, no padding, extension or CSRC) for `header`'s marker, payload
// type, sequence, timestamp and SSRC; returns 12, or 0 when `out` is too small.
std::size_t write_rtp_header(std::span<std::uint8_t> out, const RtpHeader& header);

// RFC 5761: on a multiplexed port, payload types 64..95 in the second byte are RTCP.
bool looks_like_rtcp(std::span<const std::uint8_t> packet);

// An RTCP Picture Loss Indication (RFC 4585 §6.3.1), 12 bytes.
std::size_t write_pli(std::span<std::uint8_t> out, std::uint32_t sender_ssrc, std::uint32_t media_ssrc);

// What a received (unprotected) compound RTCP packet asks of the sender.
struct RtcpFeedback {
  bool picture_loss = false;  // PLI or FIR: send a keyframe
};
core::Result<RtcpFeedback> parse_rtcp(std::span<const std::uint8_t> packet);

// Extends 16-bit RTP sequence numbers to a monotonic 64-bit count across wraps. One thread.
class SequenceUnwrapper {
 public:
  std::int64_t unwrap(std::uint16_t sequence);

 private:
  std::optional<std::int64_t> last_;
};

}  // namespace surgilink::media
