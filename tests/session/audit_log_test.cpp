// The hash-chained audit log: every edit, removal, insertion or reordering of a line is found, and a broken
// log is never silently extended.
#include <gtest/gtest.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "surgilink/session/audit_log.hpp"

namespace surgilink::session {
namespace {

std::filesystem::path fresh_log(const std::string& name) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("surgilink-audit-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / (name + ".jsonl");
  std::filesystem::remove(path);
  return path;
}

core::CaptureTime at(int s) { return core::CaptureTime{std::chrono::seconds{1'800'000'000 + s}}; }

std::vector<std::string> lines_of(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void write_lines(const std::filesystem::path& p, const std::vector<std::string>& lines) {
  std::ofstream out(p, std::ios::trunc);
  for (const auto& l : lines) out << l << '\n';
}

std::filesystem::path five_events(const std::string& name) {
  const auto path = fresh_log(name);
  AuditLog log(path);
  log.append(at(0), "join", {{"console", "Dr. A"}, {"role", "mentor"}});
  log.append(at(1), "pen", {{"holder", "Dr. A"}});
  log.append(at(2), "annotation", {{"seq", "1"}, {"console", "Dr. A"}, {"op", "begin"}});
  log.append(at(3), "pen_revoked", {{"by", "key r"}});
  log.append(at(4), "leave", {{"console", "Dr. A"}});
  EXPECT_EQ(log.lines(), 5u);
  return path;
}

TEST(AuditLog, AnIntactChainVerifiesAndReopeningContinuesIt) {
  const auto path = five_events("intact");
  auto verdict = verify_audit_log(path);
  EXPECT_FALSE(verdict.broken_line) << verdict.reason;
  EXPECT_EQ(verdict.lines_ok, 5u);
  {
    AuditLog again(path);
    EXPECT_EQ(again.lines(), 5u);
    again.append(at(5), "join", {{"console", "Dr. B \"quoted\" ünïcode"}});
  }
  verdict = verify_audit_log(path);
  EXPECT_FALSE(verdict.broken_line) << verdict.reason;
  EXPECT_EQ(verdict.lines_ok, 6u);
}

TEST(AuditLog, EveryKindOfTamperingIsFoundAtItsLine) {
  const auto path = five_events("tampered");
  const auto original = lines_of(path);
  struct Case {
    const char* what;
    std::vector<std::string> lines;
    std::uint64_t broken_at;
  };
  auto edited = original;
  const auto pos = edited[2].find("\"begin\"");
  ASSERT_NE(pos, std::string::npos);
  edited[2].replace(pos, 7, "\"clear\"");
  auto removed = original;
  removed.erase(removed.begin() + 1);
  auto swapped = original;
  std::swap(swapped[1], swapped[2]);
  auto truncated_middle = original;
  truncated_middle[3] = truncated_middle[3].substr(0, 20);
  auto inserted = original;
  inserted.insert(inserted.begin() + 4, original[3]);
  // Found by the audit_log fuzz target (tests/fuzz/corpus/audit_log/regression-prev-not-a-string): the check
  // threw instead of reporting.
  auto prev_number = original;
  const auto prev_at = prev_number[1].find("\"prev\":\"");
  ASSERT_NE(prev_at, std::string::npos);
  prev_number[1].replace(prev_at, 7 + 64 + 2, "\"prev\":17");
  const std::vector<Case> cases{
      {"a value edited", edited, 3},     {"a line removed", removed, 2},
      {"two lines swapped", swapped, 2}, {"a line cut short", truncated_middle, 4},
      {"a line repeated", inserted, 5},  {"prev edited into a number", prev_number, 2}};
  for (const auto& c : cases) {
    write_lines(path, c.lines);
    const auto verdict = verify_audit_log(path);
    ASSERT_TRUE(verdict.broken_line) << c.what << " was not found";
    EXPECT_EQ(*verdict.broken_line, c.broken_at) << c.what << ": " << verdict.reason;
    EXPECT_FALSE(verdict.reason.empty());
    // A broken log is kept as evidence, not extended.
    EXPECT_THROW(AuditLog{path}, std::runtime_error) << c.what;
  }
  // Dropping the last lines cannot be seen from the file alone: the chain of what is left still holds.
  write_lines(path, {original.begin(), original.begin() + 3});
  EXPECT_FALSE(verify_audit_log(path).broken_line);
}

TEST(AuditLog, TwoWritersOnOneLogAreRefused) {
  const auto path = fresh_log("two-writers");
  AuditLog first(path);
  EXPECT_THROW(AuditLog{path}, std::runtime_error);
  first.append(at(0), "join", {});
  EXPECT_FALSE(verify_audit_log(path).broken_line);
}

TEST(AuditLog, AFolderThatCannotBeWrittenIsAConfigurationError) {
  EXPECT_THROW(AuditLog("/proc/surgilink-audit/log.jsonl"), std::runtime_error);
  const auto verdict = verify_audit_log("/nonexistent/surgilink/audit.jsonl");
  EXPECT_TRUE(verdict.broken_line);
}

}  // namespace
}  // namespace surgilink::session
