#pragma once
// One direction of the emulated path, as a pure model: for each packet that enters it decides whether the
// packet is dropped (blackhole, loss, full queue) or when it leaves (queueing at the bottleneck rate, then
// delay and jitter). The relay holds the packets; this class only says when. Time is passed in by the caller
// (steady clock in the emulator, made-up instants in tests). One thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <random>

#include "link/gilbert_elliott.hpp"
#include "link/link_profile.hpp"
#include "link/link_schedule.hpp"

namespace surgilink::tools::link {

using LinkTime = std::chrono::steady_clock::time_point;

enum class Fate { deliver, blackholed, lost, queue_full };

struct Admission {
  Fate fate = Fate::deliver;
  LinkTime release{};  // when to hand the packet on (only for Fate::deliver)
};

struct DirectionCounters {
  std::uint64_t packets_in = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t blackholed = 0;
  std::uint64_t lost = 0;
  std::uint64_t queue_full = 0;
  std::uint64_t packets_out = 0;  // counted by the relay when it hands a packet on
  std::uint64_t bytes_out = 0;
  std::uint64_t send_failed = 0;  // counted by the relay when handing on failed
};

class ImpairedDirection {
 public:
  // `start` is the schedule's time zero; `seed` the random engine's seed (loss and jitter).
  ImpairedDirection(const LinkProfile& profile, Direction direction, LinkTime start, std::uint64_t seed);

  // A packet of `bytes` (IP packet size) entering at `now`; `now` never goes backwards between calls.
  Admission admit(LinkTime now, std::size_t bytes);

  // The schedule's state at `now` (rate in force, blackhole).
  LinkState state(LinkTime now) const;
  // Delay of the last packet admitted for delivery (queueing + delay + jitter).
  std::chrono::nanoseconds last_delay() const { return last_delay_; }
  // How long a packet entering at `now` would wait at the bottleneck before its delay starts.
  std::chrono::nanoseconds queue_wait(LinkTime now) const;

  DirectionCounters& counters() { return counters_; }
  const DirectionCounters& counters() const { return counters_; }
  Direction direction() const { return direction_; }

 private:
  const LinkProfile& profile_;
  const DirectionProfile& own_;
  Direction direction_;
  LinkTime start_;
  std::mt19937_64 random_;
  GilbertElliott loss_;
  // Order-keeping jitter: an offset drawn in [-jitter, +jitter] at points `jitter_step_` apart, followed
  // linearly between them; with the step at 4 × jitter the delay falls at most half as fast as time passes,
  // so no packet overtakes another and dense and sparse traffic see the same spread around the delay.
  struct JitterPoint {
    LinkTime at{};
    std::chrono::nanoseconds offset{0};
  };
  std::chrono::nanoseconds jitter_offset(LinkTime now);
  JitterPoint draw_jitter_point(LinkTime at);
  std::chrono::nanoseconds jitter_step_{0};
  JitterPoint jitter_from_, jitter_to_;
  LinkTime bottleneck_free_at_{};  // when the bottleneck has sent every packet admitted so far
  LinkTime last_release_{};
  std::chrono::nanoseconds last_delay_{0};
  DirectionCounters counters_;
};

}  // namespace surgilink::tools::link
