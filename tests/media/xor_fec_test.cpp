#include "surgilink/media/xor_fec.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace surgilink::media {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint32_t kSsrc = 0x11223344;

// A plain RTP packet as the packetizer makes it: 12-byte header, payload of `size` bytes.
Bytes packet(std::uint16_t sequence, std::uint32_t timestamp, bool marker, std::size_t size) {
  Bytes p(kRtpFixedHeaderSize + size);
  RtpHeader h;
  h.marker = marker;
  h.payload_type = 96;
  h.sequence = sequence;
  h.timestamp = timestamp;
  h.ssrc = kSsrc;
  write_rtp_header(p, h);
  for (std::size_t i = 0; i < size; ++i)
    p[kRtpFixedHeaderSize + i] = static_cast<std::uint8_t>(sequence * 7 + i);
  return p;
}

void receive(XorFecDecoder& decoder, const Bytes& p) {
  const auto header = parse_rtp(p);
  ASSERT_TRUE(header);
  decoder.on_media(header.value(), p);
}

// A block of four of different sizes and timestamps, the last with the marker (end of a frame), across
// the 16-bit sequence wrap.
std::vector<Bytes> block() {
  return {packet(0xFFFE, 9000, false, 1100), packet(0xFFFF, 9000, false, 700),
          packet(0x0000, 12000, false, 40), packet(0x0001, 12000, true, 1100)};
}

TEST(XorFec, EachLostPacketOfABlockIsRebuiltExactly) {
  for (std::size_t lost = 0; lost < 4; ++lost) {
    XorFecEncoder encoder;
    encoder.set_block(4);
    const auto packets = block();
    std::optional<Bytes> parity;
    for (const auto& p : packets) {
      EXPECT_FALSE(parity);  // only the fourth completes the block
      parity = encoder.add(p);
    }
    ASSERT_TRUE(parity);
    EXPECT_EQ(parity->size(), kFecHeaderSize + 1100);
    XorFecDecoder decoder;
    for (std::size_t i = 0; i < packets.size(); ++i)
      if (i != lost) receive(decoder, packets[i]);
    ASSERT_TRUE(decoder.on_parity(*parity));
    const auto rebuilt = decoder.recover(kSsrc);
    ASSERT_EQ(rebuilt.size(), 1u) << "lost " << lost;
    EXPECT_EQ(rebuilt[0], packets[lost]) << "lost " << lost;
    EXPECT_TRUE(decoder.recover(kSsrc).empty());  // once
    EXPECT_EQ(decoder.recovered(), 1u);
  }
}

TEST(XorFec, TwoLostWaitForOneToComeBackThenTheOtherIsRebuilt) {
  XorFecEncoder encoder;
  encoder.set_block(4);
  const auto packets = block();
  std::optional<Bytes> parity;
  for (const auto& p : packets) parity = encoder.add(p);
  XorFecDecoder decoder;
  receive(decoder, packets[0]);
  receive(decoder, packets[3]);
  ASSERT_TRUE(decoder.on_parity(*parity));
  EXPECT_TRUE(decoder.recover(kSsrc).empty());
  receive(decoder, packets[1]);  // a retransmission
  const auto rebuilt = decoder.recover(kSsrc);
  ASSERT_EQ(rebuilt.size(), 1u);
  EXPECT_EQ(rebuilt[0], packets[2]);
}

TEST(XorFec, NothingLostNothingRebuiltAndNothingKept) {
  XorFecEncoder encoder;
  encoder.set_block(2);
  XorFecDecoder decoder;
  for (std::uint16_t s = 100; s < 110; ++s) {
    const auto p = packet(s, 3000u * s, false, 500 + s);
    receive(decoder, p);
    if (auto parity = encoder.add(p)) {
      ASSERT_TRUE(decoder.on_parity(*parity));
    }
  }
  EXPECT_TRUE(decoder.recover(kSsrc).empty());
  EXPECT_EQ(decoder.recovered(), 0u);
}

TEST(XorFec, MalformedParityIsRefusedAndDamagedParityRebuildsNothing) {
  XorFecDecoder decoder;
  EXPECT_EQ(decoder.on_parity(Bytes(11, 0)).error(), make_error_code(core::Fault::kTruncated));
  Bytes zero_count(20, 0);
  EXPECT_EQ(decoder.on_parity(zero_count).error(), make_error_code(core::Fault::kMalformed));
  Bytes too_many(20, 0);
  too_many[2] = static_cast<std::uint8_t>(kMaxFecBlock + 1);
  too_many[3] = 1;
  EXPECT_EQ(decoder.on_parity(too_many).error(), make_error_code(core::Fault::kMalformed));
  Bytes wide(20, 0);
  wide[2] = 2;
  wide[3] = static_cast<std::uint8_t>(kMaxFecStride + 1);
  EXPECT_EQ(decoder.on_parity(wide).error(), make_error_code(core::Fault::kMalformed));
  // A parity whose length recovery claims more bytes than it carries: the block is not rebuilt.
  XorFecEncoder encoder;
  encoder.set_block(2);
  const auto a = packet(10, 90, false, 100), b = packet(11, 90, true, 100);
  encoder.add(a);
  auto parity = encoder.add(b).value();
  parity[6] ^= 0x40;
  receive(decoder, a);
  ASSERT_TRUE(decoder.on_parity(parity));
  EXPECT_TRUE(decoder.recover(kSsrc).empty());
}

// Interleaved blocks (SMPTE 2022-1 columns): three rows of four; a burst of four consecutive packets lost
// takes one packet from each block, and each is rebuilt. Without interleaving the same burst is beyond
// repair.
TEST(XorFec, InterleavedBlocksRebuildABurst) {
  for (const std::size_t stride : {std::size_t{4}, std::size_t{1}}) {
    XorFecEncoder encoder;
    encoder.set_block(3, stride);
    std::vector<Bytes> packets, parities;
    for (std::uint16_t s = 0; s < 12; ++s) {
      packets.push_back(
          packet(static_cast<std::uint16_t>(500 + s), 3000u * (s / 5), s % 5 == 4, 200 + 50 * s));
      if (auto parity = encoder.add(packets.back())) parities.push_back(*parity);
    }
    ASSERT_EQ(parities.size(), 4u);  // one per block either way
    XorFecDecoder decoder;
    for (std::size_t i = 0; i < packets.size(); ++i)
      if (i < 4 || i > 7) receive(decoder, packets[i]);
    for (const auto& parity : parities) ASSERT_TRUE(decoder.on_parity(parity));
    const auto rebuilt = decoder.recover(kSsrc);
    if (stride == 1) {
      // Blocks 500-502 and 509-511 were whole; 503-505 and 506-508 each lost two or more.
      EXPECT_TRUE(rebuilt.empty());
      continue;
    }
    ASSERT_EQ(rebuilt.size(), 4u);
    for (const auto& p : rebuilt) {
      const std::size_t index = static_cast<std::size_t>(((p[2] << 8) | p[3]) - 500);
      ASSERT_LT(index, packets.size());
      EXPECT_EQ(p, packets[index]) << index;
    }
  }
}

TEST(XorFec, AGapInWhatTheEncoderIsGivenStartsANewBlock) {
  XorFecEncoder encoder;
  encoder.set_block(3);
  EXPECT_FALSE(encoder.add(packet(1, 0, false, 10)));
  EXPECT_FALSE(encoder.add(packet(2, 0, false, 10)));
  EXPECT_FALSE(encoder.add(packet(4, 0, false, 10)));  // 3 never came: the block restarts at 4
  EXPECT_FALSE(encoder.add(packet(5, 0, false, 10)));
  const auto parity = encoder.add(packet(6, 0, false, 10));
  ASSERT_TRUE(parity);
  EXPECT_EQ((*parity)[0], 0);
  EXPECT_EQ((*parity)[1], 4);
  EXPECT_EQ((*parity)[2], 3);
  encoder.set_block(0);
  EXPECT_FALSE(encoder.add(packet(7, 0, false, 10)));
}

}  // namespace
}  // namespace surgilink::media
