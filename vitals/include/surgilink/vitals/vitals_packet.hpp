#pragma once
// The payload of one vitals RTP packet on the realtime channel (wire format version 1): numerics, waveform
// chunks and the sender's alarm state, all stamped on the sender's capture clock.
//
// Layout (big-endian), golden bytes in tests/data/vitals_packet_v1.hex:
//   u8 version (1) | u8 flags (bit 0: the packet carries the complete alarm state) | u16 record count
//   each record: u8 kind | u8 reserved (0) | u16 body length | body
//   kind 1 numeric:  u32 MDC code | u8 flags (bit 0 available, bit 1 source time present) | 3 x u8 0 |
//                    f64 value (canonical unit; 0 when not available) | u64 capture NTP-64 | [u64 source
//                    NTP-64]
//   kind 2 waveform: u32 MDC code | u64 first-sample capture NTP-64 | u32 sample period ns | u16 count |
//                    u16 reserved (0) | count x f32 sample (canonical unit)
//   kind 3 alarm:    u32 MDC code | u8 condition (0 low, 1 high) | 3 x u8 0 | f64 limit | u64 since NTP-64
// Records of an unknown kind are skipped (a newer sender may add kinds); everything else is validated.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "surgilink/core/fault.hpp"
#include "surgilink/vitals/alarm_monitor.hpp"
#include "surgilink/vitals/numeric_sample.hpp"
#include "surgilink/vitals/waveform_chunk.hpp"

namespace surgilink::vitals {

inline constexpr std::uint8_t kVitalsWireVersion = 1;
// RTP payload type of the vitals stream (dynamic range) and its RTP clock (the timestamp is informative:
// every record carries its own NTP-64 capture time).
inline constexpr int kVitalsPayloadType = 100;
inline constexpr std::uint32_t kVitalsClockRate = 1000;
// Limits a receiver enforces: a waveform record of more samples, or a payload of more bytes, is refused.
inline constexpr std::size_t kMaxWaveformRecordSamples = 1000;
inline constexpr std::size_t kMaxVitalsPayload = 1400;

// What one packet carries. Plain value type; any thread.
struct VitalsPacket {
  std::vector<NumericSample> numerics;
  std::vector<WaveformChunk> waveforms;
  bool carries_alarm_state = false;  // when true, `alarms` is every alarm active at the sender (maybe none)
  std::vector<ActiveAlarm> alarms;

  bool operator==(const VitalsPacket&) const = default;
};

// Encoded size of a packet, without encoding it. Any thread.
std::size_t encoded_size(const VitalsPacket& packet);
std::size_t encoded_size(const NumericSample& sample);
std::size_t encoded_size(const WaveformChunk& chunk);
std::size_t encoded_size(const ActiveAlarm& alarm);

// Any thread. Appends to `out`.
void encode(const VitalsPacket& packet, std::vector<std::uint8_t>& out);

// Parses and validates one payload: kUnsupportedVersion, kTruncated (shorter than a length says),
// kTooLarge (over the limits above), kMalformed (unknown MDC code, non-finite value, value outside the
// parameter's plausible range, period of zero or over 1 s, trailing bytes). Never throws. Any thread.
core::Result<VitalsPacket> decode_vitals_packet(std::span<const std::uint8_t> payload);

}  // namespace surgilink::vitals
