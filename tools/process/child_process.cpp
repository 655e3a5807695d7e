#include "child_process.hpp"

#include <algorithm>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

extern char** environ;

namespace surgilink::tools {

ChildProcess::ChildProcess(std::vector<std::string> argv, const std::string& stderr_file,
                           std::vector<std::string> extra_env) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (auto& e : extra_env) env_strings.push_back(std::move(e));
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on.
    // No child outlives its parent (issue 12): when the bench or the demo ends in any way — SIGTERM, SIGHUP,
    // SIGKILL — the sender and console it started get SIGTERM and stop cleanly. (The parent may already be
    // gone by now: then stop at once.)
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(128 + SIGTERM);
    dup2(pipe_fds[1], STDOUT_FILENO);
    // No child reads the parent's stdin (CI has none): it gets an empty one.
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    if (!stderr_file.empty()) {
      const int fd = open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) dup2(fd, STDERR_FILENO);
    }
    execve(args[0], args.data(), env.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  pid_ = pid;
  stdout_fd_ = pipe_fds[0];
  // glibc 2.36 declares pidfd_open without C linkage for C++: call the system call directly.
  pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd_ < 0) throw std::runtime_error("pidfd_open: " + std::string(std::strerror(errno)));
}

ChildProcess::~ChildProcess() {
  if (!exit_code_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
  if (pidfd_ >= 0) close(pidfd_);
}

void ChildProcess::read_available() {
  char chunk[4096];
  const ssize_t n = read(stdout_fd_, chunk, sizeof chunk);
  if (n <= 0) {
    eof_ = true;
  } else {
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::optional<std::string> ChildProcess::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    if (eof_) {
      if (buffer_.empty()) return std::nullopt;
      return std::exchange(buffer_, {});
    }
    // A timeout of zero (or one that ran out) still takes what the pipe already holds: a caller draining a
    // child's output must not leave it to fill the pipe and block the child.
    const auto left = std::max(
        std::chrono::milliseconds{0},
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    pollfd p{stdout_fd_, POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return std::nullopt;
    read_available();
  }
}

void ChildProcess::signal(int signal_number) {
  if (!exit_code_ && pid_ > 0) kill(pid_, signal_number);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    // Wake on the child's exit (its pidfd) or on output, which is drained so a chatty child never blocks.
    pollfd fds[2] = {{pidfd_, POLLIN, 0}, {eof_ ? -1 : stdout_fd_, POLLIN, 0}};
    const int r = poll(fds, 2, static_cast<int>(left.count()));
    if (r > 0 && (fds[1].revents & (POLLIN | POLLHUP)) != 0) {
      read_available();
    }
  }
}

std::chrono::nanoseconds ChildProcess::cpu_time() const {
  if (exit_code_ || pid_ <= 0) return std::chrono::nanoseconds{0};
  std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return std::chrono::nanoseconds{0};
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  const long ticks = sysconf(_SC_CLK_TCK);
  return std::chrono::nanoseconds{
      static_cast<long long>((utime + stime) * 1'000'000'000ull / static_cast<unsigned long long>(ticks))};
}

std::optional<std::uint64_t> ChildProcess::resident_bytes() const {
  if (exit_code_ || pid_ <= 0) return std::nullopt;
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    // "VmRSS:\t  123456 kB" (the kernel always writes kB here)
    if (line.rfind("VmRSS:", 0) != 0) continue;
    std::istringstream fields(line.substr(6));
    std::uint64_t kib = 0;
    if (fields >> kib) return kib * 1024;
    return std::nullopt;
  }
  return std::nullopt;
}

unsigned short free_loopback_port() {
  // Find a port free for both TCP and UDP (the sender uses the same numbers for either in tests).
  for (int attempt = 0; attempt < 50; ++attempt) {
    const int tcp = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    bind(tcp, reinterpret_cast<sockaddr*>(&a), sizeof a);
    getsockname(tcp, reinterpret_cast<sockaddr*>(&a), &len);
    const int udp = socket(AF_INET, SOCK_DGRAM, 0);
    const bool udp_free = bind(udp, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(udp);
    close(tcp);
    if (udp_free) return ntohs(a.sin_port);
  }
  throw std::runtime_error("no free loopback port");
}

}  // namespace surgilink::tools
