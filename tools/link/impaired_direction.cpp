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
      last_release_(start) {
  if (own_.jitter.count() > 0) {
    jitter_step_ = std::max(nanoseconds{std::chrono::milliseconds{1}}, 4 * nanoseconds{own_.jitter});
    jitter_from_ = draw_jitter_point(start);
    jitter_to_ = draw_jitter_point(start + jitter_step_);
  }
}

ImpairedDirection::JitterPoint ImpairedDirection::draw_jitter_point(LinkTime at) {
  const auto jitter_ns = nanoseconds{own_.jitter}.count();
  return {at, nanoseconds{std::uniform_int_distribution<std::int64_t>{-jitter_ns, jitter_ns}(random_)}};
}

nanoseconds ImpairedDirection::jitter_offset(LinkTime now) {
  if (own_.reorder) return draw_jitter_point(now).offset;  // independent per packet: may reorder
  if (now >= jitter_to_.at + jitter_step_) {
    // Idle for more than a step: start afresh at the grid point before `now`.
    const auto steps = (now - start_) / jitter_step_;
    jitter_from_ = draw_jitter_point(start_ + steps * jitter_step_);
    jitter_to_ = draw_jitter_point(jitter_from_.at + jitter_step_);
  } else if (now >= jitter_to_.at) {
    jitter_from_ = jitter_to_;
    jitter_to_ = draw_jitter_point(jitter_from_.at + jitter_step_);
  }
  // Clamped: after a rate step `now` may lie before the points a queued packet already moved them to.
  const double share = std::clamp(
      std::chrono::duration<double>(now - jitter_from_.at) / std::chrono::duration<double>(jitter_step_), 0.0,
      1.0);
  const auto span = static_cast<double>((jitter_to_.offset - jitter_from_.offset).count());
  return jitter_from_.offset + nanoseconds{std::llround(share * span)};
}

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
  // Propagation: the delay and the jitter offset at the time the packet leaves the bottleneck.
  nanoseconds delay = own_.delay;
  if (own_.jitter.count() > 0) delay += jitter_offset(sent);
  LinkTime release = sent + std::max(nanoseconds{0}, delay);
  if (!own_.reorder) release = std::max(release, last_release_);
  last_release_ = std::max(last_release_, release);
  last_delay_ = release - now;
  return {Fate::deliver, release};
}

}  // namespace surgilink::tools::link
