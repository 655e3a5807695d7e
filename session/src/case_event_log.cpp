#include "surgilink/session/case_event_log.hpp"

#include <sqlite3.h>

#include <stdexcept>

#include <spdlog/spdlog.h>

namespace surgilink::session {

namespace {
constexpr const char* kSchema =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    // capture_ns: the sender's capture clock, ns since the Unix epoch (the video index's clock).
    "CREATE TABLE events(id INTEGER PRIMARY KEY, capture_ns INTEGER NOT NULL, kind TEXT NOT NULL,"
    " detail TEXT NOT NULL, payload BLOB);"
    "CREATE INDEX events_by_time ON events(capture_ns);";
}  // namespace

CaseEventLog::CaseEventLog(const std::filesystem::path& file, const std::map<std::string, std::string>& meta)
    : file_(file) {
  if (std::filesystem::exists(file)) throw std::runtime_error(file.string() + " exists already");
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot create " + file.string() + ": " + why);
  }
  if (!exec(kSchema)) {
    sqlite3_close(db_);
    throw std::runtime_error("cannot create the event log " + file.string() + ": " + last_error_);
  }
  sqlite3_stmt* put = nullptr;
  sqlite3_prepare_v2(db_, "INSERT INTO meta(key, value) VALUES(?, ?)", -1, &put, nullptr);
  for (const auto& [key, value] : meta) {
    sqlite3_bind_text(put, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(put, 2, value.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(put);
    sqlite3_reset(put);
  }
  sqlite3_finalize(put);
  if (sqlite3_prepare_v2(db_, "INSERT INTO events(capture_ns, kind, detail, payload) VALUES(?, ?, ?, ?)", -1,
                         &insert_, nullptr) != SQLITE_OK) {
    const std::string why = sqlite3_errmsg(db_);
    sqlite3_close(db_);
    throw std::runtime_error("cannot prepare the event log: " + why);
  }
}

CaseEventLog::~CaseEventLog() {
  commit();
  sqlite3_finalize(insert_);
  sqlite3_close(db_);
}

std::optional<std::string> CaseEventLog::settle(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) return file.string() + " is missing";
  sqlite3* db = nullptr;
  // Opening read-write replays the write-ahead log; closing the last connection checkpoints it into the file.
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    const std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return "cannot open " + file.string() + ": " + why;
  }
  std::string verdict;
  const auto collect = [](void* out, int, char** values, char**) {
    auto& text = *static_cast<std::string*>(out);
    text += (text.empty() ? "" : "; ") + std::string(values[0] ? values[0] : "");
    return 0;
  };
  char* error = nullptr;
  std::optional<std::string> problem;
  if (sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, &error) != SQLITE_OK) {
    problem = error ? error : "the write-ahead log cannot be folded in";
  } else if (sqlite3_exec(db, "PRAGMA integrity_check", collect, &verdict, &error) != SQLITE_OK ||
             verdict != "ok") {
    problem = error ? std::string(error) : verdict;
  }
  sqlite3_free(error);
  sqlite3_close(db);
  return problem;
}

bool CaseEventLog::exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) == SQLITE_OK) return true;
  last_error_ = error ? error : "unknown SQLite error";
  sqlite3_free(error);
  return false;
}

bool CaseEventLog::append(core::CaptureTime at, std::string_view kind, std::string_view detail,
                          std::span<const std::uint8_t> payload) {
  // Everything of one second goes into one transaction: one write to the log file, not one per event.
  if (!in_transaction_) {
    if (!exec("BEGIN")) {
      ++failures_;
      return false;
    }
    in_transaction_ = true;
  }
  sqlite3_bind_int64(insert_, 1, static_cast<sqlite3_int64>(at.time_since_epoch().count()));
  sqlite3_bind_text(insert_, 2, kind.data(), static_cast<int>(kind.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(insert_, 3, detail.data(), static_cast<int>(detail.size()), SQLITE_TRANSIENT);
  if (payload.empty())
    sqlite3_bind_null(insert_, 4);
  else
    sqlite3_bind_blob(insert_, 4, payload.data(), static_cast<int>(payload.size()), SQLITE_TRANSIENT);
  const int rc = sqlite3_step(insert_);
  sqlite3_reset(insert_);
  if (rc != SQLITE_DONE) {
    last_error_ = sqlite3_errmsg(db_);
    ++failures_;
    return false;
  }
  ++events_;
  return true;
}

bool CaseEventLog::commit() {
  if (!in_transaction_) return true;
  in_transaction_ = false;
  if (exec("COMMIT")) return true;
  ++failures_;
  spdlog::error("event log {}: {}", file_.string(), last_error_);
  exec("ROLLBACK");
  return false;
}

}  // namespace surgilink::session
