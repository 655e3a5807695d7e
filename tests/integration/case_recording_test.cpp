// The OR's recording of the case through the real sender program (DESIGN.md §6, §7): nothing is recorded
// before consent, every console hears the recording's state, each step is audited, a sender that is killed
// mid-recording leaves every closed segment playable and its manifest readable, and its next start finishes
// that recording and says so.
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/console_status.hpp"
#include "support/recorded_segment.hpp"
#include "support/running_sender.hpp"
#include "support/test_control_client.hpp"
#include "support/test_installation.hpp"
#include "surgilink/annotation/wire.hpp"
#include "surgilink/media/recording_manifest.hpp"
#include "surgilink/session/audit_log.hpp"

namespace surgilink::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::StartsWith;

nlohmann::json read_index(const std::filesystem::path& folder) {
  nlohmann::json index;
  std::ifstream in(folder / "recording.json");
  if (in) in >> index;
  return index;
}

// One column of a query on a recording's events.sqlite, opened read-only as a review tool would.
std::vector<std::string> query_events(const std::filesystem::path& folder, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2((folder / "events.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << folder / "events.sqlite";
    sqlite3_close(db);
    return out;
  }
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  while (statement != nullptr && sqlite3_step(statement) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(statement, 0);
    out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return out;
}

std::vector<std::filesystem::path> recordings_in(const std::filesystem::path& folder) {
  std::vector<std::filesystem::path> out;
  if (!std::filesystem::exists(folder)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

// The folder a recording command's reply names ("ok: recording into FOLDER (0 segments closed)").
std::string folder_in(const std::string& reply) {
  const auto from = reply.find("recording into ");
  const auto to = reply.rfind(" (");
  if (from == std::string::npos || to == std::string::npos || to < from) return {};
  return reply.substr(from + 15, to - from - 15);
}

// Reads the sender's status lines (older ones first) until the recording into `folder` has closed `segments`
// segments.
bool wait_for_closed_segments(RunningSender& sender, const std::string& folder, std::uint64_t segments) {
  for (int line = 0; line < 60; ++line) {
    const auto status = sender.next_status(milliseconds{2000});
    if (!status) return false;
    const auto j = nlohmann::json::parse(*status, nullptr, false);
    if (!j.is_discarded() && j.contains("recording") && j["recording"].value("folder", "") == folder &&
        j["recording"].value("segments_closed", std::uint64_t{0}) >= segments)
      return true;
  }
  return false;
}

TEST(CaseRecording, StartsOnlyAfterConsentIsAnnouncedAuditedAndSurvivesAKilledSenderRecoveredOnRestart) {
  const auto dir = scratch_dir("case-recording");
  const auto socket = dir / "or-controls.sock";
  const auto audit = dir / "audit.jsonl";
  const auto recordings = dir / "recordings";
  const auto config = write_sender_config(dir, "keyframe_interval_s = 1\n");
  std::ofstream(config, std::ios::app)
      << "[audit]\nlog = \"" << audit.string() << "\"\n[or_controls]\nsocket = \"" << socket.string()
      << "\"\n[recording]\nfolder = \"" << recordings.string()
      << "\"\nsegment_s = 2\nrequire_encrypted_volume = false\n";
  RunningSender sender(config, dir / "sender.log");
  TestControlClient console(identity("mentor"));
  const auto hello = console.hello(sender.control_port(), 40021);
  ASSERT_TRUE(hello.welcomed) << hello.refusal;
  const std::string a = hello.annotation_author;
  EXPECT_EQ(next_controls(console), "pen=" + a + " revoked=0 hidden=0");

  // No consent, no recording: refused, nothing on disk.
  EXPECT_THAT(surgeon_command(socket, "record"),
              HasSubstr("error: consent to record this case is not recorded"));
  EXPECT_TRUE(recordings_in(recordings).empty());

  // Consent recorded at the OR: the recording starts, and the console hears both.
  const std::string first_reply = surgeon_command(socket, "consent");
  EXPECT_THAT(first_reply, HasSubstr("ok: recording into"));
  EXPECT_EQ(next_controls(console), "pen=" + a + " revoked=0 hidden=0 consent=1");
  EXPECT_EQ(next_controls(console), "pen=" + a + " revoked=0 hidden=0 consent=1 rec=1");
  // A real console watches: its latency figures go into the event log once a second.
  std::filesystem::create_directories(dir / "viewer");
  tools::ChildProcess viewer(
      {console_program().string(), "--config",
       write_console_config(dir / "viewer", sender.control_port(), "observer").string(), "--headless",
       "--status-json", "--seconds", "40"},
      (dir / "viewer.err").string());
  const auto watching = wait_for_status(
      viewer, 15, [](const nlohmann::json& s) { return s.contains("g2g_ms") && !s["g2g_ms"].is_null(); });
  ASSERT_TRUE(watching.contains("g2g_ms") && !watching["g2g_ms"].is_null()) << watching.dump();
  // The mentor draws and flags a vital sign while the case is recorded.
  console.send_annotation_proposal(annotation::encode_proposal(begin_stroke(a, 1)));
  console.send_vitals_flag("abp", true);
  EXPECT_EQ(next_controls(console), "pen=" + a + " revoked=0 hidden=0 flagged=abp consent=1 rec=1");
  // A console reports once its 10-s window is past the link's start-up second: let 12 more seconds go by.
  int seconds_watched = 0;
  wait_for_status(viewer, 20, [&](const nlohmann::json&) { return ++seconds_watched >= 12; });
  ASSERT_TRUE(wait_for_closed_segments(sender, folder_in(first_reply), 1)) << "no segment closed";
  EXPECT_THAT(surgeon_command(socket, "stop-recording"), HasSubstr("not recording, consent recorded"));
  EXPECT_EQ(next_controls(console), "pen=" + a + " revoked=0 hidden=0 flagged=abp consent=1");

  // A second recording into a new folder, cut short by a crash (SIGKILL) after a segment or more closed.
  const std::string second_reply = surgeon_command(socket, "record");
  EXPECT_THAT(second_reply, HasSubstr("recording into"));
  EXPECT_EQ(next_controls(console), "pen=" + a + " revoked=0 hidden=0 flagged=abp consent=1 rec=1");
  ASSERT_TRUE(wait_for_closed_segments(sender, folder_in(second_reply), 2)) << "no segments closed";
  sender.kill();

  const auto folders = recordings_in(recordings);
  ASSERT_EQ(folders.size(), 2u);
  EXPECT_THAT(folders[0].filename().string(), StartsWith("CASE-TEST-"));
  // At rest (issue 12): every folder and file of a recording is the sender's user's alone (umask 077).
  for (const auto& entry : std::filesystem::recursive_directory_iterator(recordings)) {
    EXPECT_EQ(entry.status().permissions() &
                  (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
              std::filesystem::perms::none)
        << entry.path() << " is open to other users";
  }
  for (const auto& folder : folders) {
    SCOPED_TRACE(folder.string());
    const auto index = read_index(folder);
    ASSERT_EQ(index.value("format", ""), "surgilink-recording/3") << "manifest unreadable";
    EXPECT_EQ(index.value("case", ""), "CASE-TEST");
    int closed = 0;
    for (const auto& s : index["segments"]) {
      if (!s["closed"].get<bool>()) continue;  // the one open at the crash: not promised
      ++closed;
      const auto decoded = decode_segment(folder / s["file"].get<std::string>());
      EXPECT_TRUE(decoded.error.empty()) << s["file"] << ": " << decoded.error;
      EXPECT_EQ(decoded.frames, s["frames"].get<int>()) << s["file"];
      ASSERT_TRUE(decoded.first_pixel_us) << s["file"];
      EXPECT_EQ(*decoded.first_pixel_us, s["first_capture_ns"].get<std::int64_t>() / 1000) << s["file"];
    }
    EXPECT_GE(closed, 1) << "no segment was closed";
  }
  // Beside the video of the stopped recording, what happened, on the same clock: the roster, the mentor's
  // stroke (its sequenced bytes), the vitals the sender streamed, the flag, and the start and the stop.
  const auto events = [&](const std::string& where) {
    return query_events(folders[0], "SELECT count(*) FROM events WHERE " + where).at(0);
  };
  EXPECT_EQ(query_events(folders[0], "SELECT value FROM meta WHERE key = 'case'"),
            std::vector<std::string>{"CASE-TEST"});
  EXPECT_EQ(events("kind = 'annotation' AND detail LIKE '%\"seq\":\"1\"%' AND length(payload) > 0"), "1");
  EXPECT_NE(events("kind = 'vitals' AND length(payload) > 0"), "0");
  EXPECT_NE(events("kind = 'roster' AND detail LIKE '%Dr. Dev Mentor%'"), "0");
  EXPECT_EQ(events("kind = 'session' AND detail LIKE '%vitals_flagged%'"), "1");
  EXPECT_EQ(events("kind = 'session' AND detail LIKE '%recording_stopped%'"), "1");
  EXPECT_NE(events("kind = 'latency' AND detail LIKE '%Dev Observer%' AND detail LIKE '%g2g_p95_ms%'"), "0")
      << "the watching console's latency is not in the event log";
  const auto segments = read_index(folders[0])["segments"];
  const auto first_ns = segments.front()["first_capture_ns"].get<std::int64_t>();
  const auto last_ns = segments.back()["last_capture_ns"].get<std::int64_t>();
  const auto vitals_span = query_events(
      folders[0], "SELECT min(capture_ns) || ' ' || max(capture_ns) FROM events WHERE kind = 'vitals'");
  std::int64_t vitals_first = 0, vitals_last = 0;
  std::istringstream(vitals_span.at(0)) >> vitals_first >> vitals_last;
  EXPECT_LT(std::abs(vitals_first - first_ns), 1'000'000'000) << "vitals and video do not start together";
  EXPECT_LT(std::abs(vitals_last - last_ns), 1'000'000'000) << "vitals and video do not end together";
  // The killed recording's log is consistent and holds what was committed before the crash.
  EXPECT_EQ(query_events(folders[1], "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
  EXPECT_NE(query_events(folders[1], "SELECT count(*) FROM events WHERE kind = 'vitals'").at(0), "0");

  // The stopped recording closed and sealed all of its files; the killed one left its last segment open.
  std::string why;
  const auto stopped = media::RecordingManifest::read(folders[0], &why);
  ASSERT_TRUE(stopped) << why;
  EXPECT_EQ(stopped->state, media::RecordingState::kComplete);
  for (const auto& s : stopped->segments) {
    EXPECT_TRUE(s.closed) << s.file;
    EXPECT_EQ(s.seal, media::seal_of(folders[0] / s.file, nullptr)) << s.file;
  }
  ASSERT_NE(stopped->file("event_log"), nullptr);
  EXPECT_EQ(stopped->file("event_log")->seal, media::seal_of(folders[0] / "events.sqlite", nullptr));
  EXPECT_FALSE(read_index(folders[1])["segments"].back()["closed"].get<bool>());
  EXPECT_EQ(read_index(folders[1]).value("state", ""), "recording");
  // surgilink-review verify: the stopped recording is intact; the killed one is not, and says why.
  const auto verify = [&](const std::filesystem::path& folder, const std::string& name) {
    return run_program({review_program().string(), "verify", folder.string()}, dir, name,
                       milliseconds{30000});
  };
  const auto intact = verify(folders[0], "verify-stopped");
  EXPECT_EQ(intact.exit_code, 0) << intact.out << intact.err;
  EXPECT_THAT(intact.out, HasSubstr(": intact (complete, written by SurgiLink "));
  const auto killed = verify(folders[1], "verify-killed");
  EXPECT_EQ(killed.exit_code, 1) << killed.out << killed.err;
  EXPECT_THAT(killed.out, HasSubstr("still being written"));
  EXPECT_THAT(killed.out, HasSubstr("was never closed"));

  // The next start finishes the killed recording: its open segment rewritten and playable, every file
  // sealed, the manifest marked recovered, and the sender's log says so.
  {
    RunningSender restarted(config, dir / "sender-restarted.log");
    EXPECT_EQ(restarted.stop(), 0);
    EXPECT_THAT(restarted.log(), HasSubstr("was left open; rewritten with the"));
    EXPECT_THAT(restarted.log(), HasSubstr("require_encrypted_volume = false: recordings in"));
  }
  const auto recovered = media::RecordingManifest::read(folders[1], &why);
  ASSERT_TRUE(recovered) << why;
  EXPECT_EQ(recovered->state, media::RecordingState::kRecovered);
  EXPECT_FALSE(recovered->notes.empty());
  for (const auto& s : recovered->segments) {
    EXPECT_TRUE(s.closed) << s.file;
    EXPECT_EQ(s.seal, media::seal_of(folders[1] / s.file, nullptr)) << s.file;
    EXPECT_TRUE(decode_segment(folders[1] / s.file).error.empty()) << s.file;
  }
  ASSERT_NE(recovered->file("event_log"), nullptr);
  EXPECT_TRUE(recovered->file("event_log")->seal.has_value());
  EXPECT_EQ(query_events(folders[1], "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
  const auto repaired = verify(folders[1], "verify-recovered");
  EXPECT_EQ(repaired.exit_code, 0) << repaired.out << repaired.err;
  EXPECT_THAT(repaired.out, HasSubstr(": intact (recovered,"));
  EXPECT_THAT(repaired.out, HasSubstr("note: segment-"));

  // Consent and every start and stop are in the audit log, whose chain holds up to the crash.
  const auto verdict = session::verify_audit_log(audit);
  EXPECT_FALSE(verdict.broken_line) << verdict.reason;
  const std::string log = read_text(audit);
  for (const char* event : {"\"consent_recorded\"", "\"recording_started\"", "\"recording_stopped\""})
    EXPECT_THAT(log, HasSubstr(std::string("\"event\":") + event));
}

// Recordings at rest belong on an encrypted volume (issue 12): with the default settings, a folder on a tmpfs
// (never encrypted) is refused with the reason, the OR display is told, and the refusal is audited.
TEST(CaseRecording, RefusesToRecordOntoAVolumeThatIsNotEncrypted) {
  if (!std::filesystem::is_directory("/dev/shm")) GTEST_SKIP() << "no /dev/shm (tmpfs) here";
  const auto dir = scratch_dir("case-recording-unencrypted");
  const auto recordings =
      std::filesystem::path("/dev/shm") / ("surgilink-test-" + std::to_string(::getpid()) + "-recordings");
  std::filesystem::remove_all(recordings);
  const auto socket = dir / "or-controls.sock";
  const auto audit = dir / "audit.jsonl";
  const auto config = write_sender_config(dir);
  std::ofstream(config, std::ios::app)
      << "[audit]\nlog = \"" << audit.string() << "\"\n[or_controls]\nsocket = \"" << socket.string()
      << "\"\n[recording]\nfolder = \"" << recordings.string() << "\"\n";
  RunningSender sender(config, dir / "sender.log");
  // IT hears of it at start, before anyone records consent.
  EXPECT_THAT(sender.log(), HasSubstr("consent will be refused until it is"));
  const std::string reply = surgeon_command(socket, "consent");
  EXPECT_THAT(reply, StartsWith("error: not recording: "));
  EXPECT_THAT(reply, HasSubstr("which is not encrypted"));
  EXPECT_THAT(reply, HasSubstr("require_encrypted_volume"));
  EXPECT_TRUE(recordings_in(recordings).empty());
  EXPECT_THAT(surgeon_command(socket, "status"), HasSubstr("not recording, consent recorded"));
  // The OR display's recording warning, as the status line carries it.
  bool warned = false;
  for (int line = 0; line < 5 && !warned; ++line) {
    const auto status = sender.next_status(milliseconds{2000});
    if (!status) break;
    const auto j = nlohmann::json::parse(*status, nullptr, false);
    warned = !j.is_discarded() && j.contains("recording") &&
             j["recording"].value("warning", nlohmann::json()) == "NOT RECORDING: VOLUME NOT ENCRYPTED";
  }
  EXPECT_TRUE(warned) << "the OR is not told why nothing is recorded";
  EXPECT_EQ(sender.stop(), 0);
  EXPECT_THAT(read_text(audit), HasSubstr("\"event\":\"recording_refused\""));
  std::filesystem::remove_all(recordings);
}

TEST(CaseRecording, ASenderWithoutARecordingFolderNeverRecords) {
  const auto dir = scratch_dir("case-recording-off");
  const auto socket = dir / "or-controls.sock";
  const auto config = write_sender_config(dir);
  std::ofstream(config, std::ios::app) << "[or_controls]\nsocket = \"" << socket.string() << "\"\n";
  RunningSender sender(config, dir / "sender.log");
  TestControlClient console(identity("mentor"));
  ASSERT_TRUE(console.hello(sender.control_port(), 40022).welcomed);
  EXPECT_THAT(next_controls(console), StartsWith("pen=c1 revoked=0 hidden=0"));
  EXPECT_THAT(surgeon_command(socket, "consent"), HasSubstr("error: recording is switched off here"));
  EXPECT_THAT(surgeon_command(socket, "status"), HasSubstr("recording switched off here"));
  // A refused consent changes nothing the consoles see: no controls message follows (and waiting for one
  // ends on time).
  std::optional<ControlMessage> after;
  while ((after = console.read_message(milliseconds{500})) && after->kind != "or_controls") {
  }
  EXPECT_FALSE(after.has_value()) << after->bytes;
  EXPECT_EQ(sender.stop(), 0);
}

// `surgilink-sender --control CMD`: the README's way to press a surgeon's button from a script, with no other
// program installed; the reply is printed and the exit code says what happened.
TEST(SurgeonControlsClient, CarriesOneCommandAndItsReplyAndSaysWhenNoSenderAnswers) {
  const auto dir = scratch_dir("surgeon-controls-client");
  const auto socket = dir / "or-controls.sock";
  const auto config = write_sender_config(dir);
  std::ofstream(config, std::ios::app) << "[or_controls]\nsocket = \"" << socket.string() << "\"\n";
  const auto control = [&](const std::string& command, std::string& reply) {
    tools::ChildProcess client({sender_program().string(), "--config", config.string(), "--control", command},
                               (dir / "client.err").string());
    reply = client.read_line(milliseconds{10000}).value_or("");
    return client.wait(milliseconds{10000}).value_or(-1);
  };
  std::string reply;
  EXPECT_EQ(control("status", reply), 3) << "no sender yet";
  EXPECT_THAT(read_text(dir / "client.err"), HasSubstr("no sender answers at"));
  RunningSender sender(config, dir / "sender.log");
  EXPECT_EQ(control("pause", reply), 0);
  EXPECT_THAT(reply, StartsWith("ok: PRIVACY PAUSE"));
  EXPECT_THAT(surgeon_command(socket, "status"), HasSubstr("PRIVACY PAUSE"));
  EXPECT_EQ(control("resume", reply), 0);
  EXPECT_THAT(reply, StartsWith("ok: annotations shown"));
  EXPECT_EQ(control("keep-annotations", reply), 1) << "nothing fades: refused";
  EXPECT_THAT(reply, StartsWith("error: "));
  EXPECT_EQ(control("no-such-button", reply), 1);
  EXPECT_THAT(reply, HasSubstr("unknown command"));
  // Ending a console's session: it is told why, and its connection closes.
  TestControlClient console(identity("mentor"));
  ASSERT_TRUE(console.hello(sender.control_port(), 40023).welcomed);
  EXPECT_EQ(control("end-session Dr. Nobody", reply), 1);
  EXPECT_THAT(reply, HasSubstr("no console called"));
  EXPECT_EQ(control("end-session", reply), 0);
  EXPECT_EQ(reply, "ok: ended the session of 1 console");
  const auto ended = next_message_of(console, "refusal");
  ASSERT_TRUE(ended.has_value()) << "the console was not told";
  EXPECT_EQ(*ended, "the OR ended this session");
  EXPECT_EQ(sender.stop(), 0);
  EXPECT_THAT(sender.log(), HasSubstr("privacy_paused by=socket"));
  EXPECT_THAT(sender.log(), HasSubstr("session_ended console=Dr. Dev Mentor"));
}

}  // namespace
}  // namespace surgilink::testing
