#include "support/recorded_case.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "process/child_process.hpp"
#include "support/console_status.hpp"
#include "support/running_sender.hpp"
#include "support/test_control_client.hpp"
#include "support/test_installation.hpp"

namespace surgilink::testing {

namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

// Records the case into `dir`/recordings: a second with no one connected, then the scripted mentor draws
// for about 14 s (keeping 3 annotations), then its link is cut and the recording goes on a moment. Beside it:
// the sender's report (sender-report.json) and the mentor console's status lines (mentor-status.jsonl).
void record_case(const std::filesystem::path& dir) {
  const auto socket = dir / "or-controls.sock";
  const auto recordings = dir / "recordings";
  const auto config = write_sender_config(dir, "keyframe_interval_s = 1\n");
  std::ofstream(config, std::ios::app)
      << "[or_controls]\nsocket = \"" << socket.string() << "\"\n[recording]\nfolder = \""
      << recordings.string() << "\"\nsegment_s = 4\n"
      << "[vitals]\nsource = \"simulator\"\nscenario = \"tachycardia\"\n";
  // Consent given on the command line, as the demo gives it; a scratch folder is no encrypted volume.
  // Its report names the picture the OR display first showed each scene version on (the review's sync).
  RunningSender sender(config, dir / "sender.log",
                       {"--consent", "--require-encrypted-volume", "false", "--report-json",
                        (dir / "sender-report.json").string()});
  ASSERT_THAT(surgeon_command(socket, "status"), HasSubstr("recording into")) << sender.log();
  // A second of recording with no one connected, then the scripted mentor draws (keeping 3 annotations).
  ASSERT_TRUE(sender.next_status(milliseconds{3000}));
  ASSERT_TRUE(sender.next_status(milliseconds{3000}));
  std::filesystem::create_directories(dir / "mentor");
  tools::ChildProcess mentor({console_program().string(), "--config",
                              write_console_config(dir / "mentor", sender.control_port(), "mentor").string(),
                              "--headless", "--status-json", "--seconds", "90", "--scripted-mentor", "3"},
                             (dir / "mentor.err").string());
  // The console reports its latency once a second from 11 s after its first picture: 14 s of pictures.
  // Its status lines are kept: the vitals the mentor saw, and when, for the review's sync.
  std::ofstream status_lines(dir / "mentor-status.jsonl");
  int with_pictures = 0;
  const json last = wait_for_status(mentor, 40, [&](const json& s) {
    status_lines << s.dump() << "\n";
    return has_a_picture(s) && ++with_pictures >= 14 && s.value("annotations", 0) >= 2;
  });
  status_lines.close();
  ASSERT_GE(with_pictures, 14) << last.dump();
  // The mentor's link is cut (the console killed), and the recording goes on without it.
  mentor.signal(SIGKILL);
  mentor.wait(milliseconds{10000});
  for (int line = 0; line < 10; ++line) {
    const auto status = sender.next_status(milliseconds{3000});
    if (status && json::parse(*status, nullptr, false).value("consoles", -1) == 0) break;
  }
  ASSERT_TRUE(sender.next_status(milliseconds{3000}));
  ASSERT_THAT(surgeon_command(socket, "stop-recording"), HasSubstr("not recording"));
  ASSERT_EQ(sender.stop(), 0) << sender.log();
}

// Made once per build: each test runs in a process of its own, and making the recording takes about 30 s. The
// made-by stamp names the programs that made it, so a rebuilt sender or console records it again.
void make_shared_recording(const std::filesystem::path& shared) {
  const int lock = ::open((shared.string() + ".lock").c_str(), O_CREAT | O_RDWR, 0600);
  ASSERT_GE(lock, 0) << shared;
  struct Unlock {
    int fd;
    ~Unlock() {
      ::flock(fd, LOCK_UN);
      ::close(fd);
    }
  } unlock{lock};
  ::flock(lock, LOCK_EX);
  std::string made_by = "script 2";
  for (const auto& program : {sender_program(), console_program()}) {
    made_by += " " + program.string() + " " +
               std::to_string(std::filesystem::last_write_time(program).time_since_epoch().count()) + " " +
               std::to_string(std::filesystem::file_size(program));
  }
  if (read_text(shared / "made-by") != made_by) {
    std::filesystem::remove_all(shared);
    std::filesystem::create_directories(shared);
    record_case(shared);
    if (::testing::Test::HasFatalFailure()) return;
    std::ofstream(shared / "made-by") << made_by;
  }
}

}  // namespace

std::filesystem::path shared_recorded_case() {
  const auto shared = std::filesystem::path(SURGILINK_BINARY_DIR) / "tests" / "review" / "recorded-case";
  make_shared_recording(shared);
  if (::testing::Test::HasFatalFailure()) return {};
  return shared / "recordings";
}

}  // namespace surgilink::testing
