#include "hang_report.hpp"

#include <pthread.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace surgilink::testing {

namespace {

// The processes whose parent is `parent` (from /proc/PID/stat's fourth field).
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing bracket.
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    char state = 0;
    long ppid = 0;
    if (rest >> state >> ppid && ppid == parent) found.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return found;
}

void print_stacks(pid_t pid) {
  const std::string command = "gdb -batch -nx -p " + std::to_string(pid) +
                              " -ex 'set pagination off' -ex 'thread apply all bt 30' 1>&2 2>/dev/null";
  std::fprintf(stderr, "--- threads of process %d ---\n", static_cast<int>(pid));
  std::fflush(stderr);
  if (std::system(command.c_str()) != 0) std::fprintf(stderr, "(gdb could not read process %d)\n", pid);
}

}  // namespace

HangReport::HangReport(std::chrono::seconds after) {
  if (after <= std::chrono::seconds{0}) return;
  thread_ = std::thread([this, after] { watch(after); });
  pthread_setname_np(thread_.native_handle(), "hang-report");
}

HangReport::~HangReport() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  finished_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HangReport::watch(std::chrono::seconds after) {
  {
    std::unique_lock lock(mutex_);
    if (finished_.wait_for(lock, after, [this] { return done_; })) return;
  }
  // Yama may only let a parent trace: let gdb (our child) attach to us.
  prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
  const pid_t self = getpid();
  std::fprintf(stderr, "HANG: this test program still runs after %lld s; every thread's stack follows\n",
               static_cast<long long>(after.count()));
  print_stacks(self);
  for (const pid_t child : children_of(self)) print_stacks(child);
  std::fprintf(stderr, "HANG: exiting with %d\n", kHungExitCode);
  std::fflush(stderr);
  std::_Exit(kHungExitCode);
}

void watch_for_hang_from_environment() {
  static const HangReport report([] {
    const char* seconds = std::getenv("SURGILINK_TEST_HANG_REPORT_S");
    return std::chrono::seconds{seconds != nullptr ? std::atoi(seconds) : 0};
  }());
}

}  // namespace surgilink::testing
