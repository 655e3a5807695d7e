#include "surgilink/vitals/vitals_packetizer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <vector>

#include "surgilink/vitals/vitals_receiver.hpp"
#include "surgilink/vitals/vitals_simulator.hpp"

namespace surgilink::vitals {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

const core::CaptureTime kStart = core::from_ntp64(std::uint64_t{0xE8000000} << 32);

// Runs the simulator through the packetizer at `tick` for `span`; `deliver(index)` says whether packet
// number `index` reaches the receiver. Returns the waveform samples the receiver put together, per waveform.
struct LinkRun {
  std::map<Waveform, std::vector<float>> sent, received;
  VitalsReceiver receiver;
  std::size_t packets = 0;
  std::size_t largest_payload = 0;
};

template <typename Deliver>
void run_link(LinkRun& run, std::chrono::milliseconds tick, std::chrono::seconds span, Deliver deliver) {
  VitalsSimulator simulator({.scenario = Scenario::kStable, .seed = 7, .start = kStart});
  VitalsPacketizer packetizer;
  for (auto now = kStart + tick; now <= kStart + span; now += tick) {
    auto batch = simulator.generate(simulator.produced_until(), now);
    for (const auto& c : batch.waveforms) {
      auto& s = run.sent[c.waveform];
      s.insert(s.end(), c.samples.begin(), c.samples.end());
    }
    packetizer.add(batch.numerics);
    packetizer.add(batch.waveforms);
    for (const auto& payload : packetizer.take_payloads(now)) {
      run.largest_payload = std::max(run.largest_payload, payload.size());
      if (!deliver(run.packets++)) continue;
      auto packet = decode_vitals_packet(payload);
      ASSERT_TRUE(packet) << packet.error().message();
      for (const auto& c : run.receiver.accept(packet.value()).waveforms) {
        auto& r = run.received[c.waveform];
        r.insert(r.end(), c.samples.begin(), c.samples.end());
      }
    }
  }
}

TEST(VitalsPacketizer, EveryPayloadFitsAndTheWaveformsArriveWhole) {
  LinkRun run;
  run_link(run, 20ms, 5s, [](std::size_t) { return true; });
  EXPECT_LE(run.largest_payload, 1100u);
  ASSERT_EQ(run.sent.size(), 4u);
  for (const auto& [waveform, samples] : run.sent) {
    EXPECT_EQ(samples.size(), 2500u) << info(waveform).short_name << ": 5 s at 500 Hz";
    EXPECT_EQ(run.received[waveform], samples) << info(waveform).short_name;
  }
  EXPECT_EQ(run.receiver.counters().waveform_samples_lost, 0u);
}

TEST(VitalsPacketizer, OneLostPacketLeavesNoGap) {
  LinkRun run;
  run_link(run, 20ms, 5s, [](std::size_t i) { return i % 3 != 1; });  // every third packet lost
  for (const auto& [waveform, samples] : run.sent) {
    EXPECT_EQ(run.received[waveform], samples) << info(waveform).short_name;
  }
  EXPECT_EQ(run.receiver.counters().waveform_samples_lost, 0u);
  EXPECT_GT(run.receiver.counters().numerics_repeated, 0u) << "the redundancy must be visible";
}

TEST(VitalsPacketizer, TwoLostInARowAreCountedAsAGap) {
  LinkRun run;
  run_link(run, 20ms, 2s, [](std::size_t i) { return i != 20 && i != 21; });
  EXPECT_GT(run.receiver.counters().waveform_samples_lost, 0u);
  for (const auto& [waveform, samples] : run.sent) {
    EXPECT_LT(run.received[waveform].size(), samples.size());
  }
}

TEST(VitalsPacketizer, LongChunksAreCutToTheLimit) {
  VitalsPacketizer packetizer;
  WaveformChunk chunk;
  chunk.first_sample = kStart;
  chunk.samples.assign(100, 1.0f);  // 200 ms at 500 Hz
  packetizer.add(std::span(&chunk, 1));
  std::size_t records = 0;
  for (const auto& payload : packetizer.take_payloads(kStart)) {
    auto packet = decode_vitals_packet(payload);
    ASSERT_TRUE(packet);
    for (const auto& c : packet.value().waveforms) {
      EXPECT_LE(c.samples.size(), 20u) << "40 ms at 2 ms a sample";
      ++records;
    }
  }
  EXPECT_EQ(records, 5u);
}

TEST(VitalsPacketizer, NumericsGoOnChangeAndAtLeastOncePerSecond) {
  VitalsPacketizer packetizer;
  const auto hr = make_numeric_sample(Parameter::kHr, 70.0, kStart);
  packetizer.add(std::span(&hr, 1));
  auto count_hr = [&](core::CaptureTime now) {
    int n = 0;
    for (const auto& payload : packetizer.take_payloads(now)) {
      auto packet = decode_vitals_packet(payload);
      EXPECT_TRUE(packet);
      if (!packet) continue;
      for (const auto& s : packet.value().numerics) n += s.parameter == Parameter::kHr;
    }
    return n;
  };
  EXPECT_EQ(count_hr(kStart), 1) << "new";
  EXPECT_EQ(count_hr(kStart + 20ms), 1) << "repeated once";
  EXPECT_EQ(count_hr(kStart + 40ms), 0) << "unchanged: quiet";
  packetizer.add(std::span(&hr, 1));
  EXPECT_EQ(count_hr(kStart + 60ms), 0) << "the same sample again is not a change";
  EXPECT_EQ(count_hr(kStart + 1000ms), 1) << "full refresh after a second";
}

TEST(VitalsReceiver, KeepsTheNewestNumericAndTheAlarmState) {
  VitalsReceiver receiver;
  VitalsPacket newer;
  newer.numerics.push_back(make_numeric_sample(Parameter::kSpo2, 91.0, kStart + 2s));
  newer.carries_alarm_state = true;
  newer.alarms.push_back(ActiveAlarm{Parameter::kSpo2, AlarmCondition::kLow, 92.0, kStart + 2s});
  auto update = receiver.accept(newer);
  EXPECT_EQ(update.numerics.size(), 1u);
  EXPECT_TRUE(update.alarms_changed);
  EXPECT_TRUE(receiver.in_alarm(Parameter::kSpo2));
  VitalsPacket older;  // reordered: an older sample arrives late and must not replace the newer one
  older.numerics.push_back(make_numeric_sample(Parameter::kSpo2, 97.0, kStart + 1s));
  EXPECT_TRUE(receiver.accept(older).numerics.empty());
  EXPECT_EQ(receiver.latest(Parameter::kSpo2)->value, 91.0);
  EXPECT_TRUE(receiver.in_alarm(Parameter::kSpo2)) << "a packet without alarm state changes no alarm";
  VitalsPacket cleared;
  cleared.carries_alarm_state = true;
  EXPECT_TRUE(receiver.accept(cleared).alarms_changed);
  EXPECT_FALSE(receiver.in_alarm(Parameter::kSpo2));
}

}  // namespace
}  // namespace surgilink::vitals
