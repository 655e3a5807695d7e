#pragma once
// The sender's audit log (DESIGN.md §7): every join, leave, pen change and annotation decision, one JSON line
// each, hash-chained so that an edited, removed or reordered line is detected, with keyed checkpoints
// (HMAC-SHA256 with a key the service cannot rewrite) so that a log rewritten whole or cut short is detected
// too.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::session {

// The checkpoint key: 32 or more random bytes in a file the sender may read but not write (made by
// tools/make-audit-key.sh). Throws std::runtime_error naming the file when it is unreadable, too short, or
// writable by this user (unless running as root, which is warned about by the caller).
std::vector<std::uint8_t> load_audit_key(const std::filesystem::path& file);

// Appends events to one file. Each line is a JSON object {"seq", "t_ns" (wall clock), "mono_ns" (monotonic
// clock), "event", ...fields, "prev", "hash"}: hash = SHA-256 over prev + the line's text without its hash,
// prev = the previous line's hash (64 zeros for the first). A "checkpoint" line adds "hmac" =
// HMAC-SHA256(key, prev + "\n" + seq). Reopening an existing log continues its chain; a torn last line (a
// power cut during a write) is moved aside into FILE.torn-<ns> and the chain continues from the line before.
// One thread (the network thread).
class AuditLog {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;  // string values only: no ambiguity

  // Creates the folder (0700) and file (0600) if needed. Throws std::runtime_error when it cannot write
  // there, or when the existing file's chain is broken (a log that was tampered with is not silently
  // extended). Without a key no checkpoint is written.
  explicit AuditLog(std::filesystem::path path, std::vector<std::uint8_t> key = {},
                    std::chrono::seconds checkpoint_interval = std::chrono::seconds{60});
  ~AuditLog();  // a last checkpoint, synced
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends one event at wall-clock time `t` (sender clock); the line is written at once (the kernel has it)
  // and on disk at the next sync(). Never throws; a failed write is counted, logged, and makes healthy()
  // false.
  void append(core::CaptureTime t, const std::string& event, const Fields& fields);
  // Puts what was written on disk (fsync); writes a checkpoint when the interval has passed. Once a second.
  void sync(core::CaptureTime t);

  const std::filesystem::path& path() const { return path_; }
  std::uint64_t lines() const { return next_seq_ - 1; }
  std::uint64_t write_failures() const { return write_failures_; }
  // False from a failed write or sync until a later one succeeds: the OR display shows it.
  bool healthy() const { return healthy_; }
  // The bytes of a torn last line found at start (moved aside), for the caller to audit; empty if none.
  const std::string& torn_line() const { return torn_line_; }

 private:
  void write_line(core::CaptureTime t, const std::string& event, const Fields& fields, bool checkpoint);

  std::filesystem::path path_;
  std::vector<std::uint8_t> key_;
  std::chrono::seconds checkpoint_interval_;
  int fd_ = -1;
  std::string last_hash_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t write_failures_ = 0;
  bool healthy_ = true;
  bool unsynced_ = false;
  std::uint64_t lines_since_checkpoint_ = 0;
  std::chrono::steady_clock::time_point last_checkpoint_ = std::chrono::steady_clock::now();
  std::string torn_line_;
};

// What a check of a log found: the lines whose chain holds, and the first line that breaks it (1-based) with
// the reason, if any; with a key, how many keyed checkpoints held and how many lines follow the last one
// (a sender that was killed, or lines removed after it).
struct AuditVerdict {
  std::uint64_t lines_ok = 0;
  std::optional<std::uint64_t> broken_line;
  std::string reason;
  std::string last_hash;  // of the last good line
  std::uint64_t checkpoints_ok = 0;
  std::uint64_t lines_after_last_checkpoint = 0;
};

// Reads a whole log and checks every line's sequence, prev and hash, and, given the key, every checkpoint's
// HMAC (a log without any checkpoint fails with a key). Never throws.
AuditVerdict verify_audit_log(const std::filesystem::path& path, const std::vector<std::uint8_t>& key = {});

}  // namespace surgilink::session
