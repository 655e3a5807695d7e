#include "surgilink/session/audit_log.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <array>
#include <cstdio>
#include <stdexcept>

#include <openssl/evp.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace surgilink::session {

namespace {

const std::string kGenesis(64, '0');

std::string sha256_hex(const std::string& data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr);
  std::string hex;
  hex.reserve(size * 2);
  char byte[3];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

// The hashed text of a line: the JSON object without "hash", in nlohmann's sorted-key dump, after prev.
std::string hashed_text(const nlohmann::json& line_without_hash) {
  return line_without_hash.value("prev", std::string()) + "\n" + line_without_hash.dump();
}

}  // namespace

AuditVerdict verify_audit_log(const std::filesystem::path& path) {
  AuditVerdict v;
  v.last_hash = kGenesis;
  std::ifstream in(path);
  if (!in) {
    v.broken_line = 0;
    v.reason = "cannot read " + path.string();
    return v;
  }
  std::string text;
  std::uint64_t number = 0;
  while (std::getline(in, text)) {
    ++number;
    auto fail = [&](std::string why) {
      v.broken_line = number;
      v.reason = std::move(why);
      return v;
    };
    auto line = nlohmann::json::parse(text, nullptr, false);
    if (line.is_discarded() || !line.is_object()) return fail("not a JSON object");
    if (!line.contains("hash") || !line["hash"].is_string()) return fail("no hash");
    if (!line.contains("seq") || !line["seq"].is_number_unsigned() ||
        line["seq"].get<std::uint64_t>() != number)
      return fail("sequence is not " + std::to_string(number) + " (a line was removed, added or moved)");
    if (line.value("prev", std::string()) != v.last_hash) return fail("prev does not match the line before");
    const std::string hash = line["hash"].get<std::string>();
    line.erase("hash");
    if (sha256_hex(hashed_text(line)) != hash) return fail("hash does not match the line's content");
    v.last_hash = hash;
    ++v.lines_ok;
  }
  return v;
}

AuditLog::AuditLog(std::filesystem::path path) : path_(std::move(path)) {
  std::error_code ec;
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path(), ec);
  last_hash_ = kGenesis;
  if (std::filesystem::exists(path_)) {
    const AuditVerdict existing = verify_audit_log(path_);
    if (existing.broken_line) {
      throw std::runtime_error("audit log " + path_.string() + " is broken at line " +
                               std::to_string(*existing.broken_line) + ": " + existing.reason +
                               " (keep it as evidence and configure a new file)");
    }
    last_hash_ = existing.last_hash;
    next_seq_ = existing.lines_ok + 1;
  }
  out_.open(path_, std::ios::app);
  if (!out_) throw std::runtime_error("cannot write the audit log " + path_.string());
  // Two senders appending to one chain would break it: the second one is refused with a clear reason.
  lock_fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    lock_fd_ = -1;
    throw std::runtime_error("the audit log " + path_.string() +
                             " is in use by another sender (each sender needs its own [audit] log)");
  }
}

AuditLog::~AuditLog() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void AuditLog::append(core::CaptureTime t, const std::string& event, const Fields& fields) {
  nlohmann::json line = {
      {"seq", next_seq_}, {"t_ns", t.time_since_epoch().count()}, {"event", event}, {"prev", last_hash_}};
  for (const auto& [key, value] : fields) {
    if (!line.contains(key)) line[key] = value;
  }
  const std::string hash = sha256_hex(line.value("prev", std::string()) + "\n" +
                                      line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  line["hash"] = hash;
  // Callers pass safe text; a byte that is not UTF-8 still must not throw here (it would end the sender).
  out_ << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  out_.flush();
  if (!out_) {
    ++write_failures_;
    spdlog::error("audit log {}: write failed (event {})", path_.string(), event);
    out_.clear();
    return;
  }
  last_hash_ = hash;
  ++next_seq_;
}

}  // namespace surgilink::session
