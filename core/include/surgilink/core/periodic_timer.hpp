#pragma once
// A repeating wait on an Asio io_context that truly ends when stopped. A plain steady_timer re-armed from its
// own handler keeps going after cancel() when its wait had already completed and its handler was queued
// (cancel() has nothing left to cancel): the handler sees success and arms again, and io_context::run()
// never returns. This is what hung the console's shutdown.

#include <chrono>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace surgilink::core {

// Calls an action every period on the io_context's thread until stopped. Used only on that thread (start,
// stop and destruction included); after stop() or destruction the action is never called again.
class PeriodicTimer {
 public:
  PeriodicTimer(boost::asio::io_context& io, std::chrono::nanoseconds period, std::function<void()> action);
  ~PeriodicTimer();
  PeriodicTimer(const PeriodicTimer&) = delete;
  PeriodicTimer& operator=(const PeriodicTimer&) = delete;

  // The first call comes one period from now. Starting a running timer restarts its period.
  void start();
  // No call after this one, even one whose time has already come; the io_context is left without its work.
  void stop();
  bool running() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace surgilink::core
