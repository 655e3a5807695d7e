#include "link/impaired_direction.hpp"

#include <algorithm>
#include <cmath>

namespace surgilink::tools::link {

using std::chrono::nanoseconds;

ImpairedDirection::ImpairedDirection(const LinkProfile& profile, Direction direction, LinkTime start,
                                     std::uint64_t seed)
    : profile_(profile),
      own_(profile.direction(direction)),
      direction_(direction),
      start_(start),
      random_(seed),
      loss_(own_.loss, own_.burst),
      bottleneck_free_at_(start),
      last_release_(start) {}

LinkState ImpairedDirection::state(LinkTime now) const {
  return link_state_at(profile_, direction_, now - start_);
}

nanoseconds ImpairedDirection::queue_wait(LinkTime now) const {
  return std::max(nanoseconds{0}, bottleneck_free_at_ - now);
}

Admission ImpairedDirection::admit(LinkTime now, std::size_t bytes) {
  ++counters_.packets_in;
  counters_.bytes_in += bytes;
  const LinkState link = state(now);
  if (link.blackhole) {
    ++counters_.blackholed;
    return {Fate::blackholed, {}};
  }
  if (loss_.lose(random_)) {
    ++counters_.lost;
    return {Fate::lost, {}};
  }
  // The bottleneck: a FIFO drained at the rate in force, holding at most `queue` of sending time.
  LinkTime sent = now;
  if (link.rate_bps > 0.0) {
    const auto waiting = queue_wait(now);
    if (waiting > own_.queue) {
      ++counters_.queue_full;
      return {Fate::queue_full, {}};
    }
    const auto sending = nanoseconds{std::llround(static_cast<double>(bytes) * 8.0 / link.rate_bps * 1e9)};
    sent = std::max(now, bottleneck_free_at_) + sending;
    bottleneck_free_at_ = sent;
  }
  // Propagation: delay plus a uniform draw in [-jitter, +jitter].
  nanoseconds delay = own_.delay;
  if (own_.jitter.count() > 0) {
    const auto jitter_ns = std::chrono::duration_cast<nanoseconds>(own_.jitter).count();
    delay += nanoseconds{std::uniform_int_distribution<std::int64_t>{-jitter_ns, jitter_ns}(random_)};
  }
  LinkTime release = sent + std::max(nanoseconds{0}, delay);
  if (!own_.reorder) release = std::max(release, last_release_);
  last_release_ = std::max(last_release_, release);
  last_delay_ = release - now;
  return {Fate::deliver, release};
}

}  // namespace surgilink::tools::link
