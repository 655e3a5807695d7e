#include "surgilink/media/receive_rate_estimator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <vector>

namespace surgilink::media {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using Time = core::CaptureTime;

// A sender that follows the receiver's estimate (as the OR sender sets x264 to it) and one bottleneck: a
// link of `capacity` bit/s with a drop-tail queue of `queue_limit`, a fixed one-way delay, optional random
// loss. Frames at 30 fps of estimate/30 bits, in packets of at most 1200 bytes sent back to back.
struct BottleneckLink {
  ReceiveRateEstimator estimator;
  double capacity_bps;
  double sending_bps;
  nanoseconds queue_limit{milliseconds{300}};
  double loss = 0;
  std::mt19937 random{7};
  Time now{std::chrono::seconds{1'700'000'000}};
  Time link_free{};
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  std::uint64_t reports = 0;
  std::uint64_t queue_drops = 0;  // packets the full buffer dropped
  std::uint64_t packets_sent = 0, packets_dropped = 0;
  nanoseconds jitter{0};        // each packet up to this much later (uniform), in order
  double uses = 1.0;            // the share of the estimate the sender sends (an encoder undershoots)
  bool due_per_packet = false;  // asked after every packet, as the console's receiver does (else per frame)
  Time last_arrival{};

  BottleneckLink(double capacity, double start_bps) : capacity_bps(capacity), sending_bps(start_bps) {
    link_free = now;
  }

  // Runs `duration` of frames; returns the largest queueing delay seen.
  nanoseconds run(nanoseconds duration) {
    nanoseconds worst{0};
    const Time end = now + duration;
    std::uniform_real_distribution<double> coin(0, 1);
    while (now < end) {
      send_probes(now);
      std::size_t frame_bytes = static_cast<std::size_t>(sending_bps / 8 / 30);
      bool first = true;
      while (frame_bytes > 0) {
        const std::size_t bytes = std::min<std::size_t>(frame_bytes, 1200);
        frame_bytes -= bytes;
        const Time start = std::max(now, link_free);
        const nanoseconds queued = start - now;
        if (queued > queue_limit) ++queue_drops;
        const bool dropped = queued > queue_limit || coin(random) < loss;
        if (!dropped) worst = std::max(worst, queued);
        ++packets_sent;
        if (dropped) ++packets_dropped;
        if (!dropped) {
          link_free = start + nanoseconds{static_cast<std::int64_t>(bytes * 8 / capacity_bps * 1e9)};
          // (Drawn only on a jittery link: the other tests keep the loss draws they were written with.)
          const nanoseconds spread{
              jitter.count() == 0
                  ? 0
                  : static_cast<std::int64_t>(coin(random) * static_cast<double>(jitter.count()))};
          last_arrival = std::max(last_arrival, link_free + milliseconds{25} + spread);
          estimator.on_packet(sequence, timestamp, first ? std::optional<Time>(now) : std::nullopt,
                              last_arrival, bytes);
          if (due_per_packet) ask(last_arrival);
        }
        ++sequence;
        first = false;
      }
      timestamp += 3000;
      now += nanoseconds{33'333'333};
      ask(now + milliseconds{25});
    }
    return worst;
  }

  // Asks the estimator at `at`; the receiver's report reaches the sender one way later, which this model
  // leaves out: the sender follows a report at once.
  void ask(Time at) {
    if (auto estimate = estimator.due(at)) {
      sending_bps = static_cast<double>(*estimate) * uses;
      ++reports;
    }
  }

  // A probe cluster of `packets` packets of 1000 bytes paced at `padding_bps` from now, sent between the
  // video's frames through the same bottleneck by the next run().
  void probe(std::uint32_t cluster, double padding_bps, std::uint32_t packets) {
    const nanoseconds spacing{static_cast<std::int64_t>(1000 * 8 / padding_bps * 1e9)};
    for (std::uint32_t i = 0; i < packets; ++i) probes.push_back({now + spacing * i, cluster, packets});
  }
  struct ProbePacket {
    Time sent;
    std::uint32_t cluster, packets;
  };
  std::vector<ProbePacket> probes;
  // The probe packets due before `until`, each into the bottleneck at its time.
  void send_probes(Time until) {
    while (!probes.empty() && probes.front().sent < until) {
      const ProbePacket p = probes.front();
      probes.erase(probes.begin());
      const Time start = std::max(p.sent, link_free);
      link_free = start + nanoseconds{static_cast<std::int64_t>(1000 * 8 / capacity_bps * 1e9)};
      estimator.on_probe(p.cluster, p.packets, p.sent, link_free + milliseconds{25}, 1000);
    }
  }
};

TEST(ReceiveRateEstimator, NothingIsEstimatedBeforeASecondOfPackets) {
  BottleneckLink link(50e6, 4e6);
  link.run(milliseconds{900});
  EXPECT_FALSE(link.estimator.estimate_bps());
  EXPECT_EQ(link.reports, 0u);
  link.run(milliseconds{300});
  ASSERT_TRUE(link.estimator.estimate_bps());
  EXPECT_NEAR(static_cast<double>(*link.estimator.estimate_bps()), 4e6, 0.6e6);  // starts at what arrives
}

TEST(ReceiveRateEstimator, OnAWideLinkTheRateRisesAndNoQueueBuilds) {
  BottleneckLink link(100e6, 2e6);
  link.run(std::chrono::seconds{20});
  // 8 % a second: far above the start, never a decrease.
  EXPECT_GT(static_cast<double>(*link.estimator.estimate_bps()), 6e6);
  EXPECT_EQ(link.estimator.decreases(), 0u);
  EXPECT_EQ(link.estimator.usage(), LinkUsage::kNormal);
  // Reported about once a second.
  EXPECT_GE(link.reports, 18u);
  EXPECT_LE(link.reports, 22u);
}

// GCC's 8 % a second, however often the estimate is updated: the console's receiver asks after every
// packet (about 500 a second at 5 Mbit/s), and a floor of 1 kbit/s per update made it 11-16 % a second
// (bench: rural's estimate 5295 -> 5893 -> 6532 kbit/s in its first two seconds; wan 5145 -> 5966 -> 6871).
TEST(ReceiveRateEstimator, ClimbsEightPercentASecondHoweverOftenItIsAsked) {
  BottleneckLink link(100e6, 5e6);
  link.due_per_packet = true;
  link.run(milliseconds{1500});
  ASSERT_TRUE(link.estimator.estimate_bps());
  const double start = static_cast<double>(*link.estimator.estimate_bps());
  link.run(std::chrono::seconds{4});
  const double growth = static_cast<double>(*link.estimator.estimate_bps()) / start;
  EXPECT_NEAR(growth, std::pow(1.08, 4), 0.05) << "per second: " << std::pow(growth, 0.25);
  EXPECT_EQ(link.estimator.decreases(), 0u);
}

TEST(ReceiveRateEstimator, ARateAboveTheLinkIsBroughtUnderItAndTheQueueDrains) {
  BottleneckLink link(3e6, 6e6);  // rural-like: the sender starts at twice what the link carries
  link.run(std::chrono::seconds{5});
  ASSERT_TRUE(link.estimator.estimate_bps());
  EXPECT_GE(link.estimator.decreases(), 1u);
  EXPECT_LT(static_cast<double>(*link.estimator.estimate_bps()), 3e6);
  // Then it stays near the link's rate without building a standing queue.
  const nanoseconds worst = [&] {
    link.run(std::chrono::seconds{10});
    return link.run(std::chrono::seconds{20});
  }();
  const double estimate = static_cast<double>(*link.estimator.estimate_bps());
  EXPECT_GT(estimate, 0.6 * 3e6);
  EXPECT_LT(estimate, 1.1 * 3e6);
  EXPECT_LT(worst, milliseconds{250});
}

TEST(ReceiveRateEstimator, FollowsACapacityDropWithinTwoSeconds) {
  BottleneckLink link(20e6, 8e6);
  link.run(std::chrono::seconds{10});
  link.capacity_bps = 2e6;  // RFC 8867's capacity-drop step
  link.run(std::chrono::seconds{2});
  const double dropped = static_cast<double>(*link.estimator.estimate_bps());
  EXPECT_LT(dropped, 2.2e6);
  // One decrease per response time: the rate is not cut far below what the link still carries.
  link.run(std::chrono::seconds{6});
  EXPECT_GT(static_cast<double>(*link.estimator.estimate_bps()), 0.6 * 2e6);
  // The capacity comes back: the sender's probes (one a second while the estimate is under what the video
  // could use) find the room, the rate that congested the link is forgotten and the rate climbs again.
  const double before = static_cast<double>(*link.estimator.estimate_bps());
  link.capacity_bps = 20e6;
  for (std::uint32_t cluster = 1; cluster <= 8; ++cluster) {
    link.probe(cluster, static_cast<double>(*link.estimator.estimate_bps()), 10);
    link.run(std::chrono::seconds{1});
  }
  EXPECT_GT(static_cast<double>(*link.estimator.estimate_bps()), 1.5 * before);
}

// A rural link: 6 Mbit/s behind a 100-ms buffer, ± 7.5 ms of jitter, random loss (here 1.2 %, so that many
// seconds lose under 1 %, as some of rural's 2 % seconds do). Once the estimate has met the link it stays
// near that limit: it does not forget it after a second that happened to lose little and climb past the link
// at 8 % a second again, to be cut again (bench: a cut every 5-15 s, some overflowing the buffer). Five cuts
// in the 30 s before, two now.
TEST(ReceiveRateEstimator, ANarrowLossyLinksLimitIsKeptNotOverrunAgainAndAgain) {
  BottleneckLink link(6e6, 4e6);
  link.queue_limit = milliseconds{100};
  link.loss = 0.012;
  link.jitter = milliseconds{15};
  link.run(std::chrono::seconds{10});
  const auto decreases = link.estimator.decreases();
  link.run(std::chrono::seconds{30});
  EXPECT_LE(link.estimator.decreases() - decreases, 3u);
  EXPECT_GT(static_cast<double>(*link.estimator.estimate_bps()), 0.6 * 6e6);  // and it uses the link
}

// RFC 8867's capacity drop (20 → 2 Mbit/s, 300-ms queue): the queue grows two milliseconds a millisecond, and
// once it is deeper than any link's own the rate goes at once to what the link delivers (before: three
// decreases over 0.6 s, each from the last second's rate, which still remembered the old one).
TEST(ReceiveRateEstimator, ACollapsedLinkIsFollowedAtOnceToWhatItDelivers) {
  BottleneckLink link(20e6, 6e6);
  link.run(std::chrono::seconds{10});
  link.capacity_bps = 2e6;
  const auto decreases_before = link.estimator.decreases();
  nanoseconds under{0}, worst{0};
  while (under < std::chrono::seconds{3} &&
         static_cast<double>(link.estimator.estimate_bps().value_or(0)) >= 2e6) {
    worst = std::max(worst, link.run(milliseconds{20}));
    under += milliseconds{20};
  }
  std::printf("under 2 Mbit/s %.2f s after the drop, after %llu decreases; queue up to %.0f ms\n",
              std::chrono::duration<double>(under).count(),
              static_cast<unsigned long long>(link.estimator.decreases() - decreases_before),
              static_cast<double>(worst.count()) / 1e6);
  EXPECT_LE(under, milliseconds{300});
  EXPECT_LE(link.estimator.decreases() - decreases_before, 2u) << "the trend's and the queue's";
  EXPECT_GT(static_cast<double>(*link.estimator.estimate_bps()), 0.8 * 2e6) << "cut far below the link";
}

// A rural link (100-ms buffer at 6 Mbit/s, 2 % loss): its loss and its queue keep the estimate near the
// link, not far under it.
TEST(ReceiveRateEstimator, AShallowQueueIsNotTakenForACollapse) {
  BottleneckLink link(6e6, 5.5e6);
  link.queue_limit = milliseconds{100};
  link.loss = 0.02;
  link.run(std::chrono::seconds{20});
  EXPECT_LT(link.estimator.queueing_ms(), ReceiveRateEstimator::kQueueBreakMs);
  EXPECT_GT(static_cast<double>(*link.estimator.estimate_bps()), 0.6 * 6e6);
}

// The stream starts at the profile's full rate, above a narrow link that jitters (rural: 6 Mbit/s, a 100-ms
// buffer, 40 ms ± 7.5 ms): the trend sees the queue late through the jitter, and the estimate climbed on past
// the link into bursts of drops at every rural join. The standing queue cuts it first.
TEST(ReceiveRateEstimator, AStreamAboveAJitteryNarrowLinkIsCutBeforeItsBufferOverflows) {
  BottleneckLink link(6e6, 6.8e6);
  link.queue_limit = milliseconds{100};
  link.loss = 0.02;
  link.jitter = milliseconds{15};
  link.run(milliseconds{1100});
  ASSERT_TRUE(link.estimator.estimate_bps());
  EXPECT_LT(static_cast<double>(*link.estimator.estimate_bps()), 0.9 * 6e6);
  EXPECT_EQ(link.estimator.decreases(), 1u);
  // From then on the buffer does not overflow, and the estimate stays near the link.
  const auto drops = link.queue_drops;
  link.run(std::chrono::seconds{20});
  EXPECT_EQ(link.queue_drops, drops);
  EXPECT_GT(static_cast<double>(*link.estimator.estimate_bps()), 0.6 * 6e6);
}

TEST(ReceiveRateEstimator, AnOutageIsNotTakenForLossOrCongestion) {
  BottleneckLink link(50e6, 4e6);
  link.run(std::chrono::seconds{5});
  const double before = static_cast<double>(*link.estimator.estimate_bps());
  link.loss = 1.0;  // 3 s in the dark
  link.run(std::chrono::seconds{3});
  link.loss = 0;
  link.run(std::chrono::milliseconds{2500});
  EXPECT_GE(static_cast<double>(*link.estimator.estimate_bps()), 0.9 * before);
  EXPECT_EQ(link.estimator.decreases(), 0u);
}

// The console starts a recovery (recovery_ms) at the first packet after an outage: the estimator says which.
TEST(ReceiveRateEstimator, SaysWhichPacketEndedAnOutage) {
  ReceiveRateEstimator estimator;
  const core::CaptureTime t0{std::chrono::seconds{1'700'000'000}};
  estimator.on_packet(1, 0, std::nullopt, t0, 1200);
  EXPECT_FALSE(estimator.ended_outage()) << "the first packet ends nothing";
  estimator.on_packet(2, 0, std::nullopt, t0 + std::chrono::milliseconds{500}, 1200);
  EXPECT_FALSE(estimator.ended_outage()) << "half a second is a gap, not yet an outage";
  estimator.on_packet(3, 3000, std::nullopt, t0 + std::chrono::milliseconds{1001}, 1200);
  EXPECT_TRUE(estimator.ended_outage());
  estimator.on_packet(4, 3000, std::nullopt, t0 + std::chrono::milliseconds{1002}, 1200);
  EXPECT_FALSE(estimator.ended_outage());
}

TEST(ReceiveRateEstimator, HeavyLossLowersTheRateAndSomeLossHoldsIt) {
  BottleneckLink heavy(100e6, 4e6);
  heavy.loss = 0.2;
  heavy.run(std::chrono::seconds{4});
  EXPECT_NEAR(heavy.estimator.loss_fraction(), 0.2, 0.06);
  EXPECT_LT(static_cast<double>(*heavy.estimator.estimate_bps()), 3.2e6);

  BottleneckLink some(100e6, 4e6);
  some.loss = 0.07;
  some.run(std::chrono::seconds{6});
  EXPECT_NEAR(static_cast<double>(*some.estimator.estimate_bps()), 4e6, 0.5e6);  // neither up nor down
}

// An encoder that sends less than it may (x264 undershoots a small rate buffer's target) leaves the estimate
// where it is: the cap on increases above what arrives must not lower it, report by report, to nothing.
TEST(ReceiveRateEstimator, ASenderBelowItsTargetDoesNotDragTheEstimateDown) {
  BottleneckLink link(100e6, 2e6);
  link.uses = 0.5;
  link.run(std::chrono::seconds{3});
  ASSERT_TRUE(link.estimator.estimate_bps());
  const auto early = *link.estimator.estimate_bps();
  link.run(std::chrono::seconds{10});
  EXPECT_GE(*link.estimator.estimate_bps(), early);
  EXPECT_LT(*link.estimator.estimate_bps(), 2 * early);  // and not raised far above what arrives
}

// The report's raw loss is the run's, not the last second's: a lossy start followed by a clean second still
// says what the link lost.
TEST(ReceiveRateEstimator, TheRunsLossCountsEverySecondNotOnlyTheLast) {
  BottleneckLink link(100e6, 4e6);
  EXPECT_EQ(link.estimator.run_loss_fraction(), 0.0);  // nothing measured yet
  link.loss = 0.1;
  link.run(std::chrono::seconds{4});
  link.loss = 0;
  link.run(std::chrono::seconds{3});
  EXPECT_EQ(link.estimator.loss_fraction(), 0.0);
  const double lost = static_cast<double>(link.packets_dropped) / static_cast<double>(link.packets_sent);
  ASSERT_GT(lost, 0.03);
  EXPECT_NEAR(link.estimator.run_loss_fraction(), lost, 0.01);
}

// Probing (libwebrtc's probe clusters): padding on top of the video that arrives as fast as it left shows the
// link carries both, and the estimate rises to 90 % of that at once and says so; where it arrives spread out
// by a queue the link is full, and the estimate stays.
TEST(ReceiveRateEstimator, AProbeThatArrivesAsFastAsItLeftRaisesTheEstimateAtOnce) {
  BottleneckLink link(20e6, 2e6);
  link.run(milliseconds{1200});
  ASSERT_TRUE(link.estimator.estimate_bps());
  const double before = static_cast<double>(*link.estimator.estimate_bps());
  const auto reports = link.reports;
  link.probe(1, before, 10);
  link.run(milliseconds{100});  // the cluster and three frames
  EXPECT_EQ(link.estimator.probes_succeeded(), 1u);
  EXPECT_GT(static_cast<double>(*link.estimator.estimate_bps()), 1.6 * before);
  EXPECT_EQ(link.reports, reports + 1);  // reported at once, not at the next second
}

TEST(ReceiveRateEstimator, AProbeIntoAFullLinkDoesNotRaiseTheEstimate) {
  BottleneckLink link(2e6, 1.5e6);
  link.run(std::chrono::seconds{10});
  ASSERT_TRUE(link.estimator.estimate_bps());
  const double before = static_cast<double>(*link.estimator.estimate_bps());
  ASSERT_GT(before, 1.2e6);  // the video fills most of the link
  link.probe(1, before, 10);
  link.run(milliseconds{100});
  EXPECT_EQ(link.estimator.probes_failed(), 1u);
  EXPECT_EQ(link.estimator.probes_succeeded(), 0u);
  EXPECT_LE(static_cast<double>(*link.estimator.estimate_bps()), 1.05 * before);
}

TEST(ReceiveRateEstimator, StaysWithinItsBounds) {
  ReceiveRateEstimator::Settings settings;
  settings.min_bps = 500'000;
  settings.max_bps = 5'000'000;
  BottleneckLink wide(100e6, 4e6);
  wide.estimator = ReceiveRateEstimator(settings);
  wide.run(std::chrono::seconds{15});
  EXPECT_LE(*wide.estimator.estimate_bps(), 5'000'000u);
  BottleneckLink narrow(0.2e6, 1e6);
  narrow.estimator = ReceiveRateEstimator(settings);
  narrow.run(std::chrono::seconds{10});
  EXPECT_GE(*narrow.estimator.estimate_bps(), 500'000u);
}

// Issue 15: the jitter buffer sizes itself from the link's jitter. Frames sent every 33 ms whose delay
// alternates between 50 and 60 ms vary by 10 ms from one to the next: RFC 3550's estimate converges to 10.
TEST(ReceiveRateEstimator, MeasuresTheLinksJitterFromTheFramesSendTimes) {
  ReceiveRateEstimator estimator;
  Time sent{std::chrono::seconds{1'700'000'000}};
  std::uint16_t sequence = 0;
  for (int frame = 0; frame < 200; ++frame) {
    const auto delay = milliseconds{frame % 2 == 0 ? 50 : 60};
    estimator.on_packet(sequence++, static_cast<std::uint32_t>(frame * 3000), sent, sent + delay, 1200);
    sent += milliseconds{33};
  }
  EXPECT_NEAR(estimator.jitter_ms(), 10.0, 0.1);
  // A steady delay, however long, is no jitter.
  for (int frame = 200; frame < 400; ++frame) {
    estimator.on_packet(sequence++, static_cast<std::uint32_t>(frame * 3000), sent, sent + milliseconds{80},
                        1200);
    sent += milliseconds{33};
  }
  EXPECT_LT(estimator.jitter_ms(), 0.1);
}

}  // namespace
}  // namespace surgilink::media
