#pragma once
// A real surgilink-sender process for a test, started with a test config and stopped with SIGINT.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "process/child_process.hpp"

namespace surgilink::testing {

class RunningSender {
 public:
  // Starts the sender with `config` plus `args`; waits for its "listening" line (throws if it never comes).
  // `launcher` goes before the program (for example {"prlimit", "--nofile=1024:1024"}).
  RunningSender(const std::filesystem::path& config, const std::filesystem::path& log,
                std::vector<std::string> args = {}, std::vector<std::string> env = {},
                std::vector<std::string> launcher = {});
  ~RunningSender();
  int control_port() const { return control_port_; }
  int media_port() const { return media_port_; }
  int mllp_port() const { return mllp_port_; }
  // The process (for /proc) and its CPU time so far.
  int pid() const;
  std::chrono::nanoseconds cpu_time() const;  // its HL7 MLLP listener; 0 unless started with --vitals hl7
  // Stops it (SIGINT) and returns its exit code.
  int stop();
  // Kills it (SIGKILL) as a power cut or a crash would, and reaps it.
  void kill();
  // Its next status line (JSON, one a second); nullopt if none comes within `timeout`.
  std::optional<std::string> next_status(std::chrono::milliseconds timeout);
  std::string log() const;
  // Reads its status lines until `text` is in its log or `timeout` has passed (a line on its way, e.g. a
  // message from a console that has just exited); the log then, to check whether it came.
  std::string log_once(std::string_view text, std::chrono::milliseconds timeout);

 private:
  std::filesystem::path log_;
  std::unique_ptr<tools::ChildProcess> process_;
  int control_port_ = 0;
  int media_port_ = 0;
  int mllp_port_ = 0;
};

// Runs a program to completion (at most `timeout`), returning its exit code; stdout and stderr go to files.
struct ProgramResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
ProgramResult run_program(std::vector<std::string> argv, const std::filesystem::path& dir,
                          const std::string& name, std::chrono::milliseconds timeout,
                          std::vector<std::string> env = {});

}  // namespace surgilink::testing
