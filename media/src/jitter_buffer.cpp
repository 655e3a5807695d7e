#include "surgilink/media/jitter_buffer.hpp"

#include <algorithm>

namespace surgilink::media {

using core::Fault;

namespace {
// Four times the link's measured jitter: how late a packet reordered on the way may come.
std::chrono::nanoseconds jitter_allowance(double jitter_ms) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double, std::milli>(4 * std::max(0.0, jitter_ms)));
}
// What a retransmission's answer is given beyond its round trip: the jitter allowance, at least 10 ms.
std::chrono::nanoseconds answer_margin(double jitter_ms) {
  return std::max(jitter_allowance(jitter_ms), std::chrono::nanoseconds{std::chrono::milliseconds{10}});
}
}  // namespace

std::chrono::nanoseconds gap_wait(std::chrono::nanoseconds floor, bool retransmitted,
                                  std::optional<std::chrono::nanoseconds> round_trip, double jitter_ms,
                                  std::chrono::nanoseconds budget) {
  std::chrono::nanoseconds wanted = jitter_allowance(jitter_ms);
  if (round_trip)
    wanted = 2 * *round_trip + *round_trip / 2 + answer_margin(jitter_ms);
  else if (retransmitted)
    wanted = budget;
  return std::clamp(wanted, floor, std::max(floor, budget));
}

std::optional<std::chrono::nanoseconds> ask_again_after(std::chrono::nanoseconds round_trip, double jitter_ms,
                                                        std::chrono::nanoseconds wait) {
  const auto after = round_trip + answer_margin(jitter_ms);
  if (after + round_trip > wait) return std::nullopt;
  return after;
}

JitterBuffer::JitterBuffer(std::chrono::nanoseconds latency, std::size_t max_packets)
    : latency_(latency), max_packets_(max_packets) {}

core::Result<void> JitterBuffer::insert(ReceivedPacket packet) {
  if (next_index_ && packet.index < *next_index_) {
    ++stats_.late;
    return Fault::kLate;
  }
  if (waiting_.contains(packet.index)) {
    ++stats_.duplicates;
    return Fault::kReplayed;
  }
  if (!next_index_) next_index_ = packet.index;
  if (highest_ && packet.index > *highest_ + 1) {
    // A jump of more than a second's packets is a restart, not a loss worth asking for.
    for (std::int64_t i = *highest_ + 1; i < packet.index && missing_.size() < 128; ++i) {
      missing_.push_back(i);
      if (unanswered_.size() < kUnansweredKept) unanswered_.emplace(i, packet.arrival);
    }
  }
  if (!highest_ || packet.index > *highest_) highest_ = packet.index;
  unanswered_.erase(packet.index);
  if (packet.starts_keyframe) ++keyframes_waiting_;
  waiting_.emplace(packet.index, std::move(packet));
  return boost::outcome_v2::success();
}

void JitterBuffer::release_one(std::vector<ReceivedPacket>& out) {
  auto it = waiting_.begin();
  ReceivedPacket packet = std::move(it->second);
  waiting_.erase(it);
  if (packet.starts_keyframe) --keyframes_waiting_;
  if (damage_pending_) {
    // The lost packets belonged to this frame, or to a frame lost whole that this one refers to: either way
    // it cannot be decoded correctly. (An unfinished frame before the gap never completes downstream.)
    damaged_timestamp_ = packet.rtp_timestamp;
    damage_pending_ = false;
  }
  packet.frame_damaged = damaged_timestamp_ && *damaged_timestamp_ == packet.rtp_timestamp;
  next_index_ = packet.index + 1;
  released_timestamp_ = packet.rtp_timestamp;
  ++stats_.released;
  out.push_back(std::move(packet));
}

void JitterBuffer::release(core::CaptureTime now, std::vector<ReceivedPacket>& out) {
  while (!waiting_.empty()) {
    const auto& [index, first] = *waiting_.begin();
    if (index == *next_index_) {
      release_one(out);
      continue;
    }
    // A gap before the first waiting packet. When a keyframe starts among the waiting packets, everything
    // before it goes at once: the missing packets and the waiting ones before the keyframe belong to pictures
    // it makes needless (after an outage, the link may come back in the middle of a frame), and the keyframe
    // is whole without them.
    // A keyframe of the picture the gap may lie in is not one: rtph264pay sends an IDR's parameter sets
    // between its slices, and they start a keyframe by their bytes. The gap can hold none of the keyframe's
    // picture only if the packet right after the gap is of an older picture, or is the keyframe itself and
    // the last packet released of an older one.
    // (Searched only when one waits: the count is kept by insert and release.)
    const auto first_timestamp = first.rtp_timestamp;
    const bool first_starts_picture = !released_timestamp_ || *released_timestamp_ != first_timestamp;
    const auto keyframe =
        keyframes_waiting_ == 0
            ? waiting_.end()
            : std::find_if(waiting_.begin(), waiting_.end(), [&](const auto& entry) {
                return entry.second.starts_keyframe && (entry.second.rtp_timestamp != first_timestamp ||
                                                        (entry.first == index && first_starts_picture));
              });
    if (keyframe != waiting_.end()) {
      ++stats_.skipped_to_keyframe;
      const std::int64_t key_index = keyframe->first;
      const auto before = static_cast<std::uint64_t>(std::distance(waiting_.begin(), keyframe));
      stats_.lost += static_cast<std::uint64_t>(key_index - *next_index_) - before;
      stats_.discarded += before;
      waiting_.erase(waiting_.begin(), keyframe);  // none of these starts a keyframe
      damage_pending_ = false;
      next_index_ = key_index;
      continue;
    }
    // Otherwise give up on the gap once its first packet has waited `latency`, or at once when the buffer
    // is full.
    const bool full = waiting_.size() > max_packets_;
    if (!full && now - first.arrival < latency_) break;
    if (full) ++stats_.overflows;
    stats_.lost += static_cast<std::uint64_t>(index - *next_index_);
    damage_pending_ = true;
    next_index_ = index;
  }
}

std::vector<std::int64_t> JitterBuffer::take_missing() {
  std::vector<std::int64_t> out;
  out.swap(missing_);
  // Only those still worth asking for: not yet given up on.
  if (next_index_)
    std::erase_if(out, [this](std::int64_t i) { return i < *next_index_ || waiting_.contains(i); });
  return out;
}

std::vector<std::int64_t> JitterBuffer::take_unanswered(core::CaptureTime now,
                                                        std::chrono::nanoseconds after) {
  std::vector<std::int64_t> out;
  for (auto it = unanswered_.begin(); it != unanswered_.end();) {
    if (next_index_ && it->first < *next_index_) {
      it = unanswered_.erase(it);  // given up on
    } else if (now - it->second >= after) {
      out.push_back(it->first);
      it = unanswered_.erase(it);
    } else {
      ++it;
    }
  }
  stats_.asked_again += out.size();
  return out;
}

std::optional<core::CaptureTime> JitterBuffer::next_deadline() const {
  if (waiting_.empty()) return std::nullopt;
  return waiting_.begin()->second.arrival + latency_;
}

}  // namespace surgilink::media
