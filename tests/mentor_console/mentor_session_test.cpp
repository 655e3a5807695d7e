#include "ui/mentor_session.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "core/console_settings.hpp"
#include "support/hang_report.hpp"

namespace surgilink::console {
namespace {

using namespace std::chrono_literals;

// A console's exit hung in CI: ~MentorSession's stop ran between a due tick of the voice meter (every
// 100 ms) and that tick's handler, which then armed itself again, so the network thread never ended. Each
// session here is destroyed a little before its first meter tick, where that happened every time.
TEST(MentorSessionLifetime, EndsWhenDestroyedJustAsAMeterTickIsDue) {
  for (int i = 0; i < 5; ++i) {
    const auto made = std::chrono::steady_clock::now();
    auto mentor = std::make_unique<MentorSession>(ConsoleSettings{});
    std::this_thread::sleep_until(made + 100ms - i * 50us);
    // A destructor that never returns cannot be failed any other way: the program prints every thread's
    // stack and exits if it still runs 10 s from here.
    const testing::HangReport deadline(10s);
    mentor.reset();
  }
}

}  // namespace
}  // namespace surgilink::console
