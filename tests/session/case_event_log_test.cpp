// The recording's event log: rows on the capture clock with their bytes, committed as one transaction a
// second, readable by anything that reads SQLite while the sender still writes (write-ahead log).
#include "surgilink/session/case_event_log.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace surgilink::session {
namespace {

std::filesystem::path fresh_file(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("surgilink-events-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / (name + ".sqlite");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
  return file;
}

// A second connection, as a review tool would open the file.
struct Reader {
  explicit Reader(const std::filesystem::path& file) {
    EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  }
  ~Reader() { sqlite3_close(db); }
  std::vector<std::string> column(const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    while (sqlite3_step(s) == SQLITE_ROW) {
      const auto* text = sqlite3_column_blob(s, 0);
      out.emplace_back(text ? static_cast<const char*>(text) : "",
                       static_cast<std::size_t>(sqlite3_column_bytes(s, 0)));
    }
    sqlite3_finalize(s);
    return out;
  }
  sqlite3* db = nullptr;
};

TEST(CaseEventLog, KeepsEventsWithTheirTimeKindDetailAndBytesOnceCommitted) {
  const auto file = fresh_file("events");
  const core::CaptureTime t0{std::chrono::seconds{1'800'000'000}};
  CaseEventLog log(file, {{"format", "surgilink-events/1"}, {"case", "CASE-7"}});
  const std::vector<std::uint8_t> operation{0x08, 0x01, 0x00, 0xff};
  EXPECT_TRUE(log.append(t0, "session", R"({"event":"recording_started"})"));
  EXPECT_TRUE(log.append(t0 + std::chrono::milliseconds{40}, "annotation", R"({"seq":"1"})", operation));
  EXPECT_TRUE(log.append(t0 + std::chrono::milliseconds{20}, "vitals", "", operation));

  // Nothing is visible to a reader before the commit; everything after it.
  Reader reader(file);
  EXPECT_EQ(reader.column("SELECT kind FROM events").size(), 0u);
  ASSERT_TRUE(log.commit());
  EXPECT_EQ(reader.column("SELECT kind FROM events ORDER BY capture_ns"),
            (std::vector<std::string>{"session", "vitals", "annotation"}));
  EXPECT_EQ(reader.column("SELECT payload FROM events WHERE kind = 'annotation'").at(0),
            std::string(operation.begin(), operation.end()));
  EXPECT_EQ(reader.column("SELECT capture_ns FROM events WHERE kind = 'annotation'").at(0),
            std::to_string((t0 + std::chrono::milliseconds{40}).time_since_epoch().count()));
  EXPECT_EQ(reader.column("SELECT value FROM meta WHERE key = 'case'").at(0), "CASE-7");
  EXPECT_EQ(reader.column("PRAGMA journal_mode").at(0), "wal");
  EXPECT_EQ(log.events(), 3u);
  EXPECT_EQ(log.failures(), 0u);
}

TEST(CaseEventLog, NeverOverwritesAnExistingFile) {
  const auto file = fresh_file("twice");
  { CaseEventLog first(file, {}); }
  EXPECT_THROW(CaseEventLog(file, {}), std::runtime_error);
  EXPECT_THROW(CaseEventLog(fresh_file("x").parent_path() / "no-such-folder" / "e.sqlite", {}),
               std::runtime_error);
}

}  // namespace
}  // namespace surgilink::session
