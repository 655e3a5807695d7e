#include "surgilink/media/srtp_session.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "surgilink/media/rtp_packet.hpp"

namespace surgilink::media {
namespace {

using core::Fault;
using Bytes = std::vector<std::uint8_t>;
using Direction = SrtpSession::Direction;

template <typename T>
std::error_code error_of(const core::Result<T>& r) {
  return r.has_error() ? r.error() : std::error_code{};
}

std::error_code fault(Fault f) { return core::make_error_code(f); }

// The faults a damaged or short packet from the network may produce.
auto is_input_fault() {
  return ::testing::AnyOf(::testing::Eq(fault(Fault::kTruncated)), ::testing::Eq(fault(Fault::kMalformed)),
                          ::testing::Eq(fault(Fault::kAuthenticationFailed)));
}

// key || salt of the right size for `profile`, filled from `seed`.
Bytes master_key(SrtpProfile profile, std::uint8_t seed) {
  Bytes key(srtp_master_key_size(profile) + srtp_master_salt_size(profile));
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(seed + 7 * i);
  return key;
}

// A plain RTP packet (PT 96, SSRC 0x11223344) with `payload_size` bytes of payload.
Bytes rtp_packet(std::uint16_t sequence, std::size_t payload_size) {
  Bytes packet = {
      0x80,
      0x60,
      static_cast<std::uint8_t>(sequence >> 8),
      static_cast<std::uint8_t>(sequence),
      0x00,
      0x01,
      0x5F,
      0x90,  // timestamp 90000
      0x11,
      0x22,
      0x33,
      0x44,  // SSRC
  };
  for (std::size_t i = 0; i < payload_size; ++i)
    packet.push_back(static_cast<std::uint8_t>(i * 13 + sequence));
  return packet;
}

// Tag (and SRTCP index) bytes each profile adds.
std::size_t rtp_overhead(SrtpProfile p) { return p == SrtpProfile::kAeadAes128Gcm ? 16 : 10; }
std::size_t rtcp_overhead(SrtpProfile p) { return (p == SrtpProfile::kAeadAes128Gcm ? 16 : 10) + 4; }

class SrtpSessionTest : public ::testing::TestWithParam<SrtpProfile> {
 protected:
  SrtpProfile profile() const { return GetParam(); }

  // Protects `plain` with `sender`; returns the protected bytes (exactly the protected length).
  Bytes protect(SrtpSession& sender, const Bytes& plain) {
    Bytes buffer(plain);
    buffer.resize(plain.size() + kSrtpMaxTrailer);
    const auto r = sender.protect_rtp(buffer, plain.size());
    EXPECT_TRUE(r.has_value()) << r.error().message();
    buffer.resize(r.has_value() ? r.value() : 0);
    return buffer;
  }
  Bytes protect_rtcp(SrtpSession& sender, const Bytes& plain) {
    Bytes buffer(plain);
    buffer.resize(plain.size() + kSrtpMaxTrailer);
    const auto r = sender.protect_rtcp(buffer, plain.size());
    EXPECT_TRUE(r.has_value()) << r.error().message();
    buffer.resize(r.has_value() ? r.value() : 0);
    return buffer;
  }

  Bytes key_ = master_key(GetParam(), 0x21);
  SrtpSession outbound_{GetParam(), Direction::kOutbound, key_};
  SrtpSession inbound_{GetParam(), Direction::kInbound, key_};
};

TEST_P(SrtpSessionTest, ProtectThenUnprotectGivesOriginalBytes) {
  const Bytes plain = rtp_packet(1000, 200);
  const Bytes secured = protect(outbound_, plain);
  ASSERT_EQ(secured.size(), plain.size() + rtp_overhead(profile()));
  // The header stays readable, the payload does not.
  EXPECT_EQ(Bytes(secured.begin(), secured.begin() + 12), Bytes(plain.begin(), plain.begin() + 12));
  EXPECT_NE(Bytes(secured.begin() + 12, secured.begin() + 212), Bytes(plain.begin() + 12, plain.end()));

  Bytes received = secured;
  const auto r = inbound_.unprotect_rtp(received, received.size());
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ASSERT_EQ(r.value(), plain.size());
  received.resize(r.value());
  EXPECT_EQ(received, plain);
  EXPECT_EQ(inbound_.profile(), profile());
}

TEST_P(SrtpSessionTest, SeveralPacketsIncludingReorderedOnesRoundTrip) {
  std::vector<Bytes> plain;
  std::vector<Bytes> secured;
  for (std::uint16_t seq = 65533; seq != 4; ++seq) {  // across the sequence number wrap
    plain.push_back(rtp_packet(seq, 50 + seq % 7));
    secured.push_back(protect(outbound_, plain.back()));
  }
  ASSERT_EQ(plain.size(), 7u);
  for (const std::size_t i : {0u, 2u, 1u, 3u, 5u, 4u, 6u}) {
    Bytes received = secured[i];
    const auto r = inbound_.unprotect_rtp(received, received.size());
    ASSERT_TRUE(r.has_value()) << "packet " << i << ": " << r.error().message();
    received.resize(r.value());
    EXPECT_EQ(received, plain[i]) << "packet " << i;
  }
}

TEST_P(SrtpSessionTest, FlippedPayloadByteFailsAuthentication) {
  Bytes received = protect(outbound_, rtp_packet(1, 64));
  received[12 + 10] ^= 0x01;
  EXPECT_EQ(error_of(inbound_.unprotect_rtp(received, received.size())), fault(Fault::kAuthenticationFailed));
}

TEST_P(SrtpSessionTest, FlippedTagByteFailsAuthentication) {
  Bytes received = protect(outbound_, rtp_packet(1, 64));
  received.back() ^= 0x80;
  EXPECT_EQ(error_of(inbound_.unprotect_rtp(received, received.size())), fault(Fault::kAuthenticationFailed));
}

TEST_P(SrtpSessionTest, FlippedHeaderByteFailsAuthentication) {
  Bytes received = protect(outbound_, rtp_packet(1, 64));
  received[7] ^= 0x04;  // timestamp: authenticated, not encrypted
  EXPECT_EQ(error_of(inbound_.unprotect_rtp(received, received.size())), fault(Fault::kAuthenticationFailed));
}

TEST_P(SrtpSessionTest, TamperedPacketDoesNotBlockTheGenuineOne) {
  const Bytes secured = protect(outbound_, rtp_packet(5, 64));
  Bytes tampered = secured;
  tampered[20] ^= 0xFF;
  EXPECT_EQ(error_of(inbound_.unprotect_rtp(tampered, tampered.size())), fault(Fault::kAuthenticationFailed));
  Bytes genuine = secured;
  const auto r = inbound_.unprotect_rtp(genuine, genuine.size());
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r.value(), 12u + 64u);
}

TEST_P(SrtpSessionTest, SamePacketTwiceIsReplayed) {
  const Bytes secured = protect(outbound_, rtp_packet(42, 32));
  Bytes first = secured;
  ASSERT_TRUE(inbound_.unprotect_rtp(first, first.size()).has_value());
  Bytes second = secured;
  EXPECT_EQ(error_of(inbound_.unprotect_rtp(second, second.size())), fault(Fault::kReplayed));
}

TEST_P(SrtpSessionTest, DifferentKeyFailsAuthentication) {
  SrtpSession stranger(profile(), Direction::kInbound, master_key(profile(), 0x99));
  Bytes received = protect(outbound_, rtp_packet(1, 64));
  EXPECT_EQ(error_of(stranger.unprotect_rtp(received, received.size())), fault(Fault::kAuthenticationFailed));
}

TEST_P(SrtpSessionTest, TruncatedPacketIsAnError) {
  const Bytes secured = protect(outbound_, rtp_packet(3, 64));
  for (std::size_t length = 0; length < 12; ++length) {
    Bytes received(secured.begin(), secured.begin() + static_cast<std::ptrdiff_t>(length));
    received.resize(12);  // the buffer is large enough; `length` says how much of it is the packet
    EXPECT_EQ(error_of(inbound_.unprotect_rtp(received, length)), fault(Fault::kTruncated))
        << "length " << length;
  }
  for (std::size_t length = 12; length < secured.size(); ++length) {
    Bytes received(secured.begin(), secured.begin() + static_cast<std::ptrdiff_t>(length));
    const auto r = inbound_.unprotect_rtp(received, received.size());
    ASSERT_TRUE(r.has_error()) << "length " << length << " unprotected to " << r.value();
    // A short packet is the input's fault, never Fault::kInternal ("not the input's fault").
    EXPECT_THAT(r.error(), is_input_fault()) << "length " << length << ": " << r.error().message();
  }
  // The packet itself is still accepted afterwards: nothing above was mistaken for it.
  Bytes whole = secured;
  EXPECT_TRUE(inbound_.unprotect_rtp(whole, whole.size()).has_value());
}

TEST_P(SrtpSessionTest, TruncatedRtcpIsAnInputFault) {
  Bytes pli(12);
  ASSERT_EQ(write_pli(pli, 1, 2), 12u);
  const Bytes secured = protect_rtcp(outbound_, pli);
  for (std::size_t length = 0; length < 8; ++length) {
    Bytes received(secured.begin(), secured.begin() + static_cast<std::ptrdiff_t>(length));
    received.resize(8);
    EXPECT_EQ(error_of(inbound_.unprotect_rtcp(received, length)), fault(Fault::kTruncated))
        << "length " << length;
  }
  for (std::size_t length = 8; length < secured.size(); ++length) {
    Bytes received(secured.begin(), secured.begin() + static_cast<std::ptrdiff_t>(length));
    const auto r = inbound_.unprotect_rtcp(received, received.size());
    ASSERT_TRUE(r.has_error()) << "length " << length << " unprotected to " << r.value();
    EXPECT_THAT(r.error(), is_input_fault()) << "length " << length << ": " << r.error().message();
  }
  Bytes whole = secured;
  EXPECT_TRUE(inbound_.unprotect_rtcp(whole, whole.size()).has_value());
}

TEST_P(SrtpSessionTest, ShortPlainPacketIsNotProtected) {
  Bytes buffer(11 + kSrtpMaxTrailer);
  EXPECT_EQ(error_of(outbound_.protect_rtp(buffer, 11)), fault(Fault::kTruncated));
  EXPECT_EQ(error_of(outbound_.protect_rtcp(buffer, 7)), fault(Fault::kTruncated));
}

TEST_P(SrtpSessionTest, BufferWithoutTrailerRoomIsTooLarge) {
  const Bytes plain = rtp_packet(9, 40);
  Bytes exact = plain;
  EXPECT_EQ(error_of(outbound_.protect_rtp(exact, exact.size())), fault(Fault::kTooLarge));
  EXPECT_EQ(exact, plain);  // untouched
  Bytes almost = plain;
  almost.resize(plain.size() + kSrtpMaxTrailer - 1);
  EXPECT_EQ(error_of(outbound_.protect_rtp(almost, plain.size())), fault(Fault::kTooLarge));
  Bytes too_long = plain;
  EXPECT_EQ(error_of(outbound_.protect_rtp(too_long, plain.size() + 1)), fault(Fault::kTooLarge));

  Bytes enough = plain;
  enough.resize(plain.size() + kSrtpMaxTrailer);
  const auto r = outbound_.protect_rtp(enough, plain.size());
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r.value(), plain.size() + rtp_overhead(profile()));
}

TEST_P(SrtpSessionTest, RtcpBufferWithoutTrailerRoomIsTooLarge) {
  Bytes pli(12);
  ASSERT_EQ(write_pli(pli, 1, 2), 12u);
  EXPECT_EQ(error_of(outbound_.protect_rtcp(pli, pli.size())), fault(Fault::kTooLarge));
}

TEST_P(SrtpSessionTest, LengthBeyondTheBufferIsRejectedWithoutReadingIt) {
  // An empty view into valid memory: the session must not look at byte 0, which is not part of the
  // buffer (and is deliberately not an RTP version byte), but refuse the length.
  std::array<std::uint8_t, 64> memory{};
  const std::span<std::uint8_t> empty = std::span<std::uint8_t>(memory).subspan(0, 0);
  EXPECT_EQ(error_of(inbound_.unprotect_rtp(empty, 40)), fault(Fault::kTooLarge));
  EXPECT_EQ(error_of(inbound_.unprotect_rtcp(empty, 40)), fault(Fault::kTooLarge));
  // With the version byte inside the buffer, the size check alone decides.
  Bytes small = rtp_packet(1, 4);
  EXPECT_EQ(error_of(inbound_.unprotect_rtp(small, small.size() + 1)), fault(Fault::kTooLarge));
}

TEST_P(SrtpSessionTest, NonRtpInputToUnprotectIsRejected) {
  Bytes received = protect(outbound_, rtp_packet(1, 16));
  received[0] = 0x40;  // version 1
  EXPECT_EQ(error_of(inbound_.unprotect_rtp(received, received.size())), fault(Fault::kNotRtp));
  EXPECT_EQ(error_of(inbound_.unprotect_rtcp(received, received.size())), fault(Fault::kNotRtp));
}

TEST_P(SrtpSessionTest, RtcpPliRoundTrip) {
  Bytes pli(12);
  ASSERT_EQ(write_pli(pli, 0xAABBCCDDu, 0x11223344u), 12u);
  const Bytes secured = protect_rtcp(outbound_, pli);
  ASSERT_EQ(secured.size(), pli.size() + rtcp_overhead(profile()));

  Bytes received = secured;
  const auto r = inbound_.unprotect_rtcp(received, received.size());
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ASSERT_EQ(r.value(), pli.size());
  received.resize(r.value());
  EXPECT_EQ(received, pli);
  const auto feedback = parse_rtcp(received);
  ASSERT_TRUE(feedback.has_value()) << feedback.error().message();
  EXPECT_TRUE(feedback.value().picture_loss);

  Bytes again = secured;
  EXPECT_EQ(error_of(inbound_.unprotect_rtcp(again, again.size())), fault(Fault::kReplayed));
}

TEST_P(SrtpSessionTest, TamperedRtcpFailsAuthentication) {
  Bytes pli(12);
  ASSERT_EQ(write_pli(pli, 1, 2), 12u);
  Bytes received = protect_rtcp(outbound_, pli);
  received[9] ^= 0x01;
  EXPECT_EQ(error_of(inbound_.unprotect_rtcp(received, received.size())),
            fault(Fault::kAuthenticationFailed));
  Bytes short_rtcp(8);
  EXPECT_EQ(error_of(inbound_.unprotect_rtcp(short_rtcp, 7)), fault(Fault::kTruncated));
}

TEST_P(SrtpSessionTest, WrongKeySizeThrows) {
  const std::size_t right = srtp_master_key_size(profile()) + srtp_master_salt_size(profile());
  for (const std::size_t size : {std::size_t{0}, right - 1, right + 1, std::size_t{16}}) {
    const Bytes key(size, 0x42);
    EXPECT_THROW(SrtpSession(profile(), Direction::kOutbound, key), std::runtime_error) << "size " << size;
    EXPECT_THROW(SrtpSession(profile(), Direction::kInbound, key), std::runtime_error) << "size " << size;
  }
}

std::string profile_test_name(const ::testing::TestParamInfo<SrtpProfile>& param_info) {
  return param_info.param == SrtpProfile::kAeadAes128Gcm ? "AeadAes128Gcm" : "Aes128CmHmacSha1_80";
}

INSTANTIATE_TEST_SUITE_P(BothProfiles, SrtpSessionTest,
                         ::testing::Values(SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAes128CmHmacSha1_80),
                         profile_test_name);

TEST(SrtpProfile, KeyAndSaltSizes) {
  EXPECT_EQ(srtp_master_key_size(SrtpProfile::kAeadAes128Gcm), 16u);
  EXPECT_EQ(srtp_master_salt_size(SrtpProfile::kAeadAes128Gcm), 12u);
  EXPECT_EQ(srtp_master_key_size(SrtpProfile::kAes128CmHmacSha1_80), 16u);
  EXPECT_EQ(srtp_master_salt_size(SrtpProfile::kAes128CmHmacSha1_80), 14u);
}

TEST(SrtpProfile, NamesRoundTrip) {
  EXPECT_STREQ(srtp_profile_name(SrtpProfile::kAeadAes128Gcm), "AEAD_AES_128_GCM");
  EXPECT_STREQ(srtp_profile_name(SrtpProfile::kAes128CmHmacSha1_80), "AES_CM_128_HMAC_SHA1_80");
  EXPECT_EQ(parse_srtp_profile("AEAD_AES_128_GCM"), SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(parse_srtp_profile("AES_CM_128_HMAC_SHA1_80"), SrtpProfile::kAes128CmHmacSha1_80);
}

TEST(SrtpProfile, UnknownNameThrowsInvalidArgument) {
  EXPECT_THROW(parse_srtp_profile("aead_aes_128_gcm"), std::invalid_argument);
  EXPECT_THROW(parse_srtp_profile("AES_CM_128_HMAC_SHA1_32"), std::invalid_argument);
  EXPECT_THROW(parse_srtp_profile(""), std::invalid_argument);
}

TEST(SrtpProfile, ProfilesDoNotInteroperate) {
  // Same key bytes (GCM needs 28, AES-CM 30: use a 30-byte key and its 28-byte prefix).
  const Bytes key = master_key(SrtpProfile::kAes128CmHmacSha1_80, 0x05);
  const Bytes gcm_key(key.begin(), key.begin() + 28);
  SrtpSession sender(SrtpProfile::kAes128CmHmacSha1_80, Direction::kOutbound, key);
  SrtpSession receiver(SrtpProfile::kAeadAes128Gcm, Direction::kInbound, gcm_key);
  Bytes buffer = rtp_packet(7, 64);
  const std::size_t plain_size = buffer.size();
  buffer.resize(plain_size + kSrtpMaxTrailer);
  const auto protected_size = sender.protect_rtp(buffer, plain_size);
  ASSERT_TRUE(protected_size.has_value());
  EXPECT_TRUE(receiver.unprotect_rtp(buffer, protected_size.value()).has_error());
}

}  // namespace
}  // namespace surgilink::media
