#pragma once
// Runs another SurgiLink program as a child process with its stdout on a pipe, for the benchmark, the demo
// and the integration tests. Linux only.

#include <sys/types.h>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace surgilink::tools {

// One child process. Not thread-safe; the destructor kills (SIGKILL) and reaps a child still running.
class ChildProcess {
 public:
  // Starts `argv[0]` with `argv`; stderr goes to `stderr_file` (or is inherited when empty); extra
  // environment entries "NAME=value" are added. Throws std::runtime_error if it cannot start.
  ChildProcess(std::vector<std::string> argv, const std::string& stderr_file = {},
               std::vector<std::string> extra_env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // The next line of the child's stdout, waiting at most `timeout` (poll(2) on the pipe, no sleeping);
  // nullopt on timeout or end of output.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  // Sends a signal (SIGINT asks SurgiLink programs to stop cleanly).
  void signal(int signal_number);
  // Waits for exit at most `timeout`; returns the exit code (128 + signal if killed), nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // User + system CPU time so far, from /proc (0 once reaped).
  std::chrono::nanoseconds cpu_time() const;
  // Resident memory now (VmRSS in /proc/PID/status), in bytes; nullopt once reaped or unreadable.
  std::optional<std::uint64_t> resident_bytes() const;

 private:
  void read_available();  // one read(2) of what the pipe holds; sets eof_ at its end

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int pidfd_ = -1;
  std::string buffer_;
  bool eof_ = false;
  std::optional<int> exit_code_;
};

// A port that was free a moment ago on 127.0.0.1 (TCP and UDP), for tests that start programs.
unsigned short free_loopback_port();

}  // namespace surgilink::tools
