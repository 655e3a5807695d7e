#include "recording_volume.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fstream>
#include <sstream>

namespace surgilink::sender {

namespace {

std::string first_line(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

// A block device (its sysfs folder) is encrypted when it, or a device it is built on, is a dm-crypt target;
// a loop device is as encrypted as the volume its backing file is on.
bool encrypted_device(const std::filesystem::path& device, const std::filesystem::path& sysfs,
                      const std::filesystem::path& mountinfo, std::string& how, int depth) {
  if (depth > 8) return false;  // no real stack is this deep; a loop in sysfs must not hang the check
  std::error_code ec;
  const auto real = std::filesystem::canonical(device, ec);
  const std::string name = (ec ? device : real).filename().string();
  const std::string uuid = first_line(device / "dm" / "uuid");
  if (uuid.rfind("CRYPT-", 0) == 0) {
    how = "dm-crypt (" + uuid.substr(0, 18) + "…) " + name;
    return true;
  }
  for (const auto& slave : std::filesystem::directory_iterator(device / "slaves", ec)) {
    if (encrypted_device(sysfs / "class" / "block" / slave.path().filename(), sysfs, mountinfo, how,
                         depth + 1)) {
      how += " under " + name;
      return true;
    }
  }
  const std::string backing = first_line(device / "loop" / "backing_file");
  if (!backing.empty()) {
    const VolumeProtection file =
        volume_protection(std::filesystem::path(backing).parent_path(), sysfs, mountinfo);
    if (file.encrypted) how = "a loop file on " + file.how;
    return file.encrypted;
  }
  // A partition's device is its parent's child folder: the whole disk may be the encrypted one.
  if (std::filesystem::exists(device / "partition"))
    return encrypted_device(std::filesystem::canonical(device, ec).parent_path(), sysfs, mountinfo, how,
                            depth + 1);
  return false;
}

// The file system type of the mount that holds `folder`, from mountinfo (the longest mount point prefix).
std::string fs_type_of(const std::filesystem::path& folder, const std::filesystem::path& mountinfo) {
  std::ifstream in(mountinfo);
  std::string line, best_type;
  std::size_t best = 0;
  const std::string target = folder.string();
  for (; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, point;
    fields >> id >> parent >> devno >> root >> point;
    const auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream tail(line.substr(dash + 3));
    std::string type;
    tail >> type;
    const bool holds =
        target == point || (target.rfind(point, 0) == 0 && (point == "/" || target[point.size()] == '/'));
    if (holds && point.size() >= best) {
      best = point.size();
      best_type = type;
    }
  }
  return best_type;
}

}  // namespace

VolumeProtection volume_protection(const std::filesystem::path& folder, const std::filesystem::path& sysfs,
                                   const std::filesystem::path& mountinfo) {
  std::error_code ec;
  const auto real = std::filesystem::weakly_canonical(folder, ec);
  struct stat st {};
  if (::stat(real.c_str(), &st) != 0) return {false, real.string() + " cannot be examined"};
  const std::string type = fs_type_of(real, mountinfo);
  if (type == "ecryptfs") return {true, "eCryptfs"};
  const std::string id = std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
  const auto device = sysfs / "dev" / "block" / id;
  std::string how;
  if (encrypted_device(device, sysfs, mountinfo, how, 0)) return {true, how};
  const std::string name = std::filesystem::exists(device)
                               ? std::filesystem::canonical(device, ec).filename().string()
                               : "a " + (type.empty() ? std::string("device") : type) + " file system";
  return {false, real.string() + " is on " + name + " (" + id + "), which is not encrypted"};
}

}  // namespace surgilink::sender
