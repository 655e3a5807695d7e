#include "link/link_namespaces.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <spdlog/spdlog.h>

extern char** environ;

namespace surgilink::tools::link {

namespace {

std::string namespace_path(const std::string& name) { return "/run/netns/" + name; }

// Runs `ip args...` and waits for it; its messages go to our stderr. True when it exits 0.
bool run_ip(std::vector<std::string> args) {
  args.insert(args.begin(), "ip");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawnp(&pid, "ip", nullptr, nullptr, argv.data(), environ) != 0) return false;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return false;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void ip_or_throw(const std::vector<std::string>& args) {
  if (!run_ip(args)) {
    std::string command = "ip";
    for (const auto& a : args) command += " " + a;
    throw std::runtime_error("'" + command + "' failed");
  }
}

std::string system_error(const std::string& what) { return what + ": " + std::strerror(errno); }

// Runs `make` with this thread inside the namespace `name`, then returns the thread to its own namespace.
template <typename Make>
int in_namespace(const std::string& name, Make make) {
  const int own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (own < 0) return -1;
  const int target = open(namespace_path(name).c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0 || setns(target, CLONE_NEWNET) != 0) {
    const int saved = errno;
    if (target >= 0) close(target);
    close(own);
    errno = saved;
    return -1;
  }
  close(target);
  const int fd = make();
  const int saved = errno;
  if (setns(own, CLONE_NEWNET) != 0) {
    // Staying in the wrong namespace would silently misroute everything after: stop here.
    spdlog::critical("cannot return to the original network namespace: {}", std::strerror(errno));
    std::abort();
  }
  close(own);
  errno = saved;
  return fd;
}

int open_tun(const std::string& name) {
  return in_namespace(name, [] {
    const int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) return -1;
    ifreq request{};
    request.ifr_flags = IFF_TUN | IFF_NO_PI;
    std::strncpy(request.ifr_name, kTunDevice, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &request) != 0) {
      const int saved = errno;
      close(fd);
      errno = saved;
      return -1;
    }
    return fd;
  });
}

void bring_up(const std::string& name, const std::string& own_address, const std::string& peer_address) {
  ip_or_throw({"-n", name, "link", "set", "lo", "up"});
  ip_or_throw({"-n", name, "addr", "add", own_address, "peer", peer_address + "/32", "dev", kTunDevice});
  ip_or_throw({"-n", name, "link", "set", kTunDevice, "up"});
}

}  // namespace

std::string prefix_problem(const std::string& prefix) {
  if (prefix.empty() || prefix.size() > 24) return "must have 1 to 24 characters";
  for (const char c : prefix) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return "may hold only letters, digits and '-'";
  }
  return {};
}

NamespaceNames namespace_names(const std::string& prefix, const std::string& or_address,
                               const std::string& mentor_address) {
  return {prefix + "-or", prefix + "-mentor", or_address, mentor_address};
}

bool namespace_exists(const std::string& name) {
  std::error_code error;
  return std::filesystem::exists(namespace_path(name), error);
}

bool remove_namespace(const std::string& name) {
  if (!namespace_exists(name)) return false;
  return run_ip({"netns", "delete", name});
}

int socket_in_namespace(const std::string& name, int type) {
  return in_namespace(name, [type] { return socket(AF_INET, type | SOCK_CLOEXEC, 0); });
}

LinkNamespaces::LinkNamespaces(NamespaceNames names) : names_(std::move(names)) {
  for (const auto* name : {&names_.or_namespace, &names_.mentor_namespace}) {
    if (remove_namespace(*name)) spdlog::warn("removed the namespace {} left by an earlier run", *name);
  }
  try {
    ip_or_throw({"netns", "add", names_.or_namespace});
    ip_or_throw({"netns", "add", names_.mentor_namespace});
    or_tun_ = open_tun(names_.or_namespace);
    if (or_tun_ < 0) throw std::runtime_error(system_error("TUN device in " + names_.or_namespace));
    mentor_tun_ = open_tun(names_.mentor_namespace);
    if (mentor_tun_ < 0) throw std::runtime_error(system_error("TUN device in " + names_.mentor_namespace));
    bring_up(names_.or_namespace, names_.or_address, names_.mentor_address);
    bring_up(names_.mentor_namespace, names_.mentor_address, names_.or_address);
  } catch (...) {
    tear_down();
    throw;
  }
}

LinkNamespaces::~LinkNamespaces() { tear_down(); }

void LinkNamespaces::tear_down() noexcept {
  for (int* fd : {&or_tun_, &mentor_tun_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
  for (const auto* name : {&names_.or_namespace, &names_.mentor_namespace}) {
    if (namespace_exists(*name) && !remove_namespace(*name)) {
      spdlog::error("could not delete the namespace {} (remove it with: ip netns delete {})", *name, *name);
    }
  }
}

}  // namespace surgilink::tools::link
