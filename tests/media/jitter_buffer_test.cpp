#include "surgilink/media/jitter_buffer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <system_error>
#include <vector>

#include "surgilink/media/rtp_packet.hpp"

namespace surgilink::media {
namespace {

using core::CaptureTime;
using core::Fault;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

constexpr milliseconds kLatency{40};
const CaptureTime kT0{std::chrono::seconds{1'700'000'000}};

template <typename T>
std::error_code error_of(const core::Result<T>& r) {
  return r.has_error() ? r.error() : std::error_code{};
}

std::error_code fault(Fault f) { return core::make_error_code(f); }

// A packet whose bytes name its index, so that a test can tell packets apart after release.
ReceivedPacket packet(std::int64_t index, std::uint32_t rtp_timestamp, CaptureTime arrival,
                      bool marker = false) {
  ReceivedPacket p;
  p.index = index;
  p.rtp_timestamp = rtp_timestamp;
  p.marker = marker;
  p.arrival = arrival;
  p.bytes = {static_cast<std::uint8_t>(index), static_cast<std::uint8_t>(index >> 8)};
  return p;
}

std::vector<std::int64_t> indices(const std::vector<ReceivedPacket>& packets) {
  std::vector<std::int64_t> out;
  for (const auto& p : packets) out.push_back(p.index);
  return out;
}

std::vector<bool> damage(const std::vector<ReceivedPacket>& packets) {
  std::vector<bool> out;
  for (const auto& p : packets) out.push_back(p.frame_damaged);
  return out;
}

// Unwraps real 16-bit sequence numbers starting just below the wrap, as the receiver does.
class JitterBufferTest : public ::testing::Test {
 protected:
  std::int64_t index_of(std::uint16_t sequence) { return unwrapper_.unwrap(sequence); }

  // Inserts the packet with 16-bit `sequence`, which must be accepted.
  void insert(std::uint16_t sequence, std::uint32_t rtp_timestamp, CaptureTime arrival) {
    const auto r = buffer_.insert(packet(index_of(sequence), rtp_timestamp, arrival));
    ASSERT_TRUE(r.has_value()) << "sequence " << sequence << ": " << r.error().message();
  }

  std::vector<ReceivedPacket> release(CaptureTime now) {
    std::vector<ReceivedPacket> out;
    buffer_.release(now, out);
    return out;
  }

  SequenceUnwrapper unwrapper_;
  JitterBuffer buffer_{kLatency, 64};
};

TEST_F(JitterBufferTest, InOrderPacketsLeaveImmediately) {
  std::uint16_t sequence = 65533;
  for (int i = 0; i < 6; ++i, ++sequence) {  // 65533 .. 65535, 0 .. 2
    const CaptureTime at = kT0 + milliseconds{i};
    insert(sequence, 3000 * static_cast<std::uint32_t>(i / 2), at);
    const auto out = release(at);  // no time passes: latency must not delay an in-order packet
    ASSERT_EQ(out.size(), 1u) << "i=" << i;
    EXPECT_EQ(out[0].index, 65533 + i);
    EXPECT_FALSE(out[0].frame_damaged);
    EXPECT_EQ(out[0].bytes, (std::vector<std::uint8_t>{static_cast<std::uint8_t>(65533 + i),
                                                       static_cast<std::uint8_t>((65533 + i) >> 8)}));
  }
  EXPECT_EQ(buffer_.stats().released, 6u);
  EXPECT_EQ(buffer_.stats().lost, 0u);
  EXPECT_FALSE(buffer_.next_deadline().has_value());
}

TEST_F(JitterBufferTest, BatchOfInOrderPacketsLeavesTogetherInOrder) {
  insert(65534, 0, kT0);
  insert(65535, 0, kT0);
  insert(0, 0, kT0);
  EXPECT_EQ(indices(release(kT0)), (std::vector<std::int64_t>{65534, 65535, 65536}));
}

TEST_F(JitterBufferTest, ReorderedPairComesOutInOrder) {
  insert(65534, 0, kT0);
  EXPECT_EQ(indices(release(kT0)), (std::vector<std::int64_t>{65534}));
  insert(0, 0, kT0 + milliseconds{1});  // 65535 overtaken across the wrap
  EXPECT_TRUE(release(kT0 + milliseconds{1}).empty());
  insert(65535, 0, kT0 + milliseconds{2});
  const auto out = release(kT0 + milliseconds{2});
  EXPECT_EQ(indices(out), (std::vector<std::int64_t>{65535, 65536}));
  EXPECT_EQ(damage(out), (std::vector<bool>{false, false}));
  EXPECT_EQ(buffer_.stats().lost, 0u);
  EXPECT_EQ(buffer_.stats().released, 3u);
}

TEST_F(JitterBufferTest, GapIsWaitedForThenSkippedAndDamageIsMarked) {
  // Frame A (ts 1000): 65533, 65534 (lost). Frame B (ts 4000): 65535, 0. Frame C (ts 7000): 1.
  insert(65533, 1000, kT0);
  ASSERT_EQ(release(kT0).size(), 1u);

  const CaptureTime arrival = kT0 + milliseconds{5};
  insert(65535, 4000, arrival);
  EXPECT_TRUE(release(arrival).empty());
  ASSERT_TRUE(buffer_.next_deadline().has_value());
  EXPECT_EQ(*buffer_.next_deadline(), arrival + kLatency);

  insert(0, 4000, arrival + milliseconds{1});
  insert(1, 7000, arrival + milliseconds{2});
  EXPECT_TRUE(release(arrival + kLatency - nanoseconds{1}).empty());  // not yet
  EXPECT_EQ(buffer_.stats().lost, 0u);

  const auto out = release(arrival + kLatency);
  EXPECT_EQ(indices(out), (std::vector<std::int64_t>{65535, 65536, 65537}));
  EXPECT_EQ(damage(out), (std::vector<bool>{true, true, false}));
  EXPECT_EQ(buffer_.stats().lost, 1u);
  EXPECT_EQ(buffer_.stats().released, 4u);
  EXPECT_FALSE(buffer_.next_deadline().has_value());

  // The damage does not stick to frames that follow.
  insert(2, 7000, arrival + milliseconds{50});
  insert(3, 10000, arrival + milliseconds{51});
  const auto later = release(arrival + milliseconds{51});
  EXPECT_EQ(indices(later), (std::vector<std::int64_t>{65538, 65539}));
  EXPECT_EQ(damage(later), (std::vector<bool>{false, false}));
}

// After an outage the first packets through follow a long gap. When one of them starts a keyframe the gap
// is not waited for: the keyframe leaves as soon as it is there, undamaged. A gap before a packet that starts
// no keyframe is still waited for (the retransmission may come).
TEST_F(JitterBufferTest, AGapBeforeAKeyframeIsSkippedAtOnceAndTheKeyframeIsWhole) {
  insert(100, 1000, kT0);
  ASSERT_EQ(release(kT0).size(), 1u);
  // Frames 101 .. 189 lost in the outage; 190 starts a keyframe, 191 ends it.
  const CaptureTime back = kT0 + milliseconds{3000};
  ReceivedPacket key = packet(index_of(190), 91000, back);
  key.starts_keyframe = true;
  ASSERT_TRUE(buffer_.insert(std::move(key)));
  insert(191, 91000, back + milliseconds{1});
  const auto out = release(back + milliseconds{1});
  EXPECT_EQ(indices(out), (std::vector<std::int64_t>{190, 191}));
  EXPECT_EQ(damage(out), (std::vector<bool>{false, false}));
  EXPECT_EQ(buffer_.stats().lost, 89u);
  EXPECT_EQ(buffer_.stats().skipped_to_keyframe, 1u);
  // The same gap before a packet of an ordinary frame waits.
  insert(193, 94000, back + milliseconds{40});
  EXPECT_TRUE(release(back + milliseconds{40}).empty());
  EXPECT_EQ(buffer_.stats().skipped_to_keyframe, 1u);
  // The link came back in the middle of a frame (193 is the end of one): the next keyframe, at 195, goes as
  // soon as it is there, and the older packets waiting before it with it, unshown.
  insert(196, 97000, back + milliseconds{41});  // (a packet after it, early)
  ReceivedPacket next_key = packet(index_of(195), 97000, back + milliseconds{42});
  next_key.starts_keyframe = true;
  ASSERT_TRUE(buffer_.insert(std::move(next_key)));
  const auto after = release(back + milliseconds{42});
  EXPECT_EQ(indices(after), (std::vector<std::int64_t>{195, 196}));
  EXPECT_EQ(damage(after), (std::vector<bool>{false, false}));
  EXPECT_EQ(buffer_.stats().discarded, 1u);   // 193
  EXPECT_EQ(buffer_.stats().lost, 89u + 2u);  // 192 and 194
}

// GStreamer's rtph264pay (1.22, aggregate-mode zero-latency) sends an IDR picture of two slices as: an
// access unit delimiter, the first slice's fragments, a STAP-A with the SPS and PPS, the second slice's
// fragments. Both the first slice and that STAP-A start a keyframe by their bytes (starts_h264_keyframe). A
// gap inside the picture is not skipped to a keyframe of the same picture: that would leave it without
// the packet the retransmission is bringing.
TEST_F(JitterBufferTest, AGapInsideAKeyframeWaitsForItsRetransmissionThoughTheParameterSetsFollow) {
  insert(10, 1000, kT0);  // the frame before
  ASSERT_EQ(release(kT0).size(), 1u);
  const auto keyframe_packet = [&](std::uint16_t sequence, CaptureTime at, bool starts_keyframe) {
    ReceivedPacket p = packet(index_of(sequence), 4000, at);
    p.starts_keyframe = starts_keyframe;
    ASSERT_TRUE(buffer_.insert(std::move(p)));
  };
  // 11 delimiter, 12 .. 15 first slice (13 lost), 16 parameter sets, 17 .. 18 second slice.
  insert(11, 4000, kT0 + milliseconds{1});
  keyframe_packet(12, kT0 + milliseconds{1}, true);
  insert(14, 4000, kT0 + milliseconds{2});
  insert(15, 4000, kT0 + milliseconds{2});
  keyframe_packet(16, kT0 + milliseconds{2}, true);
  insert(17, 4000, kT0 + milliseconds{3});
  insert(18, 4000, kT0 + milliseconds{3});
  EXPECT_EQ(indices(release(kT0 + milliseconds{3})), (std::vector<std::int64_t>{11, 12}));
  EXPECT_EQ(buffer_.stats().skipped_to_keyframe, 0u);
  EXPECT_EQ(buffer_.stats().lost, 0u);
  // The retransmission comes within the wait: the picture is whole.
  insert(13, 4000, kT0 + milliseconds{30});
  const auto out = release(kT0 + milliseconds{30});
  EXPECT_EQ(indices(out), (std::vector<std::int64_t>{13, 14, 15, 16, 17, 18}));
  EXPECT_EQ(damage(out), (std::vector<bool>(6, false)));

  // The first slice's last packet lost: the parameter sets wait right behind the gap, and still do not
  // count as a new picture (the packets before the gap were of theirs).
  insert(19, 7000, kT0 + milliseconds{33});
  ReceivedPacket first_slice = packet(index_of(20), 7000, kT0 + milliseconds{33});
  first_slice.starts_keyframe = true;
  ASSERT_TRUE(buffer_.insert(std::move(first_slice)));
  ReceivedPacket sets = packet(index_of(22), 7000, kT0 + milliseconds{34});
  sets.starts_keyframe = true;
  ASSERT_TRUE(buffer_.insert(std::move(sets)));
  EXPECT_EQ(indices(release(kT0 + milliseconds{34})), (std::vector<std::int64_t>{19, 20}));
  EXPECT_EQ(buffer_.stats().skipped_to_keyframe, 0u);
  insert(21, 7000, kT0 + milliseconds{60});
  EXPECT_EQ(indices(release(kT0 + milliseconds{60})), (std::vector<std::int64_t>{21, 22}));
  EXPECT_EQ(buffer_.stats().lost, 0u);
}

TEST_F(JitterBufferTest, SeveralLostPacketsAreCountedOnce) {
  insert(65530, 0, kT0);
  ASSERT_EQ(release(kT0).size(), 1u);
  insert(2, 9000, kT0 + milliseconds{1});  // 65531 .. 1 missing: 7 packets
  const auto out = release(kT0 + milliseconds{1} + kLatency);
  EXPECT_EQ(indices(out), (std::vector<std::int64_t>{65538}));
  EXPECT_EQ(damage(out), (std::vector<bool>{true}));
  EXPECT_EQ(buffer_.stats().lost, 7u);
}

TEST_F(JitterBufferTest, PacketArrivingAfterItsSlotWasSkippedIsLate) {
  insert(65534, 0, kT0);
  ASSERT_EQ(release(kT0).size(), 1u);
  insert(0, 3000, kT0);  // 65535 missing
  ASSERT_EQ(release(kT0 + kLatency).size(), 1u);
  ASSERT_EQ(buffer_.stats().lost, 1u);

  const auto r = buffer_.insert(packet(index_of(65535), 0, kT0 + kLatency + milliseconds{1}));
  EXPECT_EQ(error_of(r), fault(Fault::kLate));
  EXPECT_EQ(buffer_.stats().late, 1u);
  EXPECT_TRUE(release(kT0 + kLatency + milliseconds{1}).empty());
}

TEST_F(JitterBufferTest, PacketAfterItWasReleasedIsLate) {
  insert(65535, 0, kT0);
  ASSERT_EQ(release(kT0).size(), 1u);
  EXPECT_EQ(error_of(buffer_.insert(packet(65535, 0, kT0))), fault(Fault::kLate));
  EXPECT_EQ(buffer_.stats().late, 1u);
  EXPECT_EQ(buffer_.stats().duplicates, 0u);
}

TEST_F(JitterBufferTest, DuplicateWhileWaitingIsRefusedAndCounted) {
  insert(65533, 0, kT0);
  ASSERT_EQ(release(kT0).size(), 1u);
  insert(65535, 0, kT0 + milliseconds{1});  // waits for 65534
  const auto r = buffer_.insert(packet(index_of(65535), 0, kT0 + milliseconds{2}));
  EXPECT_TRUE(r.has_error());
  EXPECT_EQ(error_of(r), fault(Fault::kReplayed));
  EXPECT_EQ(buffer_.stats().duplicates, 1u);
  insert(65534, 0, kT0 + milliseconds{3});
  // Only one copy comes out.
  EXPECT_EQ(indices(release(kT0 + milliseconds{3})), (std::vector<std::int64_t>{65534, 65535}));
}

TEST(JitterBuffer, OverflowSkipsTheGapEarlyAndCountsIt) {
  JitterBuffer buffer(kLatency, 4);
  SequenceUnwrapper unwrapper;
  std::vector<ReceivedPacket> out;
  ASSERT_TRUE(buffer.insert(packet(unwrapper.unwrap(65532), 0, kT0)).has_value());
  buffer.release(kT0, out);
  ASSERT_EQ(out.size(), 1u);
  out.clear();

  // 65533 is lost; 65534 .. 1 arrive at once. Four waiting is not more than max_packets.
  for (const std::uint16_t sequence :
       {std::uint16_t{65534}, std::uint16_t{65535}, std::uint16_t{0}, std::uint16_t{1}}) {
    ASSERT_TRUE(buffer.insert(packet(unwrapper.unwrap(sequence), 3000, kT0)).has_value());
  }
  buffer.release(kT0, out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(buffer.stats().overflows, 0u);

  // A fifth makes the buffer overflow: the gap is skipped at once, long before the latency.
  ASSERT_TRUE(buffer.insert(packet(unwrapper.unwrap(2), 3000, kT0)).has_value());
  buffer.release(kT0, out);
  EXPECT_EQ(indices(out), (std::vector<std::int64_t>{65534, 65535, 65536, 65537, 65538}));
  EXPECT_EQ(damage(out), (std::vector<bool>{true, true, true, true, true}));
  EXPECT_EQ(buffer.stats().overflows, 1u);
  EXPECT_EQ(buffer.stats().lost, 1u);
  EXPECT_EQ(buffer.stats().released, 6u);
}

TEST(JitterBuffer, NextDeadlineFollowsTheLowestWaitingIndex) {
  JitterBuffer buffer(kLatency, 64);
  EXPECT_FALSE(buffer.next_deadline().has_value());
  EXPECT_EQ(buffer.latency(), kLatency);
  std::vector<ReceivedPacket> out;
  ASSERT_TRUE(buffer.insert(packet(100, 0, kT0)).has_value());
  buffer.release(kT0, out);
  EXPECT_FALSE(buffer.next_deadline().has_value());

  // 101 and 103 missing: the deadline belongs to the lowest waiting index, whatever the arrival order.
  ASSERT_TRUE(buffer.insert(packet(104, 0, kT0 + milliseconds{20})).has_value());
  ASSERT_TRUE(buffer.insert(packet(102, 0, kT0 + milliseconds{25})).has_value());
  ASSERT_TRUE(buffer.next_deadline().has_value());
  EXPECT_EQ(*buffer.next_deadline(), kT0 + milliseconds{25} + kLatency);

  // Before that nothing leaves, even though 104 has waited longer.
  buffer.release(kT0 + milliseconds{25} + kLatency - nanoseconds{1}, out);
  EXPECT_EQ(indices(out), (std::vector<std::int64_t>{100}));

  // At the deadline 101 is skipped, 102 leaves, and 104 (waited long enough too) follows at once.
  buffer.release(kT0 + milliseconds{25} + kLatency, out);
  EXPECT_EQ(indices(out), (std::vector<std::int64_t>{100, 102, 104}));
  EXPECT_EQ(buffer.stats().lost, 2u);
  EXPECT_FALSE(buffer.next_deadline().has_value());
}

TEST(JitterBuffer, SecondGapWaitsFromItsOwnPacketsArrival) {
  JitterBuffer buffer(kLatency, 64);
  std::vector<ReceivedPacket> out;
  ASSERT_TRUE(buffer.insert(packet(100, 0, kT0)).has_value());
  ASSERT_TRUE(buffer.insert(packet(102, 0, kT0)).has_value());
  ASSERT_TRUE(buffer.insert(packet(104, 0, kT0 + milliseconds{30})).has_value());
  buffer.release(kT0 + kLatency, out);
  EXPECT_EQ(indices(out), (std::vector<std::int64_t>{100, 102}));
  ASSERT_TRUE(buffer.next_deadline().has_value());
  EXPECT_EQ(*buffer.next_deadline(), kT0 + milliseconds{30} + kLatency);
  buffer.release(kT0 + milliseconds{30} + kLatency - nanoseconds{1}, out);
  EXPECT_EQ(out.size(), 2u);
  buffer.release(kT0 + milliseconds{30} + kLatency, out);
  EXPECT_EQ(indices(out), (std::vector<std::int64_t>{100, 102, 104}));
  EXPECT_EQ(buffer.stats().lost, 2u);
}

TEST(JitterBuffer, ZeroLatencySkipsGapsAtOnce) {
  JitterBuffer buffer(nanoseconds{0}, 64);
  std::vector<ReceivedPacket> out;
  ASSERT_TRUE(buffer.insert(packet(1, 0, kT0)).has_value());
  ASSERT_TRUE(buffer.insert(packet(3, 0, kT0)).has_value());
  buffer.release(kT0, out);
  EXPECT_EQ(indices(out), (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(buffer.stats().lost, 1u);
}

}  // namespace
}  // namespace surgilink::media

namespace surgilink::media {
namespace {

// Retransmission (NACK) needs the gaps named as soon as a packet beyond them arrives, once each, and a packet
// that comes back while its gap is still waited for fills it: the frame is released whole.
TEST(JitterBuffer, NamesEachGapOnceAndARetransmissionInTimeFillsIt) {
  JitterBuffer jb(kLatency, 64);
  ASSERT_TRUE(jb.insert(packet(100, 1, kT0)));
  EXPECT_TRUE(jb.take_missing().empty());
  ASSERT_TRUE(jb.insert(packet(103, 1, kT0 + milliseconds{1}, true)));
  EXPECT_EQ(jb.take_missing(), (std::vector<std::int64_t>{101, 102}));
  EXPECT_TRUE(jb.take_missing().empty()) << "named once";
  std::vector<ReceivedPacket> out;
  jb.release(kT0 + milliseconds{5}, out);
  EXPECT_EQ(indices(out), (std::vector<std::int64_t>{100}));
  // The two come back (retransmitted) before the gap's time is up.
  ASSERT_TRUE(jb.insert(packet(102, 1, kT0 + milliseconds{8})));
  ASSERT_TRUE(jb.insert(packet(101, 1, kT0 + milliseconds{9})));
  out.clear();
  jb.release(kT0 + milliseconds{9}, out);
  EXPECT_EQ(indices(out), (std::vector<std::int64_t>{101, 102, 103}));
  EXPECT_EQ(damage(out), (std::vector<bool>{false, false, false}));
  EXPECT_EQ(jb.stats().lost, 0u);
}

// A lossy link loses the NACK or the retransmission in the same burst as the packet: a packet still missing
// once its answer was due is named a second time (once), while its gap is waited for; a gap given up on is
// not.
TEST(JitterBuffer, APacketStillMissingWhenItsAnswerWasDueIsNamedOnceMore) {
  JitterBuffer jb(milliseconds{135}, 64);
  const milliseconds due{60};
  ASSERT_TRUE(jb.insert(packet(100, 1, kT0)));
  ASSERT_TRUE(jb.insert(packet(103, 1, kT0 + milliseconds{1}, true)));
  EXPECT_EQ(jb.take_missing(), (std::vector<std::int64_t>{101, 102}));
  EXPECT_TRUE(jb.take_unanswered(kT0 + milliseconds{30}, due).empty()) << "the answers are not due yet";
  ASSERT_TRUE(jb.insert(packet(101, 1, kT0 + milliseconds{52})));  // 101's retransmission came
  EXPECT_EQ(jb.take_unanswered(kT0 + milliseconds{61}, due), (std::vector<std::int64_t>{102}));
  EXPECT_TRUE(jb.take_unanswered(kT0 + milliseconds{100}, due).empty()) << "named again once";
  EXPECT_EQ(jb.stats().asked_again, 1u);
  ASSERT_TRUE(jb.insert(packet(102, 1, kT0 + milliseconds{112})));  // the second answer, in time
  std::vector<ReceivedPacket> out;
  jb.release(kT0 + milliseconds{112}, out);
  EXPECT_EQ(indices(out), (std::vector<std::int64_t>{100, 101, 102, 103}));
  EXPECT_EQ(damage(out), (std::vector<bool>(4, false)));
  // A gap given up on is not named again.
  ASSERT_TRUE(jb.insert(packet(105, 2, kT0 + milliseconds{120})));
  EXPECT_EQ(jb.take_missing(), (std::vector<std::int64_t>{104}));
  out.clear();
  jb.release(kT0 + milliseconds{255}, out);
  EXPECT_EQ(indices(out), (std::vector<std::int64_t>{105}));
  EXPECT_TRUE(jb.take_unanswered(kT0 + milliseconds{300}, due).empty());
  EXPECT_EQ(jb.stats().asked_again, 1u);
  EXPECT_EQ(jb.stats().lost, 1u);
}

TEST(JitterBuffer, GapsGivenUpOnAreNotNamedAgainAndTheListIsBounded) {
  JitterBuffer jb(kLatency, 4096);
  ASSERT_TRUE(jb.insert(packet(0, 1, kT0)));
  ASSERT_TRUE(jb.insert(packet(1000, 2, kT0)));  // a thousand missing: only the first 128 are kept
  std::vector<ReceivedPacket> out;
  jb.release(kT0 + kLatency, out);  // the gap is given up
  EXPECT_TRUE(jb.take_missing().empty()) << "nothing left worth asking for";
  ASSERT_TRUE(jb.insert(packet(1002, 2, kT0 + kLatency)));
  const auto missing = jb.take_missing();
  EXPECT_EQ(missing, (std::vector<std::int64_t>{1001}));
  ASSERT_TRUE(jb.insert(packet(2000, 3, kT0 + kLatency)));
  EXPECT_EQ(jb.take_missing().size(), 128u);
}

}  // namespace
}  // namespace surgilink::media

namespace surgilink::media {
namespace {

// The console lengthens the gap wait to a round trip and a half when the sender resends lost packets: the
// new wait applies to the gap already waiting.
TEST(JitterBuffer, ALongerWaitSetLaterHoldsTheGapUntilItsRetransmissionArrives) {
  JitterBuffer jb(milliseconds{20}, 64);
  ASSERT_TRUE(jb.insert(packet(1, 1, kT0)));
  ASSERT_TRUE(jb.insert(packet(3, 1, kT0)));
  jb.set_latency(milliseconds{85});
  std::vector<ReceivedPacket> out;
  jb.release(kT0 + milliseconds{60}, out);  // 20 ms would have given the gap up by now
  EXPECT_EQ(indices(out), (std::vector<std::int64_t>{1}));
  ASSERT_TRUE(jb.insert(packet(2, 1, kT0 + milliseconds{55})));  // the retransmission, a round trip later
  out.clear();
  jb.release(kT0 + milliseconds{60}, out);
  EXPECT_EQ(indices(out), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(jb.stats().lost, 0u);
}

// Issue 15: how long a gap is waited for follows the link: two round trips and a half for a retransmission
// asked for twice if need be, plus four times the jitter (at least 10 ms), and the whole budget until the
// round trip is measured; four times the jitter without retransmission; within the floor and the budget.
TEST(GapWait, FollowsTheRoundTripAndTheJitterWithinTheFloorAndTheBudget) {
  const milliseconds floor{20}, budget{200};
  EXPECT_EQ(gap_wait(floor, false, std::nullopt, 0.0, budget), floor) << "a quiet LAN: the configured wait";
  EXPECT_EQ(gap_wait(floor, false, std::nullopt, 7.5, budget), milliseconds{30})
      << "reordering on a jittery link";
  EXPECT_EQ(gap_wait(floor, true, milliseconds{50}, 1.0, budget), milliseconds{135})
      << "wan: 125 + at least 10";
  EXPECT_EQ(gap_wait(floor, true, milliseconds{60}, 2.5, budget), milliseconds{160}) << "150 + 4 x 2.5";
  EXPECT_EQ(gap_wait(floor, true, milliseconds{80}, 7.5, budget), budget) << "rural: 200 + 4 x 7.5, bounded";
  EXPECT_EQ(gap_wait(floor, true, milliseconds{160}, 5.0, budget), budget) << "a keyframe repairs sooner";
  EXPECT_EQ(gap_wait(floor, true, milliseconds{2}, -3.0, budget), floor) << "no negative jitter";
  EXPECT_EQ(gap_wait(milliseconds{250}, true, milliseconds{50}, 1.0, budget), milliseconds{250})
      << "a configured wait above the budget is kept";
  EXPECT_EQ(gap_wait(floor, true, std::nullopt, 1.0, budget), budget)
      << "the join: retransmitted, the round trip not yet measured";
}

// A packet is asked for again a round trip (plus the margin) after the first request, only where the second
// answer can come before its gap is given up.
TEST(AskAgainAfter, ARoundTripAndTheMarginWhereTheSecondAnswerComesInTime) {
  EXPECT_EQ(ask_again_after(milliseconds{50}, 1.0, milliseconds{135}), milliseconds{60}) << "wan, lossy";
  EXPECT_EQ(ask_again_after(milliseconds{50}, 5.0, milliseconds{145}), milliseconds{70});
  EXPECT_EQ(ask_again_after(milliseconds{80}, 7.5, milliseconds{200}), milliseconds{110})
      << "rural: the answer comes at 190 ms of the 200";
  EXPECT_EQ(ask_again_after(milliseconds{100}, 7.5, milliseconds{200}), std::nullopt)
      << "it would come at 230";
  EXPECT_EQ(ask_again_after(milliseconds{50}, 1.0, milliseconds{85}), std::nullopt)
      << "a shorter configured wait leaves no room";
}

}  // namespace
}  // namespace surgilink::media
