// The hash-chained audit log: every edit, removal, insertion or reordering of a line is found, and a broken
// log is never silently extended.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
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

const std::vector<std::uint8_t> kKey(32, 0x5a);

// A log with keyed checkpoints: the chain alone cannot prove that the log was not rewritten whole by someone
// who recomputed every hash; the HMAC can, without the key (issue 12).
TEST(AuditLog, AKeyedCheckpointEndsEveryCleanStopAndARewrittenLogFailsIt) {
  const auto path = fresh_log("keyed");
  {
    AuditLog log(path, kKey, std::chrono::seconds{0});
    log.append(at(0), "join", {{"console", "Dr. A"}});
    log.sync(at(1));  // interval 0: a checkpoint at every sync
    log.append(at(2), "leave", {{"console", "Dr. A"}});
  }  // the destructor ends with a checkpoint
  const AuditVerdict good = verify_audit_log(path, kKey);
  EXPECT_FALSE(good.broken_line) << good.reason;
  EXPECT_EQ(good.checkpoints_ok, 2u);
  EXPECT_EQ(good.lines_after_last_checkpoint, 0u);

  // The same events, chained again by hand without the key: every hash holds, the checkpoint does not.
  auto lines = lines_of(path);
  const auto forged = fresh_log("keyed-forged");
  {
    AuditLog log(forged, std::vector<std::uint8_t>(32, 0x11), std::chrono::seconds{0});
    log.append(at(0), "join", {{"console", "Dr. B"}});
    log.sync(at(1));
  }
  EXPECT_FALSE(verify_audit_log(forged).broken_line) << "the chain alone holds";
  const AuditVerdict caught = verify_audit_log(forged, kKey);
  ASSERT_TRUE(caught.broken_line);
  EXPECT_NE(caught.reason.find("HMAC"), std::string::npos);

  // Cut after a checkpoint: still intact, but the count of lines after the last checkpoint says so.
  lines.pop_back();  // the final checkpoint
  write_lines(path, lines);
  const AuditVerdict cut = verify_audit_log(path, kKey);
  EXPECT_FALSE(cut.broken_line);
  EXPECT_EQ(cut.lines_after_last_checkpoint, 1u);
}

TEST(AuditLog, EachLineCarriesWallAndMonotonicTimeAndTheFileIsTheServicesOwn) {
  const auto path = fresh_log("times");
  {
    AuditLog log(path);
    log.append(at(7), "join", {});
    log.sync(at(8));
    EXPECT_TRUE(log.healthy());
  }
  const auto line = lines_of(path).at(0);
  EXPECT_NE(line.find("\"t_ns\":1800000007000000000"), std::string::npos) << line;
  EXPECT_NE(line.find("\"mono_ns\":"), std::string::npos) << line;
  const auto mode = std::filesystem::status(path).permissions();
  EXPECT_EQ(mode & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);
}

// A power cut during a write leaves half a line: the sender must start again and keep the chain.
TEST(AuditLog, ATornLastLineIsMovedAsideAndTheChainGoesOn) {
  const auto path = five_events("torn");
  {
    std::ofstream out(path, std::ios::app);
    out << R"({"seq":6,"t_ns":1800000005000000000,"event":"jo)";
  }
  {
    AuditLog log(path);
    EXPECT_EQ(log.torn_line().substr(0, 10), R"({"seq":6,")");
    EXPECT_EQ(log.lines(), 5u);
    log.append(at(6), "join", {{"console", "Dr. B"}});
  }
  const AuditVerdict v = verify_audit_log(path);
  EXPECT_FALSE(v.broken_line) << v.reason;
  EXPECT_EQ(v.lines_ok, 6u);
  bool aside = false;
  for (const auto& entry : std::filesystem::directory_iterator(path.parent_path()))
    aside = aside || entry.path().filename().string().rfind("torn.jsonl.torn-", 0) == 0;
  EXPECT_TRUE(aside) << "the torn bytes are kept as evidence";
}

TEST(AuditLog, AKeyThatIsTooShortOrMissingIsRefused) {
  const auto dir = fresh_log("keys").parent_path();
  EXPECT_THROW(load_audit_key(dir / "no-such.key"), std::runtime_error);
  std::ofstream(dir / "short.key") << "0123456789";
  EXPECT_THROW(load_audit_key(dir / "short.key"), std::runtime_error);
  std::ofstream(dir / "good.key") << std::string(32, 'k');
  if (::geteuid() == 0) {
    EXPECT_EQ(load_audit_key(dir / "good.key").size(), 32u) << "root cannot be kept from a key (warned)";
  } else {
    EXPECT_THROW(load_audit_key(dir / "good.key"), std::runtime_error) << "writable by the service itself";
  }
}

// A full disk (here: a file-size limit) makes the log unhealthy, which the OR display shows; a partial line
// is not left behind to break the chain for every later line.
TEST(AuditLog, AFailedWriteIsReportedAndLeavesNoPartialLine) {
  const auto path = five_events("full");
  const auto size = std::filesystem::file_size(path);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{static_cast<rlim_t>(size + 40), static_cast<rlim_t>(size + 40)};
    setrlimit(RLIMIT_FSIZE, &limit);
    AuditLog log(path);
    log.append(at(9), "join", {{"console", std::string(500, 'x')}});
    _exit(log.healthy() || log.write_failures() != 1 ? 1 : 0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the failed write was not reported";
  const AuditVerdict v = verify_audit_log(path);
  EXPECT_FALSE(v.broken_line) << v.reason;
  EXPECT_EQ(v.lines_ok, 5u);
}

}  // namespace
}  // namespace surgilink::session
