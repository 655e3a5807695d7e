#pragma once
// The sender's audit log (DESIGN.md §7): every join, leave, pen change and annotation decision, one JSON line
// each, hash-chained so that an edited, removed or reordered line is detected.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "surgilink/core/capture_clock.hpp"

namespace surgilink::session {

// Appends events to one file. Each line is a JSON object {"seq", "t_ns", "event", ...fields, "prev",
// "hash"}: hash = SHA-256 over prev + the line's text without its hash, prev = the previous line's hash
// (64 zeros for the first). Reopening an existing log continues its chain. One thread (the network thread).
class AuditLog {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;  // string values only: no ambiguity

  // Creates the folder and file if needed. Throws std::runtime_error when it cannot write there, or when the
  // existing file's chain is broken (a log that was tampered with is not silently extended).
  explicit AuditLog(std::filesystem::path path);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends and flushes one event at capture-clock time `t` (sender clock). Never throws; a failed write is
  // counted and logged.
  void append(core::CaptureTime t, const std::string& event, const Fields& fields);

  const std::filesystem::path& path() const { return path_; }
  std::uint64_t lines() const { return next_seq_ - 1; }
  std::uint64_t write_failures() const { return write_failures_; }

 private:
  std::filesystem::path path_;
  std::ofstream out_;
  std::string last_hash_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t write_failures_ = 0;
  int lock_fd_ = -1;  // holds an exclusive flock while this log is open
};

// What a check of a log found: the lines whose chain holds, and the first line that breaks it (1-based) with
// the reason, if any.
struct AuditVerdict {
  std::uint64_t lines_ok = 0;
  std::optional<std::uint64_t> broken_line;
  std::string reason;
  std::string last_hash;  // of the last good line
};

// Reads a whole log and checks every line's sequence, prev and hash. Never throws.
AuditVerdict verify_audit_log(const std::filesystem::path& path);

}  // namespace surgilink::session
