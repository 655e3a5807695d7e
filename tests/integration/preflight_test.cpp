// Pre-flight (issue 15) with the real programs on loopback: surgilink-console --preflight measures the link
// to a real sender over the real session (TLS, access list, SRTP probes), prints the verdict and figures,
// and the sender keeps the outcome in its audit trail; a console the access list does not name, or one that
// asks during a live case, is refused and nothing is measured; a lower-bound rate is not taken for the
// link of the same person's console that joins next.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <span>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "process/child_process.hpp"
#include "support/console_status.hpp"
#include "support/running_sender.hpp"
#include "support/test_installation.hpp"
#include "surgilink/session/preflight.hpp"

namespace surgilink::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

ProgramResult preflight(const std::filesystem::path& config, const std::filesystem::path& dir,
                        const std::string& name, std::vector<std::string> more = {}) {
  std::vector<std::string> argv{
      console_program().string(), "--config", config.string(), "--preflight", "Test OR", "--json"};
  argv.insert(argv.end(), more.begin(), more.end());
  return run_program(argv, dir, name, milliseconds{40000});
}

TEST(Preflight, TheConsoleMeasuresTheLinkAndTheSenderKeepsTheOutcome) {
  const auto dir = scratch_dir("preflight-loopback");
  RunningSender sender(write_sender_config(dir),
                       dir / "sender.log");  // streams 720p30 (6000 kbit/s: 1080p30)
  const auto r = preflight(write_console_config(dir, sender.control_port()), dir, "preflight");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto result = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(result.is_object()) << r.out;
  EXPECT_TRUE(result["measured"].get<bool>());
  EXPECT_EQ(result["site"], "Test OR");
  EXPECT_EQ(result["sender_profile"], "720p30");
  // The ramp's cap is 1.5 x the sender's profile rate (720p30: 3 Mbit/s), and loopback carries it cleanly.
  EXPECT_EQ(result["max_rate_bps"].get<long>(), 4'500'000);
  EXPECT_TRUE(result["rate_capped"].get<bool>()) << r.out;
  EXPECT_GT(result["achievable_bps"].get<long>(), 4'000'000);
  EXPECT_LE(result["achievable_bps"].get<long>(), 4'600'000);
  // The verdict names nothing above what this sender streams.
  EXPECT_EQ(result["verdict"], "720p30") << r.out;
  EXPECT_GT(result["rtt_samples"].get<long>(), 100);
  EXPECT_LT(result["rtt_p50_ms"].get<double>(), 10);
  EXPECT_LT(result["loss_to_mentor"].get<double>(), 0.02);
  EXPECT_LT(result["loss_to_or"].get<double>(), 0.02);
  // The sender's evidence: the console's verdict and figures, and its own counts beside them (on their way
  // when the console exits: the sender's next status line comes after them).
  sender.log_once("audit: preflight console=", std::chrono::seconds{8});
  const auto log = sender.log();
  EXPECT_THAT(log, HasSubstr("audit: preflight_started console=Dr. Dev Mentor"));
  EXPECT_THAT(log, HasSubstr("audit: preflight console=Dr. Dev Mentor"));
  EXPECT_THAT(log, HasSubstr("verdict=720p30"));
  EXPECT_THAT(log, HasSubstr("sender_figures=pings received"));
  // A pre-flight is no member of the session: nobody joined.
  EXPECT_THAT(log, Not(HasSubstr("admitted:")));

  // Human form: the verdict in words, then the figures.
  const auto human = run_program(
      {console_program().string(), "--config", write_console_config(dir, sender.control_port()).string(),
       "--preflight", "Test OR", "--preflight-seconds", "5"},
      dir, "preflight-human", milliseconds{40000});
  ASSERT_EQ(human.exit_code, 0) << human.err;
  EXPECT_THAT(human.out, HasSubstr("Test OR: This link carries"));
  EXPECT_THAT(human.out, HasSubstr("rtt p50"));
  // 5 s is too short to ramp up to the cap: the rate is a lower bound, and says so.
  EXPECT_THAT(human.out, HasSubstr("limited by time"));

  // The same person's console joins. Loopback's rate is a lower bound (the ramp reached its cap, or here
  // ran out of time): not taken for the joining console's link, which counts as unknown until its first
  // report (tests/tools/link_preflight_test.cpp: rural's measured limit is taken).
  const auto joined =
      run_program({console_program().string(), "--config",
                   write_console_config(dir, sender.control_port()).string(), "--headless", "--seconds", "2"},
                  dir, "join", milliseconds{40000});
  EXPECT_EQ(joined.exit_code, 0) << joined.err;
  sender.log_once(" admitted: ", std::chrono::seconds{8});
  EXPECT_THAT(sender.log(), HasSubstr(" admitted: Dr. Dev Mentor"));
  EXPECT_THAT(sender.log(), Not(HasSubstr("link until its first report")));
}

TEST(Preflight, AStrangerAndACaseInProgressAreRefusedAndNothingIsMeasured) {
  const auto dir = scratch_dir("preflight-refused");
  RunningSender sender(write_sender_config(dir), dir / "sender.log");
  const auto unlisted =
      preflight(write_console_config(dir, sender.control_port(), "unlisted"), dir, "unlisted");
  EXPECT_EQ(unlisted.exit_code, 4);
  EXPECT_THAT(unlisted.err, HasSubstr("is not in the access list"));
  const auto out = nlohmann::json::parse(unlisted.out, nullptr, false);
  ASSERT_TRUE(out.is_object()) << unlisted.out;
  EXPECT_FALSE(out["measured"].get<bool>());

  // A case in progress: a mentor's console is connected and receiving.
  const auto config = write_console_config(dir, sender.control_port());
  tools::ChildProcess live(
      {console_program().string(), "--config", config.string(), "--headless", "--status-json"},
      (dir / "live.err").string());
  ASSERT_TRUE(has_a_picture(wait_for_status(live, 30, has_a_picture))) << read_text(dir / "live.err");
  const auto during = preflight(write_console_config(dir, sender.control_port(), "observer"), dir, "during");
  EXPECT_EQ(during.exit_code, 4);
  EXPECT_THAT(during.err, HasSubstr("no pre-flight during a live case"));
  live.signal(SIGINT);
  EXPECT_EQ(live.wait(milliseconds{10000}).value_or(-1), 0);
  const auto log = sender.log();
  EXPECT_THAT(log, Not(HasSubstr("pre-flight granted")));
  EXPECT_THAT(log, HasSubstr("audit: preflight_refused"));
}

TEST(Preflight, AStrangersProbesOnTheMediaPortGetNothingDuringAPreflight) {
  const auto dir = scratch_dir("preflight-stranger");
  RunningSender sender(write_sender_config(dir), dir / "sender.log");
  tools::ChildProcess console(
      {console_program().string(), "--config", write_console_config(dir, sender.control_port()).string(),
       "--preflight", "Test OR", "--preflight-seconds", "5", "--json"},
      (dir / "console.err").string());
  sender.log_once("pre-flight granted", std::chrono::seconds{10});
  ASSERT_THAT(sender.log(), HasSubstr("pre-flight granted"));
  // A ping as a console would send it, but in the clear from an address the sender never granted.
  const int stranger = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(stranger, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(sender.media_port()));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::array<std::uint8_t, 12 + session::kProbeHeaderSize> packet{};
  packet[0] = 0x80;
  packet[1] = session::kProbePayloadType;
  session::ProbePacket ping;
  session::write_probe(std::span(packet).subspan(12), ping);
  for (int i = 0; i < 20; ++i)
    ::sendto(stranger, packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  // Nothing comes back: no echo, no ramp (a second is many times the loopback round trip).
  timeval wait{1, 0};
  ::setsockopt(stranger, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  std::array<std::uint8_t, 2048> reply{};
  EXPECT_LT(::recv(stranger, reply.data(), reply.size(), 0), 0);
  ::close(stranger);
  // The granted pre-flight is not disturbed, and the stranger's datagrams were counted.
  const auto line = console.read_line(milliseconds{20000});
  ASSERT_TRUE(line.has_value()) << read_text(dir / "console.err");
  const auto result = nlohmann::json::parse(*line, nullptr, false);
  ASSERT_TRUE(result.is_object()) << *line;
  EXPECT_TRUE(result["measured"].get<bool>());
  EXPECT_LT(result["loss_to_or"].get<double>(), 0.02);
  EXPECT_EQ(console.wait(milliseconds{10000}).value_or(-1), 0);
  long rejected = 0;
  for (const auto until = std::chrono::steady_clock::now() + std::chrono::seconds{5};
       rejected < 20 && std::chrono::steady_clock::now() < until;) {
    const auto status = sender.next_status(milliseconds{1500});
    if (!status) continue;
    const auto j = nlohmann::json::parse(*status, nullptr, false);
    if (j.is_object()) rejected = j.value("rejected_datagrams", 0L);
  }
  EXPECT_GE(rejected, 20);
}

TEST(Preflight, ABadDurationIsRefusedBeforeConnecting) {
  const auto dir = scratch_dir("preflight-duration");
  const auto r = run_program({console_program().string(), "--config", write_console_config(dir, 1).string(),
                              "--preflight", "Test OR", "--preflight-seconds", "600"},
                             dir, "duration", milliseconds{20000});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("use 5 to 60 s"));
}

}  // namespace
}  // namespace surgilink::testing
