#pragma once
// Whether a folder is on an encrypted volume: dm-crypt/LUKS (directly, under LVM, or a loop file on one) or
// eCryptfs. Recordings hold the operative field; at rest they belong on the hospital's encrypted volume,
// whose keys the hospital already manages (README: Security). The sender checks before it records.

#include <filesystem>
#include <string>

namespace surgilink::sender {

// What the check found. Plain value type.
struct VolumeProtection {
  bool encrypted = false;
  std::string how;  // "dm-crypt (CRYPT-LUKS2-…) under dm-2", or why not: "/dev/vda (254:0) is not encrypted"
};

// `sysfs` and `mountinfo` are parameters so that tests can describe a machine's devices. Any thread.
VolumeProtection volume_protection(const std::filesystem::path& folder,
                                   const std::filesystem::path& sysfs = "/sys",
                                   const std::filesystem::path& mountinfo = "/proc/self/mountinfo");

}  // namespace surgilink::sender
