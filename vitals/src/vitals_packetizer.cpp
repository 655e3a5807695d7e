#include "surgilink/vitals/vitals_packetizer.hpp"

#include <algorithm>

namespace surgilink::vitals {

VitalsPacketizer::VitalsPacketizer(VitalsPacketizerSettings settings) : settings_(settings) {}

void VitalsPacketizer::add(std::span<const NumericSample> numerics) {
  for (const auto& s : numerics) {
    auto& latest = latest_[static_cast<std::size_t>(s.parameter)];
    if (latest && (*latest == s || latest->captured > s.captured)) continue;
    latest = s;
    new_numerics_.push_back(s);
  }
}

void VitalsPacketizer::add(std::span<const WaveformChunk> waveforms) {
  for (const auto& chunk : waveforms) {
    if (chunk.samples.empty() || chunk.sample_period.count() <= 0) continue;
    // Split so that no record spans more than max_chunk: a lost packet then costs at most that much.
    const auto per_record = static_cast<std::size_t>(
        std::max<std::int64_t>(1, std::chrono::nanoseconds{settings_.max_chunk} / chunk.sample_period));
    for (std::size_t first = 0; first < chunk.samples.size(); first += per_record) {
      const std::size_t n = std::min(per_record, chunk.samples.size() - first);
      WaveformChunk part;
      part.waveform = chunk.waveform;
      part.unit = chunk.unit;
      part.sample_period = chunk.sample_period;
      part.first_sample = chunk.time_of(first);
      part.samples.assign(chunk.samples.begin() + static_cast<std::ptrdiff_t>(first),
                          chunk.samples.begin() + static_cast<std::ptrdiff_t>(first + n));
      new_chunks_.push_back(std::move(part));
    }
  }
}

void VitalsPacketizer::set_alarms(std::vector<ActiveAlarm> alarms) {
  if (alarms == alarms_) return;
  alarms_ = std::move(alarms);
  alarms_changed_ = true;
}

std::vector<std::vector<std::uint8_t>> VitalsPacketizer::take_payloads(core::CaptureTime now) {
  const bool refresh = !last_full_refresh_ || now - *last_full_refresh_ >= settings_.full_refresh;
  std::vector<NumericSample> numerics = new_numerics_;
  auto carried = [&numerics](const NumericSample& s) {
    return std::any_of(numerics.begin(), numerics.end(), [&s](const NumericSample& n) {
      return n.parameter == s.parameter && n.captured == s.captured;
    });
  };
  for (const auto& s : previous_numerics_) {
    if (!carried(s)) numerics.push_back(s);
  }
  if (refresh) {
    for (const auto& latest : latest_) {
      if (latest && !carried(*latest)) numerics.push_back(*latest);
    }
    last_full_refresh_ = now;
  }
  std::vector<WaveformChunk> chunks = previous_chunks_;
  chunks.insert(chunks.end(), new_chunks_.begin(), new_chunks_.end());
  const bool send_alarms = alarms_changed_ || refresh;
  if (numerics.empty() && chunks.empty() && !send_alarms) return {};

  // Greedy packing in order: alarm state first (it must be whole, so it goes in one packet), then numerics,
  // then waveform chunks oldest first.
  std::vector<std::vector<std::uint8_t>> payloads;
  VitalsPacket packet;
  packet.carries_alarm_state = send_alarms;
  if (send_alarms) packet.alarms = alarms_;
  auto flush = [&] {
    std::vector<std::uint8_t> bytes;
    encode(packet, bytes);
    payloads.push_back(std::move(bytes));
    packet = VitalsPacket{};
  };
  auto fits = [&](std::size_t extra) { return encoded_size(packet) + extra <= settings_.max_payload; };
  auto is_empty = [&] {
    return packet.numerics.empty() && packet.waveforms.empty() && packet.alarms.empty();
  };
  for (const auto& s : numerics) {
    if (!fits(encoded_size(s)) && !is_empty()) flush();
    packet.numerics.push_back(s);
  }
  for (const auto& c : chunks) {
    if (!fits(encoded_size(c)) && !is_empty()) flush();
    packet.waveforms.push_back(c);
  }
  if (!is_empty() || packet.carries_alarm_state) flush();

  alarms_changed_ = false;
  previous_numerics_ = std::move(new_numerics_);
  previous_chunks_ = std::move(new_chunks_);
  new_numerics_.clear();
  new_chunks_.clear();
  return payloads;
}

}  // namespace surgilink::vitals
