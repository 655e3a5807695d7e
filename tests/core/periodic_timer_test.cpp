#include "surgilink/core/periodic_timer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>

namespace surgilink::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// Two timers due at once complete in the same pass of the reactor, so whichever runs second has its handler
// already queued, with success, when the first one's action (`on_call`) stops or destroys it. Runs them.
struct TwoDueTimers {
  explicit TwoDueTimers(const std::function<void(TwoDueTimers&, int)>& on_call) {
    for (int i = 0; i < 2; ++i) {
      timers[i] = std::make_unique<PeriodicTimer>(io, nanoseconds{0}, [this, i, on_call] {
        ++calls[i];
        on_call(*this, i);
      });
    }
    timers[0]->start();
    timers[1]->start();
    // run_for only bounds a broken timer.
    io.run_for(std::chrono::seconds{2});
  }
  boost::asio::io_context io;
  std::array<int, 2> calls{};
  std::array<std::unique_ptr<PeriodicTimer>, 2> timers;
};

TEST(PeriodicTimer, CallsItsActionEachPeriodUntilTheActionStopsIt) {
  boost::asio::io_context io;
  int calls = 0;
  std::unique_ptr<PeriodicTimer> timer;
  timer = std::make_unique<PeriodicTimer>(io, milliseconds{1}, [&] {
    if (++calls == 5) timer->stop();
  });
  timer->start();
  EXPECT_TRUE(timer->running());
  // run_for only bounds a broken timer; a working one leaves the io_context without work after its fifth
  // call.
  io.run_for(std::chrono::seconds{10});
  EXPECT_EQ(calls, 5);
  EXPECT_FALSE(timer->running());
  EXPECT_TRUE(io.stopped()) << "the io_context still had work after the timer stopped";
}

// The console's shutdown: its stop handler ran between a due tick and that tick's handler, and the tick armed
// itself again for ever.
TEST(PeriodicTimer, StoppingATimerWhoseTimeHasAlreadyComeCallsItNoMore) {
  TwoDueTimers due([](TwoDueTimers& t, int i) {
    t.timers[i]->stop();
    t.timers[1 - i]->stop();
  });
  EXPECT_EQ(due.calls[0] + due.calls[1], 1) << "a stopped timer's queued tick still ran";
  EXPECT_TRUE(due.io.stopped()) << "the io_context still had work after both timers stopped";
}

TEST(PeriodicTimer, DestroyingATimerWhoseTimeHasAlreadyComeCallsItNoMore) {
  TwoDueTimers due([](TwoDueTimers& t, int i) {
    // Destroys the other timer, whose handler is queued: it must not reach the freed state.
    t.timers[1 - i].reset();
    t.timers[i]->stop();
  });
  EXPECT_EQ(due.calls[0] + due.calls[1], 1);
  EXPECT_TRUE(due.io.stopped());
}

TEST(PeriodicTimer, AStoppedTimerStartsAgain) {
  boost::asio::io_context io;
  int calls = 0;
  std::unique_ptr<PeriodicTimer> timer;
  timer = std::make_unique<PeriodicTimer>(io, milliseconds{1}, [&] {
    ++calls;
    timer->stop();
  });
  timer->start();
  timer->stop();
  io.run_for(std::chrono::seconds{2});
  EXPECT_EQ(calls, 0) << "stopped before its first period";
  io.restart();
  timer->start();
  io.run_for(std::chrono::seconds{10});
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace surgilink::core
