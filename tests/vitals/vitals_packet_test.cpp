#include "surgilink/vitals/vitals_packet.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "golden_bytes.hpp"

namespace surgilink::vitals {
namespace {

using core::Fault;
using Bytes = std::vector<std::uint8_t>;

// Capture times whose NTP-64 fraction is exact in nanoseconds, so they round-trip bit for bit.
core::CaptureTime at_ntp(std::uint32_t seconds, std::uint32_t fraction) {
  return core::from_ntp64((std::uint64_t{seconds} << 32) | fraction);
}

// The packet of tests/data/vitals_packet_v1.hex.
VitalsPacket golden_packet() {
  VitalsPacket p;
  p.numerics.push_back(make_numeric_sample(Parameter::kHr, 72.0, at_ntp(0xE8000000, 0x80000000)));
  p.numerics.push_back(make_numeric_sample(Parameter::kSpo2, std::nullopt, at_ntp(0xE8000000, 0x40000000),
                                           at_ntp(0xE8000000, 0)));
  WaveformChunk ecg;
  ecg.waveform = Waveform::kEcgII;
  ecg.unit = info(Waveform::kEcgII).unit;
  ecg.first_sample = at_ntp(0xE8000001, 0);
  ecg.sample_period = std::chrono::milliseconds{2};
  ecg.samples = {0.0f, 0.5f, 1.25f, -0.25f};
  p.waveforms.push_back(ecg);
  p.carries_alarm_state = true;
  p.alarms.push_back(ActiveAlarm{Parameter::kSpo2, AlarmCondition::kLow, 90.0, at_ntp(0xE8000000, 0)});
  return p;
}

Bytes golden_bytes() {
  return surgilink::testing::read_hex_file(std::string(SURGILINK_TEST_DATA) + "/vitals_packet_v1.hex");
}

std::error_code error_of(const core::Result<VitalsPacket>& r) { return r ? std::error_code{} : r.error(); }

TEST(VitalsPacket, EncodesToTheGoldenBytes) {
  Bytes bytes;
  encode(golden_packet(), bytes);
  EXPECT_EQ(bytes, golden_bytes()) << surgilink::testing::to_hex_lines(bytes);
  EXPECT_EQ(bytes.size(), encoded_size(golden_packet()));
}

TEST(VitalsPacket, DecodesTheGoldenBytes) {
  auto packet = decode_vitals_packet(golden_bytes());
  ASSERT_TRUE(packet) << packet.error().message();
  EXPECT_EQ(packet.value(), golden_packet());
  EXPECT_FALSE(packet.value().numerics[1].value.has_value()) << "not available must stay not available";
}

TEST(VitalsPacket, EveryTruncationIsAnErrorNotACrash) {
  const Bytes bytes = golden_bytes();
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto r = decode_vitals_packet(std::span(bytes.data(), n));
    EXPECT_FALSE(r) << "a " << n << "-byte prefix decoded";
  }
}

TEST(VitalsPacket, RefusesAnotherVersion) {
  Bytes bytes = golden_bytes();
  bytes[0] = 2;
  EXPECT_EQ(error_of(decode_vitals_packet(bytes)), core::make_error_code(Fault::kUnsupportedVersion));
}

TEST(VitalsPacket, RefusesImpossibleValues) {
  auto with = [](double hr) {
    VitalsPacket p;
    p.numerics.push_back(make_numeric_sample(Parameter::kHr, 60.0, at_ntp(0xE8000000, 0)));
    p.numerics[0].value = hr;  // bypass make_numeric_sample's own cleaning, as a hostile sender would
    Bytes bytes;
    encode(p, bytes);
    return decode_vitals_packet(bytes);
  };
  EXPECT_TRUE(with(60.0));
  EXPECT_EQ(error_of(with(std::numeric_limits<double>::quiet_NaN())),
            core::make_error_code(Fault::kMalformed));
  EXPECT_EQ(error_of(with(std::numeric_limits<double>::infinity())),
            core::make_error_code(Fault::kMalformed));
  EXPECT_EQ(error_of(with(5000.0)), core::make_error_code(Fault::kMalformed));
}

TEST(VitalsPacket, RefusesAnUnknownCodeAndTrailingBytes) {
  Bytes bytes = golden_bytes();
  // The first record's MDC code (bytes 8..11).
  Bytes unknown = bytes;
  unknown[8] = 0x7f;
  EXPECT_EQ(error_of(decode_vitals_packet(unknown)), core::make_error_code(Fault::kMalformed));
  Bytes trailing = bytes;
  trailing.push_back(0);
  EXPECT_EQ(error_of(decode_vitals_packet(trailing)), core::make_error_code(Fault::kMalformed));
}

TEST(VitalsPacket, RefusesAnOversizedWaveformRecordAndPayload) {
  VitalsPacket p;
  WaveformChunk big;
  big.first_sample = at_ntp(0xE8000000, 0);
  big.samples.assign(kMaxWaveformRecordSamples + 1, 0.0f);
  p.waveforms.push_back(big);
  Bytes bytes;
  encode(p, bytes);
  EXPECT_EQ(error_of(decode_vitals_packet(bytes)), core::make_error_code(Fault::kTooLarge));
  EXPECT_EQ(error_of(decode_vitals_packet(Bytes(kMaxVitalsPayload + 1, 0))),
            core::make_error_code(Fault::kTooLarge));
}

TEST(VitalsPacket, RefusesAZeroSamplePeriod) {
  VitalsPacket p = golden_packet();
  p.waveforms[0].sample_period = std::chrono::nanoseconds{0};
  Bytes bytes;
  encode(p, bytes);
  EXPECT_EQ(error_of(decode_vitals_packet(bytes)), core::make_error_code(Fault::kMalformed));
}

TEST(VitalsPacket, StepsOverARecordKindFromANewerSender) {
  Bytes bytes = golden_bytes();
  // Append a kind-9 record of 3 bytes and count it in the header.
  const Bytes extra = {9, 0, 0, 3, 0xaa, 0xbb, 0xcc};
  bytes.insert(bytes.end(), extra.begin(), extra.end());
  const std::uint16_t records = static_cast<std::uint16_t>(((bytes[2] << 8) | bytes[3]) + 1);
  bytes[2] = static_cast<std::uint8_t>(records >> 8);
  bytes[3] = static_cast<std::uint8_t>(records);
  auto packet = decode_vitals_packet(bytes);
  ASSERT_TRUE(packet) << packet.error().message();
  EXPECT_EQ(packet.value(), golden_packet());
}

TEST(VitalsPacket, AlarmRecordsOnlyInAPacketThatCarriesTheAlarmState) {
  Bytes bytes = golden_bytes();
  bytes[1] = 0;  // clear the flag: the alarm record is now out of place
  EXPECT_EQ(error_of(decode_vitals_packet(bytes)), core::make_error_code(Fault::kMalformed));
}

}  // namespace
}  // namespace surgilink::vitals
