#pragma once
// Reorders received RTP packets by sequence number. In-order packets pass at once; a gap is waited for at
// most `latency` and then skipped, so one lost packet never stalls the picture. A gap followed (anywhere
// among the waiting packets) by a keyframe's first packet is skipped at once, with the older pictures'
// packets before the keyframe: nothing before a keyframe is needed to show it (after an outage the picture
// comes back with the first keyframe through, not a gap wait later).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/fault.hpp"

namespace surgilink::media {

// One plain (already unprotected) RTP packet and when it arrived.
struct ReceivedPacket {
  std::int64_t index = 0;  // unwrapped sequence number
  std::uint32_t rtp_timestamp = 0;
  bool marker = false;
  bool starts_keyframe = false;  // the first packet of an H.264 keyframe (starts_h264_keyframe)
  core::CaptureTime arrival{};
  std::vector<std::uint8_t> bytes;
  bool frame_damaged = false;  // set on release: a packet of this frame (or the one before it) was lost
};

// Counters of a jitter buffer.
struct JitterBufferStats {
  std::uint64_t released = 0;
  std::uint64_t lost = 0;                 // sequence numbers given up on
  std::uint64_t late = 0;                 // arrived after their slot was released or skipped
  std::uint64_t duplicates = 0;           // same sequence number twice while waiting
  std::uint64_t overflows = 0;            // gaps skipped early because the buffer was full
  std::uint64_t skipped_to_keyframe = 0;  // gaps skipped at once because a keyframe starts after them
  std::uint64_t discarded = 0;    // waiting packets of older pictures dropped with such a gap (not shown)
  std::uint64_t asked_again = 0;  // missing packets named a second time (take_unanswered)
};

// How long a gap is worth waiting for on a link. With retransmission and its `round_trip` known: the NACK
// leaves when the next packet arrives and its answer comes a round trip later; if the request or the answer
// is lost (a lossy link loses them in bursts with the video), the packet is asked for again
// (ask_again_after) and that answer comes a round trip after. So two round trips and a half plus four times
// the measured jitter (at least 10 ms). With retransmission (`retransmitted`) before the
// round trip is known (a console's first clock pings): the whole budget, so that the join's keyframe is
// repaired rather than shown broken (a retransmission that comes ends the wait). Without: four times the
// jitter, for packets reordered on the way. Never less than `floor` (the configured jitter_latency_ms), never
// more than `budget`: beyond it the picture would be held too long for guidance, and a keyframe is the
// better repair.
std::chrono::nanoseconds gap_wait(std::chrono::nanoseconds floor, bool retransmitted,
                                  std::optional<std::chrono::nanoseconds> round_trip, double jitter_ms,
                                  std::chrono::nanoseconds budget);

// When a packet asked for and still missing is asked for again: a round trip after the first request plus
// the margin gap_wait gives (four times the jitter, at least 10 ms). nullopt when that second answer could
// not come before the gap is given up (`wait`).
std::optional<std::chrono::nanoseconds> ask_again_after(std::chrono::nanoseconds round_trip, double jitter_ms,
                                                        std::chrono::nanoseconds wait);

// Not thread-safe: owned by the network thread. `now` is passed in so tests can drive time.
class JitterBuffer {
 public:
  JitterBuffer(std::chrono::nanoseconds latency, std::size_t max_packets);

  // Takes a packet; refuses one that is late or a duplicate (the caller counts the fault).
  core::Result<void> insert(ReceivedPacket packet);
  // Appends to `out` every packet that may leave at `now`, in sequence order.
  void release(core::CaptureTime now, std::vector<ReceivedPacket>& out);
  // Sequence numbers found missing since the last call (a packet arrived beyond a gap), oldest first: the
  // ones worth asking for again (NACK). At most 128 are kept between calls.
  std::vector<std::int64_t> take_missing();
  // Sequence numbers named by take_missing `after` or longer before `now` that are still missing and not yet
  // given up on: their request or its answer was lost. Each is returned once (counted in asked_again).
  std::vector<std::int64_t> take_unanswered(core::CaptureTime now, std::chrono::nanoseconds after);
  // When release() should next be called if nothing else arrives (a gap will expire then).
  std::optional<core::CaptureTime> next_deadline() const;

  const JitterBufferStats& stats() const { return stats_; }
  std::chrono::nanoseconds latency() const { return latency_; }
  // How long a gap is waited for from now on (packets in order are never held).
  void set_latency(std::chrono::nanoseconds latency) { latency_ = latency; }

 private:
  void release_one(std::vector<ReceivedPacket>& out);
  static constexpr std::size_t kUnansweredKept = 256;

  std::chrono::nanoseconds latency_;
  std::size_t max_packets_;
  std::map<std::int64_t, ReceivedPacket> waiting_;
  std::optional<std::int64_t> next_index_;
  std::optional<std::int64_t> highest_;                   // the highest index inserted
  std::vector<std::int64_t> missing_;                     // found since the last take_missing()
  std::map<std::int64_t, core::CaptureTime> unanswered_;  // found missing (when), not yet asked again
  std::size_t keyframes_waiting_ = 0;                     // waiting packets that start a keyframe
  bool damage_pending_ = false;  // a gap was skipped: the next released frame is damaged
  std::optional<std::uint32_t> damaged_timestamp_;
  std::optional<std::uint32_t> released_timestamp_;  // of the last packet released
  JitterBufferStats stats_;
};

}  // namespace surgilink::media
