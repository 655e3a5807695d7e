#include "surgilink/session/clock_sync.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace surgilink::session {
namespace {

using core::CaptureTime;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

const CaptureTime kConsoleStart{std::chrono::seconds{1'700'000'000}};

// A ping sent at console time `sent`, with the sender's clock `offset` ahead of the console's, taking
// `outbound` to reach the sender, `processing` there and `inbound` to come back.
ClockSample ping(CaptureTime sent, nanoseconds offset, nanoseconds outbound, nanoseconds inbound,
                 nanoseconds processing = milliseconds{1}) {
  ClockSample s;
  s.t1 = sent;
  s.t2 = sent + outbound + offset;
  s.t3 = s.t2 + processing;
  s.t4 = sent + outbound + processing + inbound;
  return s;
}

TEST(ClockSample, OffsetAndRoundTripFormulas) {
  // Sender 100 ms ahead, 10 ms each way, 5 ms to answer.
  ClockSample s;
  s.t1 = kConsoleStart;
  s.t2 = kConsoleStart + milliseconds{110};
  s.t3 = kConsoleStart + milliseconds{115};
  s.t4 = kConsoleStart + milliseconds{25};
  EXPECT_EQ(s.offset(), milliseconds{100});
  EXPECT_EQ(s.round_trip(), milliseconds{20});
}

TEST(ClockSample, AsymmetricPathBiasesOffsetByHalfTheDifference) {
  // 4 ms out, 16 ms back: the estimate is off by (4 - 16) / 2 = -6 ms; that is the ±RTT/2 uncertainty.
  const ClockSample s = ping(kConsoleStart, milliseconds{-50}, milliseconds{4}, milliseconds{16});
  EXPECT_EQ(s.round_trip(), milliseconds{20});
  EXPECT_EQ(s.offset(), milliseconds{-56});
}

TEST(ClockSync, UnsyncedUntilFirstSample) {
  ClockSync sync;
  EXPECT_FALSE(sync.synced());
  EXPECT_EQ(sync.offset(), nanoseconds{0});
  EXPECT_EQ(sync.round_trip(), nanoseconds{0});
  EXPECT_EQ(sync.uncertainty(), nanoseconds{0});
  EXPECT_EQ(sync.to_local(kConsoleStart), kConsoleStart);
}

TEST(ClockSync, UsesTheSampleOffsetAndRoundTrip) {
  ClockSync sync;
  EXPECT_TRUE(sync.add(ping(kConsoleStart, milliseconds{100}, milliseconds{10}, milliseconds{10})));
  EXPECT_TRUE(sync.synced());
  EXPECT_EQ(sync.offset(), milliseconds{100});
  EXPECT_EQ(sync.round_trip(), milliseconds{20});
  EXPECT_EQ(sync.uncertainty(), milliseconds{10});
}

TEST(ClockSync, MinimumRoundTripSampleOfTheWindowWins) {
  ClockSync sync(8);
  const nanoseconds true_offset = milliseconds{250};
  // Congested pings (asymmetric queueing) give wrong offsets; the quick symmetric one is the best.
  ASSERT_TRUE(sync.add(ping(kConsoleStart, true_offset, milliseconds{40}, milliseconds{5})));
  ASSERT_TRUE(
      sync.add(ping(kConsoleStart + milliseconds{100}, true_offset, milliseconds{3}, milliseconds{3})));
  ASSERT_TRUE(
      sync.add(ping(kConsoleStart + milliseconds{200}, true_offset, milliseconds{5}, milliseconds{30})));
  EXPECT_EQ(sync.round_trip(), milliseconds{6});
  EXPECT_EQ(sync.offset(), true_offset);
  EXPECT_EQ(sync.uncertainty(), milliseconds{3});
}

TEST(ClockSync, OldBestSampleLeavesTheWindow) {
  ClockSync sync(3);
  CaptureTime t = kConsoleStart;
  ASSERT_TRUE(sync.add(ping(t, milliseconds{100}, milliseconds{1}, milliseconds{1})));  // best: RTT 2 ms
  t += milliseconds{100};
  ASSERT_TRUE(sync.add(ping(t, milliseconds{120}, milliseconds{6}, milliseconds{6})));  // RTT 12 ms
  t += milliseconds{100};
  ASSERT_TRUE(sync.add(ping(t, milliseconds{110}, milliseconds{4}, milliseconds{4})));  // RTT 8 ms
  EXPECT_EQ(sync.offset(), milliseconds{100});
  EXPECT_EQ(sync.round_trip(), milliseconds{2});

  t += milliseconds{100};
  ASSERT_TRUE(sync.add(ping(t, milliseconds{130}, milliseconds{7}, milliseconds{7})));  // RTT 14; best leaves
  EXPECT_EQ(sync.round_trip(), milliseconds{8});
  EXPECT_EQ(sync.offset(), milliseconds{110});

  t += milliseconds{100};
  ASSERT_TRUE(sync.add(ping(t, milliseconds{140}, milliseconds{9}, milliseconds{9})));  // RTT 18
  EXPECT_EQ(sync.round_trip(), milliseconds{8});  // the 8 ms sample is still inside
  t += milliseconds{100};
  ASSERT_TRUE(sync.add(ping(t, milliseconds{150}, milliseconds{8}, milliseconds{8})));  // RTT 16; 8 ms leaves
  EXPECT_EQ(sync.round_trip(), milliseconds{14});
  EXPECT_EQ(sync.offset(), milliseconds{130});
}

TEST(ClockSync, NegativeRoundTripSampleIsRejected) {
  ClockSync sync;
  ASSERT_TRUE(sync.add(ping(kConsoleStart, milliseconds{100}, milliseconds{10}, milliseconds{10})));

  // The sender claims it spent longer answering than the whole round trip took.
  ClockSample impossible;
  impossible.t1 = kConsoleStart + milliseconds{1000};
  impossible.t4 = impossible.t1 + milliseconds{5};
  impossible.t2 = impossible.t1 + milliseconds{300};
  impossible.t3 = impossible.t2 + milliseconds{10};
  ASSERT_LT(impossible.round_trip(), nanoseconds{0});
  EXPECT_FALSE(sync.add(impossible));
  EXPECT_EQ(sync.offset(), milliseconds{100});
  EXPECT_EQ(sync.round_trip(), milliseconds{20});
}

TEST(ClockSync, SamplesWithTimesGoingBackwardsAreRejected) {
  ClockSync sync;
  ClockSample reply_before_request;  // t3 < t2
  reply_before_request.t1 = kConsoleStart;
  reply_before_request.t2 = kConsoleStart + milliseconds{50};
  reply_before_request.t3 = kConsoleStart + milliseconds{40};
  reply_before_request.t4 = kConsoleStart + milliseconds{20};
  EXPECT_FALSE(sync.add(reply_before_request));

  ClockSample received_before_sent;  // t4 < t1
  received_before_sent.t1 = kConsoleStart;
  received_before_sent.t2 = kConsoleStart;
  received_before_sent.t3 = kConsoleStart - milliseconds{30};
  received_before_sent.t4 = kConsoleStart - milliseconds{20};
  EXPECT_FALSE(sync.add(received_before_sent));
  EXPECT_FALSE(sync.synced());
}

TEST(ClockSync, ZeroRoundTripSampleIsAccepted) {
  ClockSync sync;
  ClockSample instant;
  instant.t1 = kConsoleStart;
  instant.t2 = kConsoleStart + milliseconds{7};
  instant.t3 = instant.t2;
  instant.t4 = kConsoleStart;
  EXPECT_TRUE(sync.add(instant));
  EXPECT_EQ(sync.offset(), milliseconds{7});
  EXPECT_EQ(sync.round_trip(), nanoseconds{0});
}

TEST(ClockSync, ToLocalMapsSenderTimeToConsoleClock) {
  ClockSync sync;
  ASSERT_TRUE(sync.add(ping(kConsoleStart, milliseconds{100}, milliseconds{10}, milliseconds{10})));
  const CaptureTime captured_on_sender = kConsoleStart + milliseconds{5'100};
  EXPECT_EQ(sync.to_local(captured_on_sender), kConsoleStart + milliseconds{5'000});

  ClockSync behind;
  ASSERT_TRUE(behind.add(ping(kConsoleStart, milliseconds{-2'000}, milliseconds{3}, milliseconds{3})));
  EXPECT_EQ(behind.offset(), milliseconds{-2'000});
  EXPECT_EQ(behind.to_local(kConsoleStart), kConsoleStart + milliseconds{2'000});
}

}  // namespace
}  // namespace surgilink::session
