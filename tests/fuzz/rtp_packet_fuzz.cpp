// libFuzzer target: the RTP/RTCP wire format after SRTP (media/rtp_packet.hpp): the fixed header, CSRCs,
// RFC 8285 one-byte header extensions with the NTP-64 capture and send times, padding, compound RTCP, and
// the sequence-number unwrapper. Input: one packet. A packet that parses must keep its fields and payload
// when its header is written again and when the timing extension is added; the unwrapper, fed the input as
// 16-bit sequence numbers, must keep every value's low 16 bits and never jump by more than half the space.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "fuzz_support.hpp"
#include "surgilink/media/rtp_packet.hpp"
#include "surgilink/media/xor_fec.hpp"

namespace {

using namespace surgilink::media;

constexpr std::uint64_t kCaptureNtp = 0xE8A1'2345'6789'ABCDull;
constexpr std::uint64_t kSendNtp = 0xE8A1'2345'7000'0001ull;

std::span<const std::uint8_t> payload_of(std::span<const std::uint8_t> packet, const RtpHeader& h) {
  return packet.subspan(h.payload_offset, h.payload_size);
}

bool same_fields(const RtpHeader& a, const RtpHeader& b) {
  return a.marker == b.marker && a.payload_type == b.payload_type && a.sequence == b.sequence &&
         a.timestamp == b.timestamp && a.ssrc == b.ssrc;
}

// `packet` with the timing extension added must parse with the same fields, payload and the new times.
void check_timing_extension(std::span<const std::uint8_t> packet, const RtpHeader& parsed) {
  std::vector<std::uint8_t> buffer(packet.size() + kTimingExtensionSize);
  std::memcpy(buffer.data(), packet.data(), packet.size());
  auto added = add_timing_extension(buffer, packet.size(), kCaptureNtp, kSendNtp);
  if (!added) return;  // it already had an extension
  SURGILINK_FUZZ_CHECK(added.value() == packet.size() + kTimingExtensionSize);
  const std::span<const std::uint8_t> extended(buffer.data(), added.value());
  auto again = parse_rtp(extended);
  SURGILINK_FUZZ_CHECK(again.has_value());
  SURGILINK_FUZZ_CHECK(same_fields(parsed, again.value()));
  SURGILINK_FUZZ_CHECK(again.value().capture_ntp == kCaptureNtp && again.value().send_ntp == kSendNtp);
  const auto before = payload_of(packet, parsed);
  const auto after = payload_of(extended, again.value());
  SURGILINK_FUZZ_CHECK(std::equal(before.begin(), before.end(), after.begin(), after.end()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> packet(data, size);

  if (auto parsed = parse_rtp(packet)) {
    const RtpHeader& h = parsed.value();
    SURGILINK_FUZZ_CHECK(h.payload_offset >= kRtpFixedHeaderSize);
    SURGILINK_FUZZ_CHECK(h.payload_offset + h.payload_size <= size);
    SURGILINK_FUZZ_CHECK(!looks_like_rtcp(packet));
    check_timing_extension(packet, h);

    // The same packet with a plain 12-byte header: the fields and the payload survive.
    std::vector<std::uint8_t> plain(kRtpFixedHeaderSize + h.payload_size);
    SURGILINK_FUZZ_CHECK(write_rtp_header(plain, h) == kRtpFixedHeaderSize);
    const auto payload = payload_of(packet, h);
    std::copy(payload.begin(), payload.end(), plain.begin() + kRtpFixedHeaderSize);
    auto reparsed = parse_rtp(plain);
    SURGILINK_FUZZ_CHECK(reparsed.has_value());
    SURGILINK_FUZZ_CHECK(same_fields(h, reparsed.value()));
    SURGILINK_FUZZ_CHECK(reparsed.value().payload_size == h.payload_size);
    SURGILINK_FUZZ_CHECK(!reparsed.value().capture_ntp && !reparsed.value().send_ntp);
    check_timing_extension(plain, reparsed.value());

    // As a retransmission (RFC 4588): unwrapped, it is a packet of the media stream with the OSN restored;
    // wrapped again, the original's payload survives.
    if (auto original = unwrap_rtx(packet, h, 0x11223344, 96)) {
      auto restored = parse_rtp(original.value());
      SURGILINK_FUZZ_CHECK(restored.has_value());
      SURGILINK_FUZZ_CHECK(restored.value().ssrc == 0x11223344 && restored.value().payload_type == 96);
      SURGILINK_FUZZ_CHECK(restored.value().payload_size + 2 == h.payload_size);
      std::vector<std::uint8_t> again(original.value().size() + 2);
      SURGILINK_FUZZ_CHECK(write_rtx(again, original.value(), h.ssrc, h.payload_type, h.sequence) ==
                           again.size());
    } else {
      SURGILINK_FUZZ_CHECK(h.payload_size < 2);
    }
  }

  if (looks_like_rtcp(packet)) (void)parse_rtcp(packet);
  if (auto feedback = parse_rtcp(packet)) {
    SURGILINK_FUZZ_CHECK(size >= 4 && size % 4 == 0);
    SURGILINK_FUZZ_CHECK(feedback.value().nacked.size() <= 256);
    // What a NACK asked for, written again, reads back the same (up to the 256 kept).
    if (!feedback.value().nacked.empty()) {
      std::vector<std::uint8_t> nack(12 + 4 * 256);
      const std::size_t n = write_nack(nack, 1, feedback.value().nack_ssrc, feedback.value().nacked);
      auto again = parse_rtcp(std::span(nack).first(n));
      SURGILINK_FUZZ_CHECK(again.has_value());
      // The same set of sequence numbers (entries may be grouped differently, duplicates merged).
      const auto as_set = [](std::vector<std::uint16_t> v) {
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
        return v;
      };
      SURGILINK_FUZZ_CHECK(as_set(again.value().nacked) == as_set(feedback.value().nacked));
    }
    // A rate estimate (REMB) written again reads back within its 18-bit mantissa; a share lost (RR) stays
    // in 0..1.
    if (const auto bps = feedback.value().estimated_bps; bps && *bps > 0) {
      std::vector<std::uint8_t> remb(24);
      SURGILINK_FUZZ_CHECK(write_remb(remb, 1, *bps, 2) == 24);
      const auto again = parse_rtcp(remb).value().estimated_bps.value();
      SURGILINK_FUZZ_CHECK(again <= *bps && *bps - again <= (*bps >> 17));
    }
    if (const auto lost = feedback.value().fraction_lost) SURGILINK_FUZZ_CHECK(*lost >= 0 && *lost < 1);
  }

  // The same bytes as a parity payload (forward error correction), over packets made from the input: a
  // malformed one is refused, a packet rebuilt from it is always a well-formed RTP packet of the stream.
  {
    XorFecDecoder fec;
    if (fec.on_parity(packet)) {
      SURGILINK_FUZZ_CHECK(size >= kFecHeaderSize && packet[2] >= 1 && packet[3] >= 1);
      const std::uint16_t base = static_cast<std::uint16_t>((packet[0] << 8) | packet[1]);
      // Every packet of the block but its first, each a slice of the input.
      for (std::size_t i = 1; i < packet[2]; ++i) {
        RtpHeader h;
        h.payload_type = 96;
        h.sequence = static_cast<std::uint16_t>(base + i * packet[3]);
        h.timestamp = static_cast<std::uint32_t>(i);
        h.ssrc = 0x11223344;
        std::vector<std::uint8_t> media(kRtpFixedHeaderSize + std::min<std::size_t>(size, i * 7));
        write_rtp_header(media, h);
        std::copy_n(packet.begin(), media.size() - kRtpFixedHeaderSize, media.begin() + kRtpFixedHeaderSize);
        fec.on_media(parse_rtp(media).value(), media);
      }
      for (const auto& rebuilt : fec.recover(0x11223344)) {
        SURGILINK_FUZZ_CHECK(rebuilt.size() >= kRtpFixedHeaderSize);
        // Its marker and payload type come from the parity: a type in RTCP's range does not parse (and is
        // counted as a fault where the console rebuilds).
        if (auto h = parse_rtp(rebuilt))
          SURGILINK_FUZZ_CHECK(h.value().ssrc == 0x11223344 && h.value().sequence == base);
      }
    } else {
      SURGILINK_FUZZ_CHECK(size < kFecHeaderSize || packet[2] == 0 || packet[2] > kMaxFecBlock ||
                           packet[3] == 0 || packet[3] > kMaxFecStride || packet[5] != 0);
    }
  }

  SequenceUnwrapper unwrapper;
  std::int64_t highest = 0;
  surgilink::fuzz::FuzzInput input(data, size);
  for (bool first = true; input.remaining() >= 2; first = false) {
    const std::uint16_t sequence = input.u16();
    const std::int64_t value = unwrapper.unwrap(sequence);
    SURGILINK_FUZZ_CHECK((value & 0xffff) == sequence);
    if (!first) SURGILINK_FUZZ_CHECK(value - highest <= 32767 && highest - value <= 32768);
    if (first || value > highest) highest = value;
  }
  return 0;
}
