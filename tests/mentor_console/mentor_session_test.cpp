#include "ui/mentor_session.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

#include "core/console_settings.hpp"

namespace surgilink::console {
namespace {

using namespace std::chrono_literals;

// Ends the program with a message if the scope it guards is still running after `limit`: a destructor that
// never returns cannot be failed any other way.
class ReturnDeadline {
 public:
  ReturnDeadline(std::chrono::seconds limit, const char* what)
      : thread_([this, limit, what] {
          std::unique_lock lock(mutex_);
          if (!ended_.wait_for(lock, limit, [this] { return done_; })) {
            std::fprintf(stderr, "FAILED: %s did not return within %lld s\n", what,
                         static_cast<long long>(limit.count()));
            std::fflush(stderr);
            std::_Exit(1);
          }
        }) {}
  ~ReturnDeadline() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    ended_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ended_;
  bool done_ = false;
  std::thread thread_;
};

// A console's exit hung in CI: ~MentorSession's stop ran between a due tick of the voice meter (every
// 100 ms) and that tick's handler, which then armed itself again, so the network thread never ended. Each
// session here is destroyed a little before its first meter tick, where that happened every time.
TEST(MentorSessionLifetime, EndsWhenDestroyedJustAsAMeterTickIsDue) {
  for (int i = 0; i < 5; ++i) {
    const auto made = std::chrono::steady_clock::now();
    auto mentor = std::make_unique<MentorSession>(ConsoleSettings{});
    std::this_thread::sleep_until(made + 100ms - i * 50us);
    const ReturnDeadline deadline(10s, "~MentorSession");
    mentor.reset();
  }
}

}  // namespace
}  // namespace surgilink::console
