// libFuzzer target: SRTP/SRTCP (media/srtp_session.hpp) with a fixed key (fuzz_support.hpp), so that the
// seeds - packets protected with that key - stay valid and the fuzzer mutates real protected packets.
// Input: one mode byte, then a packet. Mode bit 0: AES-CM-128-HMAC-SHA1-80 instead of AEAD-AES-128-GCM;
// bit 1: SRTCP instead of SRTP; bit 2: the packet is plain - protect it, then unprotecting must give it back
// (RTP version 2). Otherwise the packet is unprotected as received: never a crash, a verified packet is not
// longer than what arrived, and the same packet a second time is refused as a replay.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "fuzz_support.hpp"
#include "surgilink/media/rtp_packet.hpp"
#include "surgilink/media/srtp_session.hpp"

namespace {

using namespace surgilink::media;
using surgilink::core::Fault;

std::span<const std::uint8_t> master_of(SrtpProfile profile) {
  return std::span<const std::uint8_t>(surgilink::fuzz::kFuzzSrtpMaster)
      .first(srtp_master_key_size(profile) + srtp_master_salt_size(profile));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  surgilink::fuzz::FuzzInput input(data, size);
  const std::uint8_t mode = input.byte();
  const SrtpProfile profile = (mode & 1) ? SrtpProfile::kAes128CmHmacSha1_80 : SrtpProfile::kAeadAes128Gcm;
  const bool rtcp = (mode & 2) != 0;
  const bool plain = (mode & 4) != 0;
  const auto packet = input.rest();

  // Fresh sessions per input: the replay window must not carry state from one input to the next.
  SrtpSession inbound(profile, SrtpSession::Direction::kInbound, master_of(profile));
  std::vector<std::uint8_t> buffer(packet.begin(), packet.end());
  buffer.resize(packet.size() + kSrtpMaxTrailer);
  auto unprotect = [&](std::size_t length) {
    return rtcp ? inbound.unprotect_rtcp(buffer, length) : inbound.unprotect_rtp(buffer, length);
  };

  if (plain) {
    if (packet.empty() || (packet[0] >> 6) != 2) return 0;  // only RTP version 2 is promised to survive
    SrtpSession outbound(profile, SrtpSession::Direction::kOutbound, master_of(profile));
    auto sealed =
        rtcp ? outbound.protect_rtcp(buffer, packet.size()) : outbound.protect_rtp(buffer, packet.size());
    if (!sealed) return 0;
    SURGILINK_FUZZ_CHECK(sealed.value() > packet.size() && sealed.value() <= buffer.size());
    auto back = unprotect(sealed.value());
    SURGILINK_FUZZ_CHECK(back.has_value());
    SURGILINK_FUZZ_CHECK(back.value() == packet.size());
    SURGILINK_FUZZ_CHECK(std::equal(packet.begin(), packet.end(), buffer.begin()));
    return 0;
  }

  auto opened = unprotect(packet.size());
  if (!opened) return 0;
  SURGILINK_FUZZ_CHECK(opened.value() < packet.size());
  if (!rtcp) (void)parse_rtp(std::span<const std::uint8_t>(buffer.data(), opened.value()));
  // The same bytes again: already seen.
  std::copy(packet.begin(), packet.end(), buffer.begin());
  auto again = unprotect(packet.size());
  SURGILINK_FUZZ_CHECK(!again && again.error() == Fault::kReplayed);
  return 0;
}
