#pragma once
// The recording's event log (DESIGN.md §6): every annotation operation, vitals payload, roster change and
// session event on the capture clock, in SQLite (write-ahead log) beside the video segments, so a review
// can replay them in step with the picture. Committed once a second: a sender that is killed loses at most
// the last second, and the file stays consistent.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "surgilink/core/capture_clock.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace surgilink::session {

// Network thread only.
class CaseEventLog {
 public:
  // Creates `file` (which must not exist) with its tables and `meta` (case, site, …). Throws
  // std::runtime_error with SQLite's message.
  CaseEventLog(const std::filesystem::path& file, const std::map<std::string, std::string>& meta);
  ~CaseEventLog();  // commits
  CaseEventLog(const CaseEventLog&) = delete;
  CaseEventLog& operator=(const CaseEventLog&) = delete;

  // One event: `kind` is "annotation" (payload: the sequenced operation's wire bytes), "vitals" (payload:
  // the vitals wire payload as sent), "roster" or "session" (detail: JSON). False (counted) if SQLite
  // refused it; never throws.
  bool append(core::CaptureTime at, std::string_view kind, std::string_view detail,
              std::span<const std::uint8_t> payload = {});
  // Makes everything appended so far durable. False (and last_error()) if SQLite failed.
  bool commit();

  // After a sender stopped without closing `file` (a crash): folds its write-ahead log into it (SQLite's own
  // recovery) and checks it, so the file is whole and can be sealed. Returns what is wrong, or nothing.
  static std::optional<std::string> settle(const std::filesystem::path& file);

  std::uint64_t events() const { return events_; }
  std::uint64_t failures() const { return failures_; }
  const std::string& last_error() const { return last_error_; }
  const std::filesystem::path& file() const { return file_; }

 private:
  bool exec(const char* sql);

  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  bool in_transaction_ = false;
  std::uint64_t events_ = 0;
  std::uint64_t failures_ = 0;
  std::string last_error_;
};

// One row of a recording's event log as a review reads it back. Plain value type; any thread.
struct CaseEvent {
  core::CaptureTime at{};
  std::string kind;  // "annotation", "annotation_scene", "vitals", "roster", "session", "latency"
  std::string detail;
  std::vector<std::uint8_t> payload;
};

// Every event of the log in `file`, in capture-time order (then in the order they were appended), and its
// `meta` table. Opens the file read-only: the recording is never modified. `closed`: the log was closed for
// good (sealed in its manifest), so it is read as immutable and nothing is made beside it (a read-only
// reader of a log still being written leaves SQLite's -shm and -wal files). Nullopt with `why` when the file
// is missing, not an event log, or damaged. Blocking; any thread.
struct CaseEvents {
  std::map<std::string, std::string> meta;
  std::vector<CaseEvent> events;
};
std::optional<CaseEvents> read_case_events(const std::filesystem::path& file, bool closed, std::string* why);

}  // namespace surgilink::session
