// A program that hangs on purpose for HangReport's test: it starts a report due after the seconds given and
// then waits for a condition nobody will ever signal, in a function the report's stack must name.
#include <condition_variable>
#include <cstdlib>
#include <mutex>

#include "support/hang_report.hpp"

namespace {

[[noreturn]] void wait_for_what_never_comes() {
  std::mutex mutex;
  std::condition_variable never;
  std::unique_lock lock(mutex);
  for (;;) never.wait(lock);
}

}  // namespace

int main(int argc, char** argv) {
  const surgilink::testing::HangReport report(std::chrono::seconds{argc > 1 ? std::atoi(argv[1]) : 1});
  wait_for_what_never_comes();
}
