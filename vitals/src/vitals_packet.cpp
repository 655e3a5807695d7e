#include "surgilink/vitals/vitals_packet.hpp"

#include <bit>
#include <cmath>

namespace surgilink::vitals {

namespace {

constexpr std::uint8_t kNumericRecord = 1;
constexpr std::uint8_t kWaveformRecord = 2;
constexpr std::uint8_t kAlarmRecord = 3;
constexpr std::size_t kPacketHeader = 4;
constexpr std::size_t kRecordHeader = 4;
constexpr std::size_t kNumericBody = 24;   // without the source time
constexpr std::size_t kWaveformBody = 20;  // without the samples
constexpr std::size_t kAlarmBody = 24;

void put8(std::vector<std::uint8_t>& out, std::uint8_t v) { out.push_back(v); }
void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}
void put64(std::vector<std::uint8_t>& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}
void put_record_header(std::vector<std::uint8_t>& out, std::uint8_t kind, std::size_t body) {
  put8(out, kind);
  put8(out, 0);
  put16(out, static_cast<std::uint16_t>(body));
}

// Reads big-endian fields; every read checks the remaining length.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  bool has(std::size_t n) const { return bytes_.size() - at_ >= n; }
  std::size_t remaining() const { return bytes_.size() - at_; }
  std::uint64_t get(std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | bytes_[at_++];
    return v;
  }
  void skip(std::size_t n) { at_ += n; }
  Reader sub(std::size_t n) {
    Reader r(bytes_.subspan(at_, n));
    at_ += n;
    return r;
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t at_ = 0;
};

std::optional<Waveform> waveform_from_mdc_code(std::uint32_t code) {
  for (const auto& w : all_waveforms()) {
    if (w.mdc_code == code) return w.waveform;
  }
  return std::nullopt;
}

bool plausible(Parameter p, double v) {
  const auto& i = info(p);
  return std::isfinite(v) && v >= i.min_valid && v <= i.max_valid;
}

core::Result<NumericSample> decode_numeric(Reader r, std::size_t length) {
  if (length != kNumericBody && length != kNumericBody + 8) return core::Fault::kMalformed;
  const auto code = static_cast<std::uint32_t>(r.get(4));
  const auto flags = static_cast<std::uint8_t>(r.get(1));
  r.skip(3);
  const double value = std::bit_cast<double>(r.get(8));
  const auto captured = core::from_ntp64(r.get(8));
  const bool available = (flags & 1) != 0;
  const bool has_source = (flags & 2) != 0;
  if ((flags & ~3u) != 0 || has_source != (length == kNumericBody + 8)) return core::Fault::kMalformed;
  const auto parameter = parameter_from_mdc_code(code);
  if (!parameter) return core::Fault::kMalformed;
  NumericSample s;
  s.parameter = *parameter;
  s.unit = info(*parameter).unit;
  s.captured = captured;
  if (available) {
    if (!plausible(*parameter, value)) return core::Fault::kMalformed;
    s.value = value;
  }
  if (has_source) s.source_time = core::from_ntp64(r.get(8));
  return s;
}

core::Result<WaveformChunk> decode_waveform(Reader r, std::size_t length) {
  if (length < kWaveformBody) return core::Fault::kMalformed;
  const auto code = static_cast<std::uint32_t>(r.get(4));
  const auto first = core::from_ntp64(r.get(8));
  const auto period_ns = static_cast<std::uint32_t>(r.get(4));
  const auto count = static_cast<std::size_t>(r.get(2));
  r.skip(2);
  if (count > kMaxWaveformRecordSamples) return core::Fault::kTooLarge;
  if (length != kWaveformBody + 4 * count) return core::Fault::kMalformed;
  if (period_ns == 0 || period_ns > 1'000'000'000u) return core::Fault::kMalformed;
  const auto waveform = waveform_from_mdc_code(code);
  if (!waveform) return core::Fault::kMalformed;
  WaveformChunk c;
  c.waveform = *waveform;
  c.unit = info(*waveform).unit;
  c.first_sample = first;
  c.sample_period = std::chrono::nanoseconds{period_ns};
  c.samples.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const float v = std::bit_cast<float>(static_cast<std::uint32_t>(r.get(4)));
    if (!std::isfinite(v)) return core::Fault::kMalformed;
    c.samples.push_back(v);
  }
  return c;
}

core::Result<ActiveAlarm> decode_alarm(Reader r, std::size_t length) {
  if (length != kAlarmBody) return core::Fault::kMalformed;
  const auto parameter = parameter_from_mdc_code(static_cast<std::uint32_t>(r.get(4)));
  const auto condition = r.get(1);
  r.skip(3);
  const double limit = std::bit_cast<double>(r.get(8));
  const auto since = core::from_ntp64(r.get(8));
  if (!parameter || condition > 1 || !std::isfinite(limit)) return core::Fault::kMalformed;
  return ActiveAlarm{*parameter, condition == 0 ? AlarmCondition::kLow : AlarmCondition::kHigh, limit, since};
}

}  // namespace

std::size_t encoded_size(const NumericSample& sample) {
  return kRecordHeader + kNumericBody + (sample.source_time ? 8 : 0);
}
std::size_t encoded_size(const WaveformChunk& chunk) {
  return kRecordHeader + kWaveformBody + 4 * chunk.samples.size();
}
std::size_t encoded_size(const ActiveAlarm&) { return kRecordHeader + kAlarmBody; }

std::size_t encoded_size(const VitalsPacket& packet) {
  std::size_t n = kPacketHeader;
  for (const auto& s : packet.numerics) n += encoded_size(s);
  for (const auto& c : packet.waveforms) n += encoded_size(c);
  for (const auto& a : packet.alarms) n += encoded_size(a);
  return n;
}

void encode(const VitalsPacket& packet, std::vector<std::uint8_t>& out) {
  out.reserve(out.size() + encoded_size(packet));
  put8(out, kVitalsWireVersion);
  put8(out, packet.carries_alarm_state ? 1 : 0);
  put16(out, static_cast<std::uint16_t>(packet.numerics.size() + packet.waveforms.size() +
                                        (packet.carries_alarm_state ? packet.alarms.size() : 0)));
  for (const auto& s : packet.numerics) {
    put_record_header(out, kNumericRecord, kNumericBody + (s.source_time ? 8 : 0));
    put32(out, info(s.parameter).mdc_code);
    put8(out, static_cast<std::uint8_t>((s.value ? 1 : 0) | (s.source_time ? 2 : 0)));
    put8(out, 0);
    put16(out, 0);
    put64(out, std::bit_cast<std::uint64_t>(s.value.value_or(0.0)));
    put64(out, core::to_ntp64(s.captured));
    if (s.source_time) put64(out, core::to_ntp64(*s.source_time));
  }
  for (const auto& c : packet.waveforms) {
    put_record_header(out, kWaveformRecord, kWaveformBody + 4 * c.samples.size());
    put32(out, info(c.waveform).mdc_code);
    put64(out, core::to_ntp64(c.first_sample));
    put32(out, static_cast<std::uint32_t>(c.sample_period.count()));
    put16(out, static_cast<std::uint16_t>(c.samples.size()));
    put16(out, 0);
    for (const float v : c.samples) put32(out, std::bit_cast<std::uint32_t>(v));
  }
  if (packet.carries_alarm_state) {
    for (const auto& a : packet.alarms) {
      put_record_header(out, kAlarmRecord, kAlarmBody);
      put32(out, info(a.parameter).mdc_code);
      put8(out, a.condition == AlarmCondition::kLow ? 0 : 1);
      put8(out, 0);
      put16(out, 0);
      put64(out, std::bit_cast<std::uint64_t>(a.limit));
      put64(out, core::to_ntp64(a.since));
    }
  }
}

core::Result<VitalsPacket> decode_vitals_packet(std::span<const std::uint8_t> payload) {
  if (payload.size() > kMaxVitalsPayload) return core::Fault::kTooLarge;
  Reader r(payload);
  if (!r.has(kPacketHeader)) return core::Fault::kTruncated;
  if (r.get(1) != kVitalsWireVersion) return core::Fault::kUnsupportedVersion;
  const auto flags = r.get(1);
  if ((flags & ~1u) != 0) return core::Fault::kMalformed;
  const auto records = static_cast<std::size_t>(r.get(2));
  VitalsPacket packet;
  packet.carries_alarm_state = (flags & 1) != 0;
  for (std::size_t i = 0; i < records; ++i) {
    if (!r.has(kRecordHeader)) return core::Fault::kTruncated;
    const auto kind = static_cast<std::uint8_t>(r.get(1));
    r.skip(1);
    const auto length = static_cast<std::size_t>(r.get(2));
    if (!r.has(length)) return core::Fault::kTruncated;
    Reader body = r.sub(length);
    switch (kind) {
      case kNumericRecord: {
        auto s = decode_numeric(body, length);
        if (!s) return s.error();
        packet.numerics.push_back(std::move(s).value());
        break;
      }
      case kWaveformRecord: {
        auto c = decode_waveform(body, length);
        if (!c) return c.error();
        packet.waveforms.push_back(std::move(c).value());
        break;
      }
      case kAlarmRecord: {
        if (!packet.carries_alarm_state) return core::Fault::kMalformed;
        auto a = decode_alarm(body, length);
        if (!a) return a.error();
        packet.alarms.push_back(a.value());
        break;
      }
      default:
        break;  // a kind from a newer sender: its length lets us step over it
    }
  }
  if (r.remaining() != 0) return core::Fault::kMalformed;
  return packet;
}

}  // namespace surgilink::vitals
