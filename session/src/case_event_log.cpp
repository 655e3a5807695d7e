#include "surgilink/session/case_event_log.hpp"

#include <sqlite3.h>

#include <cctype>
#include <cstdio>
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

namespace {
// What went wrong, with SQLite's words, for a reader of `file`.
std::string read_failure(const std::filesystem::path& file, sqlite3* db) {
  return file.filename().string() + " cannot be read as an event log (" +
         (db ? sqlite3_errmsg(db) : "out of memory") + ")";
}
}  // namespace

std::optional<CaseEvents> read_case_events(const std::filesystem::path& file, bool closed, std::string* why) {
  auto fail = [why](std::string text) -> std::optional<CaseEvents> {
    if (why) *why = std::move(text);
    return std::nullopt;
  };
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return fail(file.filename().string() + " is missing");
  sqlite3* db = nullptr;
  // A URI, so that a path with '?' or '#' in it stays a path: percent-encode everything but plain characters.
  std::string uri = "file:";
  for (const unsigned char c : file.string()) {
    const bool plain = std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~';
    char escaped[4];
    std::snprintf(escaped, sizeof escaped, "%%%02X", c);
    uri += plain ? std::string(1, static_cast<char>(c)) : std::string(escaped);
  }
  uri += closed ? "?mode=ro&immutable=1" : "?mode=ro";
  if (sqlite3_open_v2(uri.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) != SQLITE_OK) {
    auto out = fail(read_failure(file, db));
    sqlite3_close(db);
    return out;
  }
  CaseEvents out;
  sqlite3_stmt* statement = nullptr;
  bool ok = sqlite3_prepare_v2(db, "SELECT key, value FROM meta", -1, &statement, nullptr) == SQLITE_OK;
  int rc = SQLITE_DONE;
  while (ok && (rc = sqlite3_step(statement)) == SQLITE_ROW) {
    const auto* key = sqlite3_column_text(statement, 0);
    const auto* value = sqlite3_column_text(statement, 1);
    out.meta[key ? reinterpret_cast<const char*>(key) : ""] =
        value ? reinterpret_cast<const char*>(value) : "";
  }
  ok = ok && rc == SQLITE_DONE;
  sqlite3_finalize(statement);
  statement = nullptr;
  ok = ok &&
       sqlite3_prepare_v2(db, "SELECT capture_ns, kind, detail, payload FROM events ORDER BY capture_ns, id",
                          -1, &statement, nullptr) == SQLITE_OK;
  while (ok && (rc = sqlite3_step(statement)) == SQLITE_ROW) {
    CaseEvent e;
    e.at = core::CaptureTime{std::chrono::nanoseconds{sqlite3_column_int64(statement, 0)}};
    const auto* kind = sqlite3_column_text(statement, 1);
    const auto* detail = sqlite3_column_text(statement, 2);
    e.kind = kind ? reinterpret_cast<const char*>(kind) : "";
    e.detail = detail ? reinterpret_cast<const char*>(detail) : "";
    const auto* blob = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement, 3));
    e.payload.assign(blob, blob + (blob ? sqlite3_column_bytes(statement, 3) : 0));
    out.events.push_back(std::move(e));
  }
  ok = ok && rc == SQLITE_DONE;
  std::optional<CaseEvents> result;
  if (ok)
    result = std::move(out);
  else
    result = fail(read_failure(file, db));
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return result;
}

}  // namespace surgilink::session
