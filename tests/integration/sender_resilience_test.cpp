// The OR sender outlives every peer (DESIGN.md §8; issue 12): what an admitted console, an observer included,
// or an unauthenticated stranger sends can close that connection, never the process, and cannot starve the
// mentor's picture. Through the real sender process.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "process/child_process.hpp"
#include "support/console_status.hpp"
#include "support/running_sender.hpp"
#include "support/test_control_client.hpp"
#include "support/test_installation.hpp"
#include "surgilink/annotation/wire.hpp"

namespace surgilink::testing {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;

// A sender config with an audit log and the [session] settings given.
// (The product's defaults unless a test names others.)
std::filesystem::path config_with(const std::filesystem::path& dir, const std::string& session = {}) {
  const auto config = write_sender_config(dir, {}, {}, session);
  std::ofstream(config, std::ios::app) << "[audit]\nlog = \"" << (dir / "audit.jsonl").string() << "\"\n";
  return config;
}

// The sender still serves: a new console is admitted, and its audit log is intact JSON lines.
void expect_sender_serves(RunningSender& sender, const std::filesystem::path& dir) {
  TestControlClient later(identity("observer"));
  const HelloAnswer answer = later.hello(sender.control_port(), 40090);
  EXPECT_TRUE(answer.welcomed) << answer.refusal << answer.tls_error << "\n" << sender.log();
  const auto verdict =
      run_program({sender_program().string(), "--verify-audit", (dir / "audit.jsonl").string()}, dir,
                  "verify", milliseconds{10000});
  EXPECT_EQ(verdict.exit_code, 0) << verdict.out << verdict.err;
}

// The sender's next JSON status line for which `done` holds (at most `lines` lines); the last one read.
template <typename Done>
json sender_status(RunningSender& sender, int lines, Done done) {
  json last;
  for (int i = 0; i < lines; ++i) {
    const auto line = sender.next_status(milliseconds{3000});
    if (!line) break;
    last = json::parse(*line, nullptr, false);
    if (!last.is_discarded() && last.contains("uptime_s") && done(last)) return last;
  }
  return last;
}

std::size_t line_count(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

// Version 1 carried the flagged row as a string, and a name cut inside "é" at byte 32 stopped the sender.
// Version 2 carries an enum: a row number this sender does not know is refused like an unknown name was.
TEST(SenderOutlivesPeers, AVitalsFlagForNoKnownRowClosesNothingButThatMessage) {
  const auto dir = scratch_dir("resilience-flag-row");
  RunningSender sender(config_with(dir), dir / "sender.log");
  for (const char* who : {"observer", "mentor"}) {
    TestControlClient console(identity(who));
    ASSERT_TRUE(console.hello(sender.control_port(), 40081).welcomed);
    console.send_vitals_flag_row(0, true);
    console.send_vitals_flag_row(99, true);
    console.send_vitals_flag_row(-7, true);
    console.send_clock_ping();
    const auto pong = next_message_of(console, "clock_pong");
    EXPECT_TRUE(pong.has_value()) << who << ": the connection should survive a refused flag\n"
                                  << sender.log();
  }
  expect_sender_serves(sender, dir);
  const std::string audit = read_text(dir / "audit.jsonl");
  EXPECT_NE(audit.find("vitals_flag_refused"), std::string::npos) << audit;
  EXPECT_EQ(sender.stop(), 0) << sender.log();
}

// Peers' strings reach the log and the audit log as safe text: the software string of a hello.
TEST(SenderOutlivesPeers, AHellosSoftwareStringCannotForgeLogLines) {
  const auto dir = scratch_dir("resilience-software");
  RunningSender sender(config_with(dir), dir / "sender.log");
  TestControlClient console(identity("observer"));
  ASSERT_TRUE(console
                  .hello(sender.control_port(), 40093, session::kProtocolVersion,
                         "evil\n2026-12-03 09:00:00.000 sender info audit: forged " + std::string(5000, 'x'))
                  .welcomed);
  EXPECT_EQ(sender.stop(), 0);
  const std::string log = sender.log();
  EXPECT_EQ(log.find("\n2026-12-03 09:00:00.000 sender info audit: forged"), std::string::npos) << log;
  EXPECT_NE(log.find("evil\\x0a2026"), std::string::npos) << log;
  EXPECT_EQ(log.find(std::string(1000, 'x')), std::string::npos) << "a peer's string is bounded in the log";
}

// A certificate signed by the site CA whose common name is a Latin-1 T61String (not UTF-8), not listed.
session::TlsFiles latin1_certificate(const std::filesystem::path& dir) {
  const auto ca = certificate_dir();
  const auto cnf = dir / "latin1.cnf";
  std::ofstream(cnf) << "[req]\ndistinguished_name = dn\nstring_mask = nombstr\nprompt = no\n"
                        "[dn]\nCN = Dr. Jos\xe9 Mu\xf1oz\n";
  const std::string d = dir.string();
  const std::string command = "cd " + d +
                              " && openssl ecparam -name prime256v1 -genkey -noout -out latin1.key"
                              " && openssl req -new -key latin1.key -config latin1.cnf -out latin1.csr"
                              " && openssl x509 -req -in latin1.csr -CA " +
                              (ca / "ca.pem").string() + " -CAkey " + (ca / "ca.key").string() +
                              " -CAcreateserial -days 2 -out latin1.pem 2>/dev/null";
  if (std::system(command.c_str()) != 0) return {};
  return {ca / "ca.pem", dir / "latin1.pem", dir / "latin1.key"};
}

TEST(SenderOutlivesPeers, ACertificateNameThatIsNotUtf8IsRefusedCleanly) {
  const auto dir = scratch_dir("resilience-latin1-cn");
  const auto latin1 = latin1_certificate(dir);
  ASSERT_FALSE(latin1.certificate.empty()) << "openssl could not make the test certificate";
  RunningSender sender(config_with(dir), dir / "sender.log");
  TestControlClient stranger(latin1);
  const HelloAnswer answer = stranger.hello(sender.control_port(), 40082);
  EXPECT_FALSE(answer.welcomed);
  EXPECT_NE(answer.refusal.find("not in the access list"), std::string::npos)
      << answer.refusal << answer.tls_error;
  expect_sender_serves(sender, dir);
  EXPECT_EQ(sender.stop(), 0) << sender.log();
}

// Connects `count` TCP sockets to 127.0.0.1:port from source addresses 127.0.1.1, 127.0.1.2, … (`per_address`
// each) and says nothing on them. Returns the descriptors (closed by the caller).
std::vector<int> unauthenticated_flood(int port, int count, int per_address) {
  std::vector<int> sockets;
  for (int i = 0; i < count; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) break;
    sockaddr_in from{};
    from.sin_family = AF_INET;
    from.sin_addr.s_addr = htonl(0x7f000100u + 1u + static_cast<unsigned>(i / per_address));
    ::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);  // non-blocking: completes in the kernel
    sockets.push_back(fd);
  }
  return sockets;
}

// The descriptors a process holds now.
std::size_t open_descriptors(int pid) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
    ++n;
  return n;
}

TEST(SenderOutlivesPeers, AFloodOfUnauthenticatedConnectionsDoesNotStarveTheMentor) {
  // This process holds 2,000 sockets of its own.
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_max < 2200) GTEST_SKIP() << "needs 2,200 descriptors, the hard limit is " << limit.rlim_max;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);

  const auto dir = scratch_dir("resilience-flood");
  // A service's usual limit: 1,024 descriptors, soft and hard.
  RunningSender sender(config_with(dir), dir / "sender.log", {}, {},
                       {"/usr/bin/prlimit", "--nofile=1024:1024"});
  tools::ChildProcess mentor({console_program().string(), "--config",
                              write_console_config(dir, sender.control_port(), "mentor").string(),
                              "--headless", "--status-json", "--seconds", "30"},
                             (dir / "mentor.err").string());
  const json before = wait_for_status(mentor, 30, has_a_picture);
  ASSERT_TRUE(has_a_picture(before)) << before.dump();

  const auto cpu_before = sender.cpu_time();
  const auto flood_started = std::chrono::steady_clock::now();
  std::vector<int> flood = unauthenticated_flood(sender.control_port(), 2000, 20);
  EXPECT_EQ(flood.size(), 2000u);
  // Four seconds under the flood: the mentor's picture keeps coming.
  std::uint64_t decoded_start = 0, decoded_end = 0;
  for (int i = 0; i < 5; ++i) {
    const auto line = mentor.read_line(milliseconds{3000});
    ASSERT_TRUE(line) << "the mentor console stopped reporting";
    const json s = json::parse(*line, nullptr, false);
    if (i == 0) decoded_start = s.value("frames_decoded", std::uint64_t{0});
    decoded_end = s.value("frames_decoded", std::uint64_t{0});
    EXPECT_FALSE(s.value("link_lost", true)) << s.dump();
  }
  const double flooded_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - flood_started).count();
  const double cpu_pct =
      100.0 * std::chrono::duration<double>(sender.cpu_time() - cpu_before).count() / flooded_s;
  const std::size_t held = open_descriptors(sender.pid());
  for (const int fd : flood) ::close(fd);
  // The figures for the note (issue 12), read with ctest -V.
  std::cout << "under a flood of " << flood.size() << " connections for " << flooded_s << " s: sender cpu "
            << cpu_pct << " %, descriptors held " << held << ", mentor decoded "
            << (decoded_end - decoded_start) << " frames\n";

  // Each status line above said the link was not lost (a picture within every second); the count grew too.
  // How many frames a second get through is the bench's fps_received target, not this test's.
  EXPECT_GT(decoded_end, decoded_start) << "the mentor's picture stalled under the flood";
  // A network thread that spins on accept() errors costs a whole core on top of the stream (~40 % at 720p).
  EXPECT_LT(cpu_pct, 100.0) << "the sender spins under the flood";
  // Pending handshakes are capped: the flood cannot take the sender's descriptors.
  EXPECT_LT(held, 512u) << "descriptors held by the sender under the flood";
  expect_sender_serves(sender, dir);
  mentor.signal(SIGINT);
  mentor.wait(milliseconds{10000});
  EXPECT_EQ(sender.stop(), 0) << sender.log();
  // Log lines from peers are bounded (issue 12: 3,000 half-open connections wrote 6,000 warning lines):
  // repeats are summarised per source and interval.
  const std::string log = sender.log();
  const auto lines = std::count(log.begin(), log.end(), '\n');
  std::cout << "sender log after the flood: " << lines << " lines\n";
  EXPECT_LT(lines, 200) << "the flood is written out line by line";
}

TEST(SenderOutlivesPeers, TheSenderRaisesItsDescriptorLimit) {
  const auto dir = scratch_dir("resilience-nofile");
  RunningSender sender(config_with(dir), dir / "sender.log", {}, {},
                       {"/usr/bin/prlimit", "--nofile=256:8192"});
  std::ifstream limits("/proc/" + std::to_string(sender.pid()) + "/limits");
  std::string line, soft;
  while (std::getline(limits, line)) {
    if (line.rfind("Max open files", 0) == 0) {
      std::istringstream fields(line.substr(std::string("Max open files").size()));
      fields >> soft;
    }
  }
  EXPECT_EQ(soft, "8192") << "the soft limit should be raised to the hard limit";
  EXPECT_EQ(sender.stop(), 0);
}

TEST(SenderOutlivesPeers, AnObserversFloodOfRefusedMessagesIsLimitedAndSummarised) {
  const auto dir = scratch_dir("resilience-refusals");
  RunningSender sender(config_with(dir), dir / "sender.log");
  TestControlClient observer(identity("observer"));
  ASSERT_TRUE(observer.hello(sender.control_port(), 40083).welcomed);
  const std::size_t audit_before = line_count(dir / "audit.jsonl");
  for (int i = 0; i < 2000; ++i) observer.send_vitals_flag("hr", (i % 2) == 0);  // observers may not flag
  observer.send_clock_ping();
  // The observer may be dropped for flooding; either way the sender serves and its audit log stays short.
  const auto status = sender_status(sender, 4, [](const json&) { return false; });
  EXPECT_LT(line_count(dir / "audit.jsonl") - audit_before, 60u)
      << "refusals must be summarised, not one flushed audit line each";
  const std::string audit = read_text(dir / "audit.jsonl");
  EXPECT_NE(audit.find("rate_limited"), std::string::npos) << "the flood is audited as rate-limited";
  expect_sender_serves(sender, dir);
  EXPECT_EQ(sender.stop(), 0) << sender.log();
}

// A Begin with 4,000 points (~32 KB on the wire), for filling a slow reader's queue.
std::vector<std::uint8_t> big_stroke(const std::string& author, int n) {
  annotation::AnnotationOperation op = begin_stroke(author, n);
  auto& draft = std::get<annotation::Begin>(op).draft;
  draft.points.clear();
  for (int i = 0; i < 4000; ++i)
    draft.points.push_back(
        {0.1F + 0.8F * static_cast<float>(i) / 4000.0F, 0.5F + 0.0001F * static_cast<float>(i % 7)});
  return annotation::encode_proposal(op);
}

TEST(SenderOutlivesPeers, AConsoleThatNeverReadsIsDropped) {
  const auto dir = scratch_dir("resilience-slow-reader");
  RunningSender sender(config_with(dir), dir / "sender.log");
  TestControlClient sleeper(identity("observer"), 4096);
  ASSERT_TRUE(sleeper.hello(sender.control_port(), 40084).welcomed);
  TestControlClient mentor(identity("mentor"));
  const HelloAnswer m = mentor.hello(sender.control_port(), 40085);
  ASSERT_TRUE(m.welcomed);
  // Every accepted stroke is broadcast to the observer, which never reads: its queue would only grow.
  bool dropped = false;
  for (int round = 0; round < 40 && !dropped; ++round) {
    for (int i = 0; i < 20; ++i) {
      mentor.send_annotation_proposal(big_stroke(m.annotation_author, round * 20 + i));
      mentor.send_annotation_proposal(annotation::encode_proposal(
          annotation::Delete{m.annotation_author + "-" + std::to_string(round * 20 + i)}));
    }
    mentor.send_clock_ping();
    for (int k = 0; k < 200; ++k) {
      const auto message = mentor.read_message(milliseconds{1000});
      if (!message) break;
      if (message->kind == "roster" && message->bytes.find("observer") == std::string::npos) dropped = true;
      if (message->kind == "clock_pong") break;
    }
  }
  EXPECT_TRUE(dropped) << "the observer that never reads should be dropped\n" << sender.log();
  expect_sender_serves(sender, dir);
  EXPECT_EQ(sender.stop(), 0) << sender.log();
}

TEST(SenderOutlivesPeers, KeyframeRequestsAreLimitedPerConsole) {
  const auto dir = scratch_dir("resilience-pli");
  RunningSender sender(config_with(dir), dir / "sender.log");
  TestControlClient observer(identity("observer"));
  const std::uint32_t media_port = tools::free_loopback_port();
  ASSERT_TRUE(observer.hello(sender.control_port(), media_port).welcomed);
  const json joined = sender_status(sender, 5, [](const json& s) { return s.value("consoles", 0) == 1; });
  const auto forced_before = joined.value("keyframes_forced", std::uint64_t{0});
  // 150 loss reports in 3 s: one console asking for a keyframe every 20 ms.
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 150; ++i) {
    // A load generator's pace (one report every 20 ms), not a wait for something.
    std::this_thread::sleep_until(start + milliseconds{20 * i});
    observer.send_picture_loss(media_port, sender.media_port());
    if (i % 25 == 0) observer.send_clock_ping();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const json after = sender_status(sender, 3, [](const json&) { return false; });
  const auto forced = after.value("keyframes_forced", std::uint64_t{0}) - forced_before;
  std::cout << "forced keyframes: " << forced << " in " << seconds << " s\n";
  EXPECT_GE(forced, 1u) << "a real loss report still gets a keyframe";
  EXPECT_LE(static_cast<double>(forced), seconds + 2) << "at most one forced keyframe a second per console";
  EXPECT_EQ(sender.stop(), 0) << sender.log();
}

TEST(SenderOutlivesPeers, ASilentConsoleIsDroppedAndItsPenWaitsForItsReturn) {
  const auto dir = scratch_dir("resilience-liveness");
  RunningSender sender(config_with(dir, "liveness_s = 2\nresume_s = 20\n"), dir / "sender.log");
  TestControlClient observer(identity("observer"));
  ASSERT_TRUE(observer.hello(sender.control_port(), 40086).welcomed);
  TestControlClient mentor(identity("mentor"));
  const HelloAnswer first = mentor.hello(sender.control_port(), 40087);
  ASSERT_TRUE(first.welcomed);
  EXPECT_NE(next_controls(mentor).find("pen=" + first.annotation_author), std::string::npos);

  // The mentor goes silent (a dead link): within liveness_s it is dropped; the observer, which pings, stays.
  bool mentor_gone = false;
  for (int i = 0; i < 12 && !mentor_gone; ++i) {
    observer.send_clock_ping();
    for (auto m = observer.read_message(milliseconds{500}); m; m = observer.read_message(milliseconds{100})) {
      if (m->kind == "roster" && m->bytes.find("mentor") == std::string::npos) mentor_gone = true;
    }
  }
  EXPECT_TRUE(mentor_gone) << "a console silent for liveness_s is dropped\n" << sender.log();

  // The same certificate comes back within resume_s: the pen is its own again, without anyone acting.
  TestControlClient back(identity("mentor"));
  const HelloAnswer again = back.hello(sender.control_port(), 40088);
  ASSERT_TRUE(again.welcomed);
  EXPECT_NE(next_controls(back).find("pen=" + again.annotation_author), std::string::npos);
  EXPECT_EQ(sender.stop(), 0) << sender.log();
}

TEST(SenderOutlivesPeers, ASecondConnectionWithTheSameCertificateReplacesTheFirst) {
  const auto dir = scratch_dir("resilience-same-certificate");
  RunningSender sender(config_with(dir), dir / "sender.log");
  TestControlClient old_link(identity("mentor"));
  const HelloAnswer first = old_link.hello(sender.control_port(), 40091);
  ASSERT_TRUE(first.welcomed);
  // The mentor's laptop changed network: its old connection still looks open to the sender.
  TestControlClient new_link(identity("mentor"));
  const HelloAnswer second = new_link.hello(sender.control_port(), 40092);
  ASSERT_TRUE(second.welcomed) << second.refusal;
  std::string roster, controls;
  for (int i = 0; i < 10 && (roster.empty() || controls.empty()); ++i) {
    const auto m = new_link.read_message();
    if (!m) break;
    if (m->kind == "roster") roster = m->bytes;
    if (m->kind == "or_controls") controls = m->bytes;
  }
  EXPECT_NE(controls.find("pen=" + second.annotation_author), std::string::npos)
      << "the new connection holds the pen";
  ASSERT_FALSE(roster.empty());
  EXPECT_EQ(roster.find("mentor/" + first.annotation_author), std::string::npos)
      << "one live connection per certificate: " << roster;
  EXPECT_TRUE(old_link.closed_by_sender(milliseconds{5000})) << "the old connection is closed by the sender";
  EXPECT_EQ(sender.stop(), 0) << sender.log();
}

}  // namespace
}  // namespace surgilink::testing

namespace surgilink::testing {
namespace {

// The processes a process started (its threads' children).
std::vector<int> children_of(int pid) {
  std::vector<int> out;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream in(task.path() / "children");
    for (int child = 0; in >> child;) out.push_back(child);
  }
  return out;
}

bool alive(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  // A zombie (state Z) has stopped: only its parent has not reaped it yet.
  const auto state = text.find(") ");
  return !text.empty() && state != std::string::npos && text[state + 2] != 'Z';
}

// SIGTERM or SIGHUP to the demo (as a service manager or a closed terminal sends them), not only Ctrl-C in a
// terminal: the sender and console it started stop too (issue 12).
class NoChildOutlivesItsParent : public ::testing::TestWithParam<int> {};

TEST_P(NoChildOutlivesItsParent, TheDemosSenderAndConsoleStopWithIt) {
  const auto dir = scratch_dir("children-" + std::to_string(GetParam()));
  tools::ChildProcess demo(
      {(std::filesystem::path(SURGILINK_BINARY_DIR) / "tools" / "surgilink-bench").string(), "demo",
       "--seconds", "60", "--status-json"},
      (dir / "demo.err").string());
  // The console's first status line (JSON; the demo's own lines are text): both children run.
  bool status = false;
  for (int i = 0; i < 10 && !status; ++i) {
    const auto line = demo.read_line(milliseconds{20000});
    ASSERT_TRUE(line) << read_text(dir / "demo.err");
    status = line->rfind("{", 0) == 0;
  }
  ASSERT_TRUE(status);
  const std::vector<int> children = children_of(demo.pid());
  ASSERT_EQ(children.size(), 2u) << "the demo runs a sender and a console";
  demo.signal(GetParam());
  demo.wait(milliseconds{10000});
  for (const int child : children) {
    // Waits on the process itself (a pidfd becomes readable when it ends), at most 10 s.
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, child, 0));
    bool stopped = pidfd < 0;  // already gone
    if (pidfd >= 0) {
      pollfd ended{pidfd, POLLIN, 0};
      stopped = ::poll(&ended, 1, 10000) == 1 || !alive(child);
      ::close(pidfd);
    }
    EXPECT_TRUE(stopped) << "process " << child << " outlived the demo";
    if (!stopped) ::kill(child, SIGKILL);
  }
}

INSTANTIATE_TEST_SUITE_P(Signals, NoChildOutlivesItsParent, ::testing::Values(SIGTERM, SIGHUP),
                         [](const auto& signal) { return signal.param == SIGTERM ? "SIGTERM" : "SIGHUP"; });

}  // namespace
}  // namespace surgilink::testing
