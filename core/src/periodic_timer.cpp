#include "surgilink/core/periodic_timer.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>

namespace surgilink::core {

struct PeriodicTimer::State {
  State(boost::asio::io_context& io, std::chrono::nanoseconds p, std::function<void()> a)
      : timer(io), period(p), action(std::move(a)) {}

  boost::asio::steady_timer timer;
  std::chrono::nanoseconds period;
  std::function<void()> action;
  // Each start() and stop() begins a new generation: a handler of an older one is stale whatever its error
  // code says.
  std::uint64_t generation = 0;
  bool running = false;

  static void arm(const std::shared_ptr<State>& self) {
    self->timer.expires_after(self->period);
    // Weak: a handler still queued when the owner is destroyed finds nothing and does nothing.
    self->timer.async_wait(
        [weak = std::weak_ptr<State>(self), g = self->generation](boost::system::error_code ec) {
          const auto state = weak.lock();
          if (ec || !state || g != state->generation) return;
          state->action();
          // The action may have stopped or restarted the timer: either begins a new generation.
          if (g == state->generation) arm(state);
        });
  }
};

PeriodicTimer::PeriodicTimer(boost::asio::io_context& io, std::chrono::nanoseconds period,
                             std::function<void()> action)
    : state_(std::make_shared<State>(io, period, std::move(action))) {}

PeriodicTimer::~PeriodicTimer() { stop(); }

void PeriodicTimer::start() {
  ++state_->generation;
  state_->running = true;
  State::arm(state_);
}

void PeriodicTimer::stop() {
  ++state_->generation;
  state_->running = false;
  state_->timer.cancel();
}

bool PeriodicTimer::running() const { return state_->running; }

}  // namespace surgilink::core
