// The baselines' loss accounting (RtpGapWatch): gaps in a plain H.264 RTP stream's sequence numbers, counted
// by SurgiLink's own JitterBuffer rule (the frame after a gap is damaged), and the frames decoded from a
// damaged reference until the next intact keyframe.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "surgilink/media/plain_rtp_path.hpp"
#include "surgilink/media/rtp_packet.hpp"

namespace surgilink::media {
namespace {

constexpr std::uint8_t kIdrSlice = 0x65;    // NAL type 5
constexpr std::uint8_t kDeltaSlice = 0x41;  // NAL type 1
constexpr std::uint8_t kDelimiter = 0x09;   // NAL type 9, access unit delimiter
constexpr std::uint8_t kSps = 0x67;         // NAL type 7

std::vector<std::uint8_t> rtp(std::uint16_t sequence, std::uint32_t timestamp, bool marker,
                              const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> bytes(12);
  RtpHeader h;
  h.payload_type = 96;
  h.sequence = sequence;
  h.timestamp = timestamp;
  h.ssrc = 0x1234;
  h.marker = marker;
  write_rtp_header(bytes, h);
  bytes.insert(bytes.end(), payload.begin(), payload.end());
  return bytes;
}

// Packet `part` of a frame as x264 and rtph264pay make it: the first an aggregate (STAP-A) of the access unit
// delimiter (and before a keyframe the SPS), the rest fragments (FU-A) of the slice.
std::vector<std::uint8_t> packet(std::uint16_t sequence, std::uint32_t timestamp, std::uint8_t slice,
                                 int part, bool marker) {
  if (part == 0) {
    std::vector<std::uint8_t> stap{24, 0, 2, kDelimiter, 0xf0};
    if (slice == kIdrSlice) stap.insert(stap.end(), {0, 4, kSps, 0x42, 0, 0x28});
    return rtp(sequence, timestamp, marker, stap);
  }
  const auto fu_header =
      static_cast<std::uint8_t>((part == 1 ? 0x80 : 0) | (marker ? 0x40 : 0) | (slice & 0x1f));
  return rtp(sequence, timestamp, marker,
             {static_cast<std::uint8_t>(28 | (slice & 0x60)), fu_header, 1, 2, 3});
}

// Frames of `per_frame` packets from sequence `first`; `keyframe_every` frames a keyframe; `lost` are
// never delivered.
PlainRtpCounts watch(int frames, int per_frame, int keyframe_every, const std::vector<std::uint16_t>& lost,
                     std::uint16_t first = 0) {
  RtpGapWatch w;
  std::uint16_t sequence = first;
  for (int f = 0; f < frames; ++f) {
    const auto timestamp = static_cast<std::uint32_t>(3000 * f);
    for (int p = 0; p < per_frame; ++p, ++sequence) {
      if (std::find(lost.begin(), lost.end(), sequence) != lost.end()) continue;
      const bool key = f % keyframe_every == 0;
      w.on_packet(packet(sequence, timestamp, key ? kIdrSlice : kDeltaSlice, p, p == per_frame - 1));
    }
  }
  return w.counts();
}

TEST(RtpGapWatch, ALosslessStreamHasNoDamage) {
  const auto c = watch(60, 4, 30, {});
  EXPECT_EQ(c.packets, 240u);
  EXPECT_EQ(c.packets_lost, 0u);
  EXPECT_EQ(c.frames_damaged, 0u);
  EXPECT_EQ(c.frames_until_keyframe, 0u);
}

TEST(RtpGapWatch, ALostPacketDamagesItsFrameAndTheFramesUntilTheNextKeyframe) {
  // Frame 5 (packets 20..23) loses packet 21; keyframes at frames 0 and 30.
  const auto c = watch(60, 4, 30, {21});
  EXPECT_EQ(c.packets_lost, 1u);
  EXPECT_EQ(c.frames_damaged, 1u);
  EXPECT_EQ(c.frames_until_keyframe, 24u);  // frames 6..29 refer to it; frame 30 starts clean
}

TEST(RtpGapWatch, AFrameLostWholeDamagesTheNextOne) {
  // Frame 10 (packets 40..43) never arrives: the gap is seen at frame 11's first packet.
  const auto c = watch(31, 4, 30, {40, 41, 42, 43});
  EXPECT_EQ(c.packets_lost, 4u);
  EXPECT_EQ(c.frames_damaged, 1u);
  EXPECT_EQ(c.frames_until_keyframe, 18u);  // frames 12..29; frame 30 starts clean
}

TEST(RtpGapWatch, ADamagedKeyframeDoesNotEndTheDamage) {
  // A loss in frame 2, then the keyframe at frame 4 loses a packet too: the damage runs on to frame 8.
  const auto c = watch(12, 4, 4, {9, 17});
  EXPECT_EQ(c.frames_damaged, 2u);
  EXPECT_EQ(c.frames_until_keyframe, 1u + 3u);  // frame 3; frames 5..7
}

TEST(RtpGapWatch, AKeyframeIsFoundBehindTheAccessUnitDelimiter) {
  // STAP-A of delimiter and SPS: an SPS also leads an intra refresh wave (x264 --intra-refresh), which is no
  // keyframe; the IDR slice's own first fragment is what says so.
  EXPECT_FALSE(carries_h264_keyframe(packet(1, 0, kIdrSlice, 0, false)));
  EXPECT_TRUE(carries_h264_keyframe(packet(2, 0, kIdrSlice, 1, false)));  // FU-A start of the IDR slice
  // A small IDR picture aggregated whole behind its delimiter.
  EXPECT_TRUE(
      carries_h264_keyframe(rtp(6, 0, true, {24, 0, 2, kDelimiter, 0xf0, 0, 3, kIdrSlice, 0x88, 0x84})));
  EXPECT_FALSE(carries_h264_keyframe(packet(3, 0, kIdrSlice, 2, true)));  // a later fragment
  EXPECT_FALSE(carries_h264_keyframe(packet(4, 3000, kDeltaSlice, 0, false)));
  EXPECT_FALSE(carries_h264_keyframe(packet(5, 3000, kDeltaSlice, 1, true)));
}

TEST(RtpGapWatch, SequenceNumbersWrap) {
  const auto c = watch(40, 4, 30, {65535}, 65500);
  EXPECT_EQ(c.packets_lost, 1u);
  EXPECT_EQ(c.frames_damaged, 1u);
}

}  // namespace
}  // namespace surgilink::media
