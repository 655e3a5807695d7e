#pragma once
// The framing of an Opus packet (RFC 6716 §3): enough to refuse a truncated or malformed one before it is
// relayed or decoded. The frames' contents are the decoder's business.

#include <cstdint>
#include <span>

#include "surgilink/core/fault.hpp"

namespace surgilink::media {

// Checks an Opus packet (an RTP payload, RFC 7587) against the framing rules of RFC 6716 §3.4: its frame
// lengths fit the packet, no frame is longer than 1275 bytes, at most 120 ms of audio. kTruncated when the
// packet is shorter than its own framing says, kMalformed for an impossible framing.
core::Result<void> check_opus_packet(std::span<const std::uint8_t> payload);

}  // namespace surgilink::media
