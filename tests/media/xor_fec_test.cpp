#include "surgilink/media/xor_fec.hpp"

#include <gtest/gtest.h>

#include <algorithm>
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

// One frame through an encoder that is told where frames begin and end: its packets and the parity made
// from them, up to and including end_frame's.
struct EncodedFrame {
  std::vector<Bytes> packets, parities;
};
EncodedFrame encode_frame(XorFecEncoder& encoder, std::uint16_t first, std::size_t count) {
  EncodedFrame frame;
  encoder.begin_frame(count);
  for (std::size_t i = 0; i < count; ++i) {
    frame.packets.push_back(
        packet(static_cast<std::uint16_t>(first + i), 90u * first, i + 1 == count, 300 + 37 * (i % 11)));
    if (auto parity = encoder.add(frame.packets.back())) frame.parities.push_back(*parity);
  }
  for (auto& parity : encoder.end_frame()) frame.parities.push_back(std::move(parity));
  return frame;
}

// Every packet of `frame` but those in `lost`, and its parity: what is rebuilt (and must equal the lost).
std::size_t rebuild_from_the_frame_alone(const EncodedFrame& frame, const std::vector<std::size_t>& lost) {
  XorFecDecoder decoder;
  for (std::size_t i = 0; i < frame.packets.size(); ++i)
    if (std::find(lost.begin(), lost.end(), i) == lost.end()) receive(decoder, frame.packets[i]);
  for (const auto& parity : frame.parities) EXPECT_TRUE(decoder.on_parity(parity));
  const auto rebuilt = decoder.recover(kSsrc);
  const auto first = (frame.packets[0][2] << 8) | frame.packets[0][3];
  for (const auto& p : rebuilt) {
    const auto index = static_cast<std::size_t>(static_cast<std::uint16_t>(((p[2] << 8) | p[3]) - first));
    EXPECT_LT(index, frame.packets.size());
    if (index < frame.packets.size()) {
      EXPECT_EQ(p, frame.packets[index]);
    }
  }
  return rebuilt.size();
}

// A frame's parity follows its own last packet: a packet lost anywhere in it is rebuilt from the frame
// alone, without the next frames' packets (a group that ran on into them would keep the frame waiting).
// 17 packets at K = 10: two interleaved blocks of 9 and 8 packets, two parity packets.
TEST(XorFecFrames, ALostPacketIsRebuiltFromItsOwnFrame) {
  XorFecEncoder encoder;
  encoder.set_block(10, 4);
  const auto frame = encode_frame(encoder, 65530, 17);  // across the sequence wrap
  ASSERT_EQ(frame.parities.size(), 2u);
  EXPECT_EQ(frame.parities[0][2], 9);  // count
  EXPECT_EQ(frame.parities[0][3], 2);  // stride
  EXPECT_EQ(frame.parities[1][2], 8);
  for (std::size_t lost = 0; lost < 17; ++lost)
    EXPECT_EQ(rebuild_from_the_frame_alone(frame, {lost}), 1u) << lost;
  EXPECT_EQ(rebuild_from_the_frame_alone(frame, {15, 16}), 2u);  // one in each block
  EXPECT_EQ(rebuild_from_the_frame_alone(frame, {14, 16}), 0u);  // two in one block: a retransmission's job
  // The next frame starts a group of its own.
  const auto next = encode_frame(encoder, static_cast<std::uint16_t>(65530 + 17), 20);
  ASSERT_EQ(next.parities.size(), 2u);
  EXPECT_EQ(rebuild_from_the_frame_alone(next, {0}), 1u);
}

// A keyframe larger than a group: whole groups as before, then its remainder ends with it. A burst of four
// lost packets anywhere is rebuilt (four interleaved blocks).
TEST(XorFecFrames, AKeyframeEndsItsLastGroupWithIt) {
  XorFecEncoder encoder;
  encoder.set_block(4, 4);
  const auto frame = encode_frame(encoder, 1000, 40);  // groups of 16, 16 and 8 packets
  EXPECT_EQ(frame.parities.size(), 12u);
  for (std::size_t burst = 0; burst + 4 <= 40; ++burst)
    EXPECT_EQ(rebuild_from_the_frame_alone(frame, {burst, burst + 1, burst + 2, burst + 3}), 4u) << burst;
}

// Frames smaller than half a block share one group, so parity costs about 1/K and not one packet per
// frame: at K = 10, frames of 3 packets get one parity per two frames, which repairs either of them.
TEST(XorFecFrames, SmallFramesShareAGroupUntilItHoldsHalfABlock) {
  XorFecEncoder encoder;
  encoder.set_block(10, 4);
  const auto a = encode_frame(encoder, 7, 3);
  EXPECT_TRUE(a.parities.empty());
  const auto b = encode_frame(encoder, 10, 3);
  ASSERT_EQ(b.parities.size(), 1u);
  EXPECT_EQ(b.parities[0][2], 6);
  EXPECT_EQ(b.parities[0][3], 1);
  EncodedFrame both{a.packets, b.parities};
  both.packets.insert(both.packets.end(), b.packets.begin(), b.packets.end());
  for (std::size_t lost = 0; lost < 6; ++lost) EXPECT_EQ(rebuild_from_the_frame_alone(both, {lost}), 1u);
  // Without frames named the encoder still makes whole blocks only (as a sender that never ends a frame).
  XorFecEncoder plain;
  plain.set_block(10, 1);
  for (std::uint16_t s = 0; s < 9; ++s) EXPECT_FALSE(plain.add(packet(s, 0, false, 10)));
  EXPECT_TRUE(plain.add(packet(9, 0, true, 10)));
}

}  // namespace
}  // namespace surgilink::media
