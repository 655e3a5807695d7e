#pragma once
// The sender's access list: which certificate (by fingerprint) belongs to which person and role.

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace surgilink::session {

// What a console may do in a session (DESIGN.md §7); enforced by the sender.
enum class Role { kMentor, kObserver };
const char* role_name(Role r);

// A person admitted to the sender's sessions.
struct AccessEntry {
  std::string name;
  Role role = Role::kObserver;
};

// Loaded once at start-up; read-only afterwards (any thread).
class AccessList {
 public:
  // Throws core::ConfigError naming file, line and key for a bad file.
  static AccessList load(const std::filesystem::path& file);
  std::optional<AccessEntry> find(const std::string& fingerprint) const;
  std::size_t size() const { return entries_.size(); }
  void add(const std::string& fingerprint, AccessEntry entry) { entries_[fingerprint] = std::move(entry); }

 private:
  std::map<std::string, AccessEntry> entries_;
};

}  // namespace surgilink::session
