#pragma once
// A test program that stops making progress is reported before ctest's timeout kills it: every thread's stack
// (gdb), its child processes' too, on stderr, then it exits with kHungExitCode. A hang seen once in a CI run
// can then be read instead of guessed.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace surgilink::testing {

inline constexpr int kHungExitCode = 124;  // as timeout(1) says it

// Watches one test program from construction to destruction. Owns one thread, "hang-report".
class HangReport {
 public:
  // Reports if the program still runs `after` from now (0: watches nothing).
  explicit HangReport(std::chrono::seconds after);
  ~HangReport();
  HangReport(const HangReport&) = delete;
  HangReport& operator=(const HangReport&) = delete;

 private:
  void watch(std::chrono::seconds after);
  std::mutex mutex_;
  std::condition_variable finished_;
  bool done_ = false;
  std::thread thread_;
};

// The report for this program, made once, watching for the seconds SURGILINK_TEST_HANG_REPORT_S says (ctest
// sets it a little under the test's TIMEOUT); nothing when unset. Lives until the program exits.
void watch_for_hang_from_environment();

}  // namespace surgilink::testing
