#include "surgilink/session/audit_log.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace surgilink::session {

namespace {

const std::string kGenesis(64, '0');
constexpr std::size_t kMinKeyBytes = 32;

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

std::string sha256_hex(const std::string& data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr);
  return hex(digest.data(), size);
}

std::string hmac_hex(const std::vector<std::uint8_t>& key, const std::string& data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &size);
  return hex(mac.data(), size);
}

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A text field of a line read back, empty when absent or not a string (a log is input, never trusted).
std::string text_field(const nlohmann::json& line, const char* key) {
  const auto it = line.find(key);
  return it != line.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The hashed text of a line: the JSON object without "hash", in nlohmann's sorted-key dump, after prev.
std::string hashed_text(const nlohmann::json& line_without_hash) {
  return text_field(line_without_hash, "prev") + "\n" + dump(line_without_hash);
}

std::string checkpoint_text(const std::string& prev, std::uint64_t seq) {
  return prev + "\n" + std::to_string(seq);
}

std::int64_t monotonic_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::vector<std::uint8_t> load_audit_key(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("audit key " + file.string() + " cannot be read");
  std::vector<std::uint8_t> key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (key.size() < kMinKeyBytes) {
    throw std::runtime_error("audit key " + file.string() + " holds " + std::to_string(key.size()) +
                             " bytes; it needs at least 32 random bytes (tools/make-audit-key.sh)");
  }
  // The key must be one the service cannot rewrite, or whoever runs as the service could re-key a forged log.
  if (::geteuid() != 0 && ::access(file.c_str(), W_OK) == 0) {
    OPENSSL_cleanse(key.data(), key.size());
    throw std::runtime_error(
        "audit key " + file.string() +
        " is writable by the sender's own user: make it owned by another user, mode 0440 "
        "(tools/make-audit-key.sh)");
  }
  return key;
}

AuditVerdict verify_audit_log(const std::filesystem::path& path, const std::vector<std::uint8_t>& key) {
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
    if (!line.contains("prev") || !line["prev"].is_string() || line["prev"].get<std::string>() != v.last_hash)
      return fail("prev does not match the line before");
    const std::string hash = line["hash"].get<std::string>();
    line.erase("hash");
    if (sha256_hex(hashed_text(line)) != hash) return fail("hash does not match the line's content");
    ++v.lines_after_last_checkpoint;
    if (!key.empty() && text_field(line, "event") == "checkpoint") {
      if (hmac_hex(key, checkpoint_text(v.last_hash, number)) != text_field(line, "hmac"))
        return fail("checkpoint HMAC does not match: the log was rewritten, or this is not its key");
      ++v.checkpoints_ok;
      v.lines_after_last_checkpoint = 0;
    }
    v.last_hash = hash;
    ++v.lines_ok;
  }
  if (!key.empty() && v.checkpoints_ok == 0 && v.lines_ok > 0) {
    v.broken_line = v.lines_ok;
    v.reason = "no keyed checkpoint: the log cannot be shown to come from a sender with this key";
  }
  return v;
}

AuditLog::AuditLog(std::filesystem::path path, std::vector<std::uint8_t> key,
                   std::chrono::seconds checkpoint_interval)
    : path_(std::move(path)), key_(std::move(key)), checkpoint_interval_(checkpoint_interval) {
  std::error_code ec;
  if (path_.has_parent_path() && !std::filesystem::exists(path_.parent_path())) {
    std::filesystem::create_directories(path_.parent_path(), ec);
    std::filesystem::permissions(path_.parent_path(), std::filesystem::perms::owner_all, ec);
  }
  last_hash_ = kGenesis;
  if (std::filesystem::exists(path_)) {
    // A power cut during a write leaves a torn last line: not tampering. Move it aside and go on from the
    // line before; anything else that breaks the chain is evidence and is not extended.
    std::ifstream in(path_, std::ios::binary);
    std::stringstream whole;
    whole << in.rdbuf();
    const std::string text = whole.str();
    const std::size_t end = text.empty() ? 0 : text.rfind('\n', text.size() - 1);
    const std::size_t complete =
        text.empty() ? 0 : (text.back() == '\n' ? text.size() : (end == std::string::npos ? 0 : end + 1));
    if (complete < text.size()) {
      torn_line_ = text.substr(complete);
      const auto aside =
          path_.string() + ".torn-" + std::to_string(core::CaptureClock().now().time_since_epoch().count());
      std::ofstream(aside, std::ios::binary) << torn_line_;
      std::filesystem::permissions(
          aside, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
      std::filesystem::resize_file(path_, complete, ec);
      if (ec)
        throw std::runtime_error("audit log " + path_.string() +
                                 ": cannot cut its torn last line: " + ec.message());
      spdlog::warn("audit log {}: a torn last line ({} bytes) was moved to {}", path_.string(),
                   torn_line_.size(), aside);
    }
    const AuditVerdict existing = verify_audit_log(path_);
    if (existing.broken_line) {
      throw std::runtime_error("audit log " + path_.string() + " is broken at line " +
                               std::to_string(*existing.broken_line) + ": " + existing.reason +
                               " (keep it as evidence and configure a new file)");
    }
    last_hash_ = existing.last_hash;
    next_seq_ = existing.lines_ok + 1;
  }
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd_ < 0)
    throw std::runtime_error("cannot write the audit log " + path_.string() + ": " + std::strerror(errno));
  // Two senders appending to one chain would break it: the second one is refused with a clear reason.
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("the audit log " + path_.string() +
                             " is in use by another sender (each sender needs its own [audit] log)");
  }
  ::fchmod(fd_, 0600);
}

AuditLog::~AuditLog() {
  if (fd_ < 0) return;
  if (!key_.empty() && lines_since_checkpoint_ > 0)
    write_line(core::CaptureClock().now(), "checkpoint", {}, true);
  ::fsync(fd_);
  ::close(fd_);
  OPENSSL_cleanse(key_.data(), key_.size());
}

void AuditLog::append(core::CaptureTime t, const std::string& event, const Fields& fields) {
  write_line(t, event, fields, false);
}

void AuditLog::write_line(core::CaptureTime t, const std::string& event, const Fields& fields,
                          bool checkpoint) {
  nlohmann::json line = {{"seq", next_seq_},
                         {"t_ns", t.time_since_epoch().count()},
                         {"mono_ns", monotonic_ns()},
                         {"event", event},
                         {"prev", last_hash_}};
  for (const auto& [k, v] : fields) {
    if (!line.contains(k)) line[k] = v;
  }
  if (checkpoint) {
    line["hmac"] = hmac_hex(key_, checkpoint_text(last_hash_, next_seq_));
    line["lines"] = next_seq_;
  }
  const std::string hash = sha256_hex(hashed_text(line));
  line["hash"] = hash;
  const std::string text = dump(line) + "\n";
  // One write(2) per line with O_APPEND: a crash tears at most this line.
  const ssize_t written = fd_ >= 0 ? ::write(fd_, text.data(), text.size()) : -1;
  if (written != static_cast<ssize_t>(text.size())) {
    ++write_failures_;
    healthy_ = false;
    spdlog::error("audit log {}: write failed (event {}): {}", path_.string(), event,
                  written < 0 ? std::strerror(errno) : "short write");
    if (written > 0) {
      // A partial line would break the chain for every later line: cut it off again.
      struct stat st {};
      if (::fstat(fd_, &st) == 0 && ::ftruncate(fd_, st.st_size - written) != 0) healthy_ = false;
    }
    return;
  }
  healthy_ = true;
  unsynced_ = true;
  last_hash_ = hash;
  ++next_seq_;
  lines_since_checkpoint_ = checkpoint ? 0 : lines_since_checkpoint_ + 1;
  if (checkpoint) last_checkpoint_ = std::chrono::steady_clock::now();
}

void AuditLog::sync(core::CaptureTime t) {
  if (!key_.empty() && lines_since_checkpoint_ > 0 &&
      std::chrono::steady_clock::now() - last_checkpoint_ >= checkpoint_interval_)
    write_line(t, "checkpoint", {}, true);
  if (!unsynced_ || fd_ < 0) return;
  if (::fsync(fd_) != 0) {
    ++write_failures_;
    healthy_ = false;
    spdlog::error("audit log {}: fsync failed: {}", path_.string(), std::strerror(errno));
    return;
  }
  unsynced_ = false;
}

}  // namespace surgilink::session
