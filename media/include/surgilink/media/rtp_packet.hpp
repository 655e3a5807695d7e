#pragma once
// The RTP/RTCP wire format SurgiLink uses (RFC 3550, RFC 8285 one-byte header extensions, RFC 6051 NTP-64,
// RFC 4585 PLI, RFC 5761 demultiplexing). Pure functions, no state; any thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

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

// Whether an H.264 RTP packet (RFC 6184) begins a picture that needs no earlier one: its first NAL unit,
// single, first of an aggregate (STAP-A) or start of a fragmented one (FU-A), is an SPS (unless a
// recovery-point SEI in the same aggregate marks an intra refresh wave) or the first slice of an IDR
// picture (the later slices of a picture in several slices start nothing).
bool starts_h264_keyframe(std::span<const std::uint8_t> packet);
// Whether an H.264 RTP packet carries the start of an IDR slice anywhere: a single NAL unit, any unit of
// an aggregate (x264 puts an access unit delimiter first), or the first fragment of one.
bool carries_h264_keyframe(std::span<const std::uint8_t> packet);

// RFC 5761: on a multiplexed port, payload types 64..95 in the second byte are RTCP.
bool looks_like_rtcp(std::span<const std::uint8_t> packet);

// An RTCP Picture Loss Indication (RFC 4585 §6.3.1), 12 bytes.
std::size_t write_pli(std::span<std::uint8_t> out, std::uint32_t sender_ssrc, std::uint32_t media_ssrc);

// An RTCP generic NACK (RFC 4585 §6.2.1) for `lost` sequence numbers of `media_ssrc`, in as few FCI
// entries (a sequence number + a 16-bit mask of the next ones) as they need, at most `out` allows. Returns
// the length, 0 when not even one entry fits or `lost` is empty.
std::size_t write_nack(std::span<std::uint8_t> out, std::uint32_t sender_ssrc, std::uint32_t media_ssrc,
                       std::span<const std::uint16_t> lost);

// An RTCP Receiver Estimated Maximum Bitrate (draft-alvestrand-rmcat-remb §2.2): the rate the receiver
// estimates its link carries, for `media_ssrc`. 24 bytes; 0 when `out` is too small or the rate is 0.
std::size_t write_remb(std::span<std::uint8_t> out, std::uint32_t sender_ssrc, std::uint64_t bitrate_bps,
                       std::uint32_t media_ssrc);

// An RTCP Receiver Report (RFC 3550 §6.4.2) with one report block for `media_ssrc`: the share of its packets
// lost since the last report (before any repair), the cumulative count and the highest sequence number
// (extended). Jitter and the round-trip fields are 0 (SurgiLink's senders send no SR). 32 bytes; 0 when
// `out` is too small.
std::size_t write_receiver_report(std::span<std::uint8_t> out, std::uint32_t reporter_ssrc,
                                  std::uint32_t media_ssrc, double fraction_lost,
                                  std::uint32_t cumulative_lost, std::uint32_t highest_sequence);

// What a received (unprotected) compound RTCP packet asks of the sender.
struct RtcpFeedback {
  bool picture_loss = false;                   // PLI or FIR: send a keyframe
  std::uint32_t nack_ssrc = 0;                 // the media SSRC the NACKs name (the last one, if several)
  std::vector<std::uint16_t> nacked;           // sequence numbers asked for again (generic NACK), at most 256
  std::optional<std::uint64_t> estimated_bps;  // REMB: the rate the receiver's link carries
  std::optional<double> fraction_lost;         // RR: its first report block's share lost, 0..1
};

// RFC 4588 retransmission: the packet `original` (plain RTP, header extension kept) sent again on the RTX
// stream (`rtx_ssrc`, `rtx_payload_type`, its own `rtx_sequence`), the original sequence number in the first
// two payload bytes. Written into `out`; returns the length, 0 when `original` does not parse or `out` is too
// small.
std::size_t write_rtx(std::span<std::uint8_t> out, std::span<const std::uint8_t> original,
                      std::uint32_t rtx_ssrc, std::uint8_t rtx_payload_type, std::uint16_t rtx_sequence);
// The original packet back from an RTX packet (header `rtx` as parsed): the original sequence number,
// `media_ssrc` and `media_payload_type` restored. Refuses an RTX payload shorter than its 2-byte OSN.
core::Result<std::vector<std::uint8_t>> unwrap_rtx(std::span<const std::uint8_t> packet, const RtpHeader& rtx,
                                                   std::uint32_t media_ssrc, std::uint8_t media_payload_type);
core::Result<RtcpFeedback> parse_rtcp(std::span<const std::uint8_t> packet);

// Extends 16-bit RTP sequence numbers to a monotonic 64-bit count across wraps. One thread.
class SequenceUnwrapper {
 public:
  std::int64_t unwrap(std::uint16_t sequence);

 private:
  std::optional<std::int64_t> last_;
};

}  // namespace surgilink::media
