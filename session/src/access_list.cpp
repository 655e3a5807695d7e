#include "surgilink/session/access_list.hpp"

#include <cctype>

#include "surgilink/core/config.hpp"

namespace surgilink::session {

const char* role_name(Role r) { return r == Role::kMentor ? "mentor" : "observer"; }

AccessList AccessList::load(const std::filesystem::path& file) {
  auto table = core::ConfigTable::load(file);
  AccessList list;
  for (auto& person : table.tables("person")) {
    const std::string fingerprint = person.require_string("fingerprint");
    bool well_formed = fingerprint.size() == 7 + 64 && fingerprint.starts_with("sha256:");
    for (std::size_t i = 7; well_formed && i < fingerprint.size(); ++i) {
      const char c = fingerprint[i];
      well_formed = std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
    }
    if (!well_formed) {
      throw core::ConfigError(person.where("fingerprint") +
                              "expected \"sha256:\" and 64 lowercase hex digits");
    }
    AccessEntry entry;
    entry.name = person.require_string("name");
    entry.role = person.get_choice("role", "observer", {"mentor", "observer"}) == "mentor" ? Role::kMentor
                                                                                           : Role::kObserver;
    if (list.entries_.contains(fingerprint)) {
      throw core::ConfigError(person.where("fingerprint") + "the same certificate is listed twice");
    }
    list.entries_[fingerprint] = entry;
  }
  table.finish();
  return list;
}

std::optional<AccessEntry> AccessList::find(const std::string& fingerprint) const {
  const auto it = entries_.find(fingerprint);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

}  // namespace surgilink::session
