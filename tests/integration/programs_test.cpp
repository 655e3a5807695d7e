// The real programs: bad configuration, refusals with clear messages on both sides, reconnection.
#include <csignal>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "support/annotation_colours.hpp"
#include "support/console_status.hpp"
#include "support/running_sender.hpp"
#include "support/test_control_client.hpp"
#include "support/test_installation.hpp"

namespace surgilink::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

// --- bad configuration: exit code != 0 and a message naming file, line and key ---

ProgramResult run_sender_with(const std::filesystem::path& dir, const std::string& toml,
                              const std::string& name) {
  const auto config = dir / (name + ".toml");
  std::ofstream(config) << toml;
  return run_program({sender_program().string(), "--config", config.string(), "--seconds", "1"}, dir, name,
                     milliseconds{20000});
}

TEST(BadConfiguration, UnknownKeyNamesFileLineAndKey) {
  const auto dir = scratch_dir("config-unknown");
  auto text = read_text(write_sender_config(dir));
  text.insert(text.find("profile = "), "sourse = \"testsrc\"\n");
  const auto r = run_sender_with(dir, text, "unknown-key");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown-key.toml:5: key 'video.sourse': unknown setting"));
}

TEST(BadConfiguration, WrongTypeNamesFileLineAndKey) {
  const auto dir = scratch_dir("config-type");
  auto text = read_text(write_sender_config(dir));
  text.replace(text.find("control_port = 0"), 16, "control_port = \"seventy-four hundred\"");
  const auto r = run_sender_with(dir, text, "wrong-type");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("wrong-type.toml:"));
  EXPECT_THAT(r.err, HasSubstr("key 'network.control_port': expected an integer, found a string"));
}

TEST(BadConfiguration, MissingFileIsNamed) {
  const auto dir = scratch_dir("config-missing");
  const auto r = run_program({sender_program().string(), "--config", (dir / "nowhere.toml").string()}, dir,
                             "missing", milliseconds{20000});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr((dir / "nowhere.toml").string() + ": cannot open configuration file"));
}

TEST(BadConfiguration, ConsoleUnknownKeyIsRefusedToo) {
  const auto dir = scratch_dir("config-console");
  auto text = read_text(write_console_config(dir, 7400));
  text = "jitter_latency = 20\n" + text;
  const auto config = dir / "console-bad.toml";
  std::ofstream(config) << text;
  const auto r = run_program({console_program().string(), "--config", config.string(), "--headless"}, dir,
                             "console", milliseconds{20000});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("console-bad.toml:1: key 'jitter_latency': unknown setting"));
}

TEST(BadConfiguration, PortInUseIsNamed) {
  const auto dir = scratch_dir("config-port");
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor taken(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = taken.local_endpoint().port();
  const auto r = run_program({sender_program().string(), "--config", write_sender_config(dir).string(),
                              "--control-port", std::to_string(port)},
                             dir, "port", milliseconds{20000});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("control port 127.0.0.1:" + std::to_string(port) + " cannot be used"));
}

// --- refusals: clear on both sides, and the sender keeps serving others ---

class Refusals : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    sender_ = std::make_unique<RunningSender>(write_sender_config(dir_), dir_ / "sender.log");
  }

  ProgramResult run_console(const std::string& identity_name, std::vector<std::string> extra,
                            double seconds) {
    std::vector<std::string> argv = {
        console_program().string(),
        "--config",
        write_console_config(dir_, sender_->control_port(), identity_name).string(),
        "--headless",
        "--seconds",
        std::to_string(seconds),
        "--report-json",
        (dir_ / (identity_name + ".json")).string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_program(argv, dir_, "console-" + identity_name, milliseconds{30000});
  }

  // A mentor still gets pictures after the refusals: it decodes one (however long a loaded machine takes to
  // connect) and stops cleanly.
  void expect_mentor_served() {
    tools::ChildProcess mentor({console_program().string(), "--config",
                                write_console_config(dir_, sender_->control_port(), "mentor").string(),
                                "--headless", "--status-json"},
                               (dir_ / "console-mentor.err").string());
    const auto status = wait_for_status(mentor, 30, has_a_picture);
    EXPECT_TRUE(has_a_picture(status)) << status.dump();
    mentor.signal(SIGINT);
    EXPECT_EQ(mentor.wait(milliseconds{10000}).value_or(-1), 0) << read_text(dir_ / "console-mentor.err");
  }

  std::filesystem::path dir_;
  std::unique_ptr<RunningSender> sender_;
};

TEST_F(Refusals, CertificateFromAnotherCa) {
  const auto r = run_console("stranger", {}, 10);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_THAT(r.err, HasSubstr("certificate not accepted by Test OR (127.0.0.1:" +
                               std::to_string(sender_->control_port()) + ")"));
  EXPECT_THAT(r.err, HasSubstr("our certificate is not signed by a CA the peer trusts"));
  EXPECT_THAT(sender_->log(), HasSubstr("TLS handshake failed: certificate not trusted"));
  expect_mentor_served();
}

TEST_F(Refusals, CertificateNotInTheAccessList) {
  const auto r = run_console("unlisted", {}, 10);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_THAT(r.err, HasSubstr("is not in the access list of Test OR"));
  EXPECT_THAT(sender_->log(), HasSubstr("refused: certificate \"Dev Unlisted"));
  expect_mentor_served();
}

TEST_F(Refusals, OlderProtocolVersion) {
  const auto r = run_console("mentor", {"--protocol-version", "0"}, 10);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_THAT(r.err, HasSubstr("protocol version 0 is not supported; this sender speaks version 2"));
  EXPECT_THAT(sender_->log(), HasSubstr("protocol version 0 is not supported"));
  expect_mentor_served();
}

TEST_F(Refusals, NoClientCertificate) {
  // openssl s_client: a TLS 1.3 client no one here wrote, presenting no certificate.
  const auto r = run_program(
      {"/usr/bin/openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(sender_->control_port()),
       "-tls1_3", "-CAfile", (certificate_dir() / "ca.pem").string(), "-ign_eof"},
      dir_, "s_client", milliseconds{20000});
  EXPECT_THAT(r.out + r.err, HasSubstr("certificate required"));
  EXPECT_THAT(sender_->log(), HasSubstr("no client certificate presented"));
  expect_mentor_served();
}

TEST_F(Refusals, ObserverIsAdmittedWithItsRole) {
  TestControlClient client(identity("observer"));
  const auto answer = client.hello(sender_->control_port(), 40000);
  EXPECT_TRUE(answer.welcomed) << answer.refusal << answer.tls_error;
  EXPECT_EQ(answer.role, "observer");
  EXPECT_EQ(answer.srtp_profile, "AEAD_AES_128_GCM");
}

// --- restart: a console killed and started again gets a picture through an IDR it asked for ---

// The sender's newest status line: the last one it printed already, or with `fresh` the next one to come.
nlohmann::json newest_sender_status(RunningSender& sender, bool fresh) {
  std::optional<std::string> line;
  while (auto buffered = sender.next_status(milliseconds{0})) line = std::move(buffered);
  if (fresh || !line) line = sender.next_status(milliseconds{3000});
  return line ? nlohmann::json::parse(*line, nullptr, false) : nlohmann::json();
}

std::int64_t keyframes_forced(RunningSender& sender, bool fresh) {
  const auto status = newest_sender_status(sender, fresh);
  return status.is_object() ? status.value("keyframes_forced", std::int64_t{-1}) : -1;
}

TEST(Reconnection, RestartedConsoleGetsAPictureThroughAKeyframeOnRequest) {
  const auto dir = scratch_dir("restart");
  // Periodic IDRs only every 60 s (the longest allowed): a picture in this test's first minute after the one
  // at the start can only come from a keyframe a console asked for.
  RunningSender sender(write_sender_config(dir, "keyframe_interval_s = 60"), dir / "sender.log");
  const auto config = write_console_config(dir, sender.control_port());
  {
    tools::ChildProcess first(
        {console_program().string(), "--config", config.string(), "--headless", "--status-json"},
        (dir / "first.err").string());
    // Wait until it is receiving, then kill it without warning.
    ASSERT_TRUE(has_a_picture(wait_for_status(first, 30, has_a_picture))) << read_text(dir / "first.err");
    first.signal(SIGKILL);
    first.wait(milliseconds{5000});
  }
  // Printed before the second console starts, so it cannot count that console's request.
  const auto forced_before = keyframes_forced(sender, false);
  ASSERT_GE(forced_before, 0) << "no status line from the sender";
  tools::ChildProcess second(
      {console_program().string(), "--config", config.string(), "--headless", "--status-json"},
      (dir / "second.err").string());
  const auto status = wait_for_status(second, 30, has_a_picture);
  ASSERT_TRUE(has_a_picture(status)) << "no picture after the restart: " << status.dump();
  second.signal(SIGINT);
  EXPECT_EQ(second.wait(milliseconds{10000}).value_or(-1), 0);
  EXPECT_GT(keyframes_forced(sender, true), forced_before)
      << "the restarted console's picture was no IDR on request";
  EXPECT_THAT(sender.log(), HasSubstr("left"));
}

}  // namespace
}  // namespace surgilink::testing

namespace surgilink::testing {
namespace {

// --- a recorded clip as the source: decoded, scaled to the profile, and looped past its end ---

TEST(FileSource, RecordedClipIsStreamedAndLooped) {
  const auto dir = scratch_dir("file-source");
  const auto clip = dir / "clip.mp4";
  // A 1.5 s clip at another size and rate than the stream, made by a stock GStreamer pipeline.
  const auto made = run_program({"/usr/bin/gst-launch-1.0", "-q", "videotestsrc", "num-buffers=38",
                                 "pattern=smpte", "!", "video/x-raw,width=640,height=360,framerate=25/1", "!",
                                 "x264enc", "!", "mp4mux", "!", "filesink", "location=" + clip.string()},
                                dir, "make-clip", milliseconds{30000});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  RunningSender sender(write_sender_config(dir), dir / "sender.log",
                       {"--source", "file:" + clip.string(), "--pixel-code", "true"});
  tools::ChildProcess console(
      {console_program().string(), "--config", write_console_config(dir, sender.control_port()).string(),
       "--headless", "--status-json", "--report-json", (dir / "console.json").string()},
      (dir / "console.err").string());
  // One pass of the 1.5 s clip is about 46 pictures at the profile's 30 fps: more than that in a row means
  // the source looped.
  constexpr int kOnePass = 46;
  const auto looped = [](const nlohmann::json& s) { return s.value("frames_decoded", 0) > kOnePass + 15; };
  const auto status = wait_for_status(console, 30, looped);
  EXPECT_TRUE(looped(status)) << status.dump();
  console.signal(SIGINT);
  ASSERT_EQ(console.wait(milliseconds{10000}).value_or(-1), 0) << read_text(dir / "console.err");
  const auto report = nlohmann::json::parse(read_text(dir / "console.json"));
  EXPECT_GT(report["frames_received"].get<int>(), kOnePass);
  // Scaled to the profile with the pixel code drawn on every picture.
  EXPECT_EQ(report["frames_pixel_unreadable"].get<int>(), 0);
  // Across the loops each frame keeps its own capture time: the metadata and the pixel code agree.
  EXPECT_LT(report["max_metadata_pixel_disagreement_ms"].get<double>(), 5.0);
  EXPECT_THAT(sender.log(), HasSubstr("looping"));
}

}  // namespace
}  // namespace surgilink::testing

namespace surgilink::testing {
namespace {

// --- the real console window rendered offscreen leaves a screenshot (the demo's path without a display) ---

TEST(ConsoleScreenshot, OffscreenWindowIsSavedAndShowsTheField) {
  const auto dir = scratch_dir("screenshot");
  RunningSender sender(write_sender_config(dir), dir / "sender.log");
  const auto png = dir / "console.png";
  const auto r = run_program(
      {console_program().string(), "--config", write_console_config(dir, sender.control_port()).string(),
       "--host", "127.0.0.1", "--control-port", std::to_string(sender.control_port()), "--seconds", "4",
       "--screenshot", png.string(), "--report-json", (dir / "console.json").string()},
      dir, "console", milliseconds{30000}, {"QT_QPA_PLATFORM=offscreen"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("screenshot: " + png.string()));
  ASSERT_TRUE(std::filesystem::exists(png));
  EXPECT_GT(std::filesystem::file_size(png), 50'000u)
      << "a 1600x900 window with video compresses to far more";
  const auto report = nlohmann::json::parse(read_text(dir / "console.json"));
  EXPECT_GT(report["frames_received"].get<int>(), 0);
  // With a window, glass-to-glass ends at presentation: the render stage is measured.
  EXPECT_FALSE(report["stages_ms"]["render"].is_null());
}

// --- the demo shows both screens: the console's and the surgeon's monitor, with the scripted mentor's
// drawing ---

TEST(Demo, PrintsBothScreenshotsAndTheOrOneShowsTheScriptedMentorsAnnotations) {
  const auto dir = scratch_dir("demo");
  const auto r =
      run_program({(std::filesystem::path(SURGILINK_BINARY_DIR) / "tools" / "surgilink-bench").string(),
                   "demo", "--seconds", "8", "--profile", "720p30", "--vitals", "none"},
                  dir, "demo", milliseconds{60000});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\nscreenshot: /"));
  const auto at = r.out.find("\nor_screenshot: ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const auto start = at + std::string("\nor_screenshot: ").size();
  const std::filesystem::path png = r.out.substr(start, r.out.find('\n', start) - start);
  EXPECT_TRUE(png.is_absolute()) << png;
  const cv::Mat shown = cv::imread(png.string(), cv::IMREAD_COLOR);
  ASSERT_FALSE(shown.empty()) << "no OR screenshot at " << png;
  EXPECT_GT(cv::countNonZero(annotation_colour_mask(shown)), 2000)
      << "the demo's OR screenshot shows no annotations (" << png << ")";
}

}  // namespace
}  // namespace surgilink::testing
