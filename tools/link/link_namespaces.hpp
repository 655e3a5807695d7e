#pragma once
// The two network namespaces of an emulated link, `<prefix>-or` and `<prefix>-mentor`, each with a
// point-to-point TUN device `slk0` whose other end is a file descriptor held by the emulator: every IP
// packet one namespace sends to the other comes out of its TUN device, and the emulator writes it into the
// other's. Nothing else reaches or leaves these namespaces, so only traffic between them is touched.
// Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and `ip` (iproute2). Start-up and shut-down only; call from
// the main thread before other threads exist (it switches the thread's network namespace for a moment).

#include <string>

namespace surgilink::tools::link {

struct NamespaceNames {
  std::string or_namespace;
  std::string mentor_namespace;
  std::string or_address;      // IPv4 of the OR's end
  std::string mentor_address;  // IPv4 of the mentor's end
};

// The names for `prefix` (letters, digits and '-', at most 24 characters; checked by valid_prefix).
NamespaceNames namespace_names(const std::string& prefix, const std::string& or_address,
                               const std::string& mentor_address);
// Empty when `prefix` is usable, else why not.
std::string prefix_problem(const std::string& prefix);

// The name of the TUN device inside each namespace.
inline constexpr const char* kTunDevice = "slk0";

// Owns the namespaces and both TUN descriptors; the destructor closes them and deletes the namespaces.
class LinkNamespaces {
 public:
  // Deletes namespaces of these names left by an earlier run (logged), creates both, brings up their TUN
  // devices with the addresses. Throws std::runtime_error saying what failed; nothing is left behind then.
  explicit LinkNamespaces(NamespaceNames names);
  ~LinkNamespaces();
  LinkNamespaces(const LinkNamespaces&) = delete;
  LinkNamespaces& operator=(const LinkNamespaces&) = delete;

  const NamespaceNames& names() const { return names_; }
  int or_tun() const { return or_tun_; }
  int mentor_tun() const { return mentor_tun_; }

 private:
  void tear_down() noexcept;

  NamespaceNames names_;
  int or_tun_ = -1;
  int mentor_tun_ = -1;
};

bool namespace_exists(const std::string& name);
// Deletes the namespace `name` if it exists; true if one was deleted.
bool remove_namespace(const std::string& name);

// A socket of `type` (SOCK_DGRAM, ...) created inside the namespace `name`; the caller owns it. -1 with errno
// on failure. For probes and tests; same thread rule as above.
int socket_in_namespace(const std::string& name, int type);

}  // namespace surgilink::tools::link
