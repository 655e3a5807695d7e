// surgilink-link as a real program between two real network namespaces: UDP across the emulated link
// measures the profile's delay, loss and rate; an outage blackholes the link and lets it go again; a bad
// profile is refused. Needs root and `ip netns` (skipped with a message otherwise), as CI runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "link/link_namespaces.hpp"
#include "link/link_probe.hpp"
#include "process/child_process.hpp"

namespace surgilink::tools::link {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

const std::filesystem::path kProgram =
    std::filesystem::path{SURGILINK_BINARY_DIR} / "tools" / "surgilink-link";
const std::filesystem::path kProfiles = std::filesystem::path{SURGILINK_SOURCE_DIR} / "configs" / "links";

std::filesystem::path scratch(const std::string& name) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("surgilink-link-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in{file};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Why this machine cannot run the emulator, or empty.
std::string missing_prerequisite() {
  if (::geteuid() != 0) return "needs root (network namespaces, TUN devices); CI runs as root";
  if (!std::filesystem::exists("/dev/net/tun")) return "no /dev/net/tun";
  ChildProcess ip({"/usr/sbin/ip", "netns", "list"});
  const auto code = ip.wait(milliseconds{5000});
  if (!code || *code != 0) return "'ip netns' is not available (iproute2)";
  return {};
}

// A running emulator with its own namespace prefix; stops it (SIGINT) when it goes.
class RunningLink {
 public:
  RunningLink(const std::filesystem::path& profile, const std::string& tag)
      : prefix_("slkt" + std::to_string(::getpid() % 100000) + tag),
        log_(scratch(tag + ".log")),
        process_({kProgram.string(), "--profile", profile.string(), "--prefix", prefix_, "--seed", "15",
                  "--status-interval-s", "10"},
                 log_.string()) {
    while (const auto line = process_.read_line(milliseconds{10'000})) {
      if (line->rfind("ready:", 0) == 0) {
        ready_ = true;
        break;
      }
    }
  }
  ~RunningLink() {
    process_.signal(SIGINT);
    process_.wait(milliseconds{10'000});
  }

  bool ready() const { return ready_; }
  const std::string& prefix() const { return prefix_; }
  std::string log() const { return read_text(log_); }
  std::optional<int> stop() {
    process_.signal(SIGINT);
    return process_.wait(milliseconds{10'000});
  }

 private:
  std::string prefix_;
  std::filesystem::path log_;
  ChildProcess process_;
  bool ready_ = false;
};

// A UDP socket at each end of a running link: `near` in the OR's namespace, `far` in the mentor's.
struct LinkEnds {
  explicit LinkEnds(const std::string& prefix)
      : near(io, udp::v4(), socket_in_namespace(prefix + "-or", SOCK_DGRAM)),
        far(io, udp::v4(), socket_in_namespace(prefix + "-mentor", SOCK_DGRAM)) {
    near.bind({udp::v4(), 0});
    far.bind({asio::ip::make_address_v4("10.77.0.2"), 0});
    far_endpoint = far.local_endpoint();
  }
  asio::io_context io;
  udp::socket near;
  udp::socket far;
  udp::endpoint far_endpoint;
};

class LinkEmulator : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const auto why = missing_prerequisite(); !why.empty()) GTEST_SKIP() << "link emulator: " << why;
  }
};

TEST_F(LinkEmulator, RuralCarriesItsRoundTripLossAndRate) {
  RunningLink link{kProfiles / "rural.toml", "r"};
  ASSERT_TRUE(link.ready()) << link.log();
  LinkEnds ends{link.prefix()};

  // 80 ms ± 15 ms round trip, 2 % lost each way (3.96 % of round trips).
  const auto rtt = probe_round_trips(ends.io, ends.near, ends.far, ends.far_endpoint, 1500,
                                     std::chrono::microseconds{2000}, milliseconds{500});
  RecordProperty("round_trips", describe(rtt));
  std::printf("rural %s\n", describe(rtt).c_str());
  EXPECT_NEAR(rtt.rtt_p50_ms, 80.0, 4.0);
  EXPECT_GE(rtt.rtt_min_ms, 65.0);
  EXPECT_LE(rtt.rtt_p95_ms, 97.0);
  EXPECT_GE(rtt.rtt_p95_ms, 85.0);
  EXPECT_NEAR(rtt.loss_share, 0.0396, 0.02);

  // Offered twice its 6 Mbit/s: the link carries 6 Mbit/s and drops the rest.
  const auto rate = probe_rate(ends.io, ends.near, ends.far, ends.far_endpoint, 12e6, milliseconds{2000},
                               milliseconds{600});
  RecordProperty("rate", describe(rate));
  std::printf("rural %s\n", describe(rate).c_str());
  EXPECT_NEAR(rate.received_bps / 1e6, 6.0, 0.4);
  EXPECT_NEAR(rate.loss_share, 0.5, 0.08);

  EXPECT_EQ(link.stop(), 0);
  EXPECT_FALSE(namespace_exists(link.prefix() + "-or"));
  EXPECT_FALSE(namespace_exists(link.prefix() + "-mentor"));
  EXPECT_THAT(link.log(), HasSubstr("queue_full"));
}

TEST_F(LinkEmulator, AnOutageDropsEverythingWhileItLastsAndTheLinkComesBack) {
  const auto profile = scratch("short-outage.toml");
  std::ofstream(profile) << "name = \"short-outage\"\ndescription = \"1 s blackhole from 1 s\"\n"
                            "[link]\ndelay_ms = 5\n[schedule]\nperiod_s = 10\n"
                            "[[schedule.step]]\nat_s = 1\nblackhole = true\n"
                            "[[schedule.step]]\nat_s = 2\nblackhole = false\n";
  RunningLink link{profile, "o"};
  ASSERT_TRUE(link.ready()) << link.log();
  LinkEnds ends{link.prefix()};
  // 3 s of probes from (about) the start: the second second is dark.
  const auto rtt = probe_round_trips(ends.io, ends.near, ends.far, ends.far_endpoint, 300,
                                     std::chrono::microseconds{10'000}, milliseconds{300});
  std::printf("short outage %s\n", describe(rtt).c_str());
  EXPECT_NEAR(rtt.loss_share, 1.0 / 3.0, 0.05);
  EXPECT_NEAR(rtt.rtt_p50_ms, 10.0, 1.5);
  EXPECT_EQ(link.stop(), 0);
  EXPECT_THAT(link.log(), HasSubstr("BLACKHOLE"));
}

// Needs no root: the profile is read before anything is set up.
TEST(LinkEmulatorProgram, ABadProfileIsRefusedWithItsKeyAndExitCodeTwo) {
  const auto profile = scratch("bad.toml");
  std::ofstream(profile) << "name = \"bad\"\n[link]\ndelay_ms = 5\njitter_ms = 8\n";
  const auto log = scratch("bad.log");
  ChildProcess process({kProgram.string(), "--profile", profile.string(), "--prefix", "slkbad"},
                       log.string());
  EXPECT_EQ(process.wait(milliseconds{10'000}), 2);
  EXPECT_THAT(read_text(log), HasSubstr("bad.toml:4: key 'link.jitter_ms': jitter (8 ms) must not exceed"));
  EXPECT_FALSE(namespace_exists("slkbad-or"));
}

}  // namespace
}  // namespace surgilink::tools::link
