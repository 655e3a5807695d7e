// surgilink-link: an emulated network link between two network namespaces, for tests and the bench
// (issue 15; README: Link emulator). Every IP packet between `<prefix>-or` and `<prefix>-mentor` passes
// through this process, which delays, jitters, drops and rate-limits it as the profile says. Needs root.
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "link/impaired_direction.hpp"
#include "link/link_namespaces.hpp"
#include "link/link_probe.hpp"
#include "link/link_profile.hpp"
#include "link/link_schedule.hpp"
#include "surgilink/core/config.hpp"
#include "surgilink/core/logging.hpp"

namespace {

namespace asio = boost::asio;
using namespace surgilink::tools::link;
using Clock = std::chrono::steady_clock;

// Packets held in one direction at most (delay line and queue); beyond, arrivals count as queue_full.
constexpr std::size_t kMaxHeldPackets = 65'536;

// One direction: reads IP packets from one namespace's TUN device, holds each until the model's release time
// and writes it into the other's. Network thread only.
class DirectionRelay {
 public:
  DirectionRelay(asio::io_context& io, asio::posix::stream_descriptor& from, int to_fd,
                 ImpairedDirection& model)
      : from_(from), to_fd_(to_fd), model_(model), timer_(io) {}

  void start() { read(); }
  std::size_t held() const { return held_.size(); }

 private:
  void read() {
    from_.async_read_some(asio::buffer(buffer_),
                          [this](const boost::system::error_code& error, std::size_t n) {
                            if (error) {
                              if (error != asio::error::operation_aborted) {
                                spdlog::error("{}: reading the TUN device failed: {}",
                                              describe(model_.direction()), error.message());
                              }
                              return;
                            }
                            on_packet(n);
                            read();
                          });
  }

  void on_packet(std::size_t n) {
    const auto admission = model_.admit(Clock::now(), n);
    if (admission.fate != Fate::deliver) return;
    if (held_.size() >= kMaxHeldPackets) {
      ++model_.counters().queue_full;
      return;
    }
    // Equal release times keep arrival order (multimap inserts at the end of an equal range).
    const auto at =
        held_.emplace(admission.release, std::vector<std::uint8_t>(buffer_.begin(), buffer_.begin() + n));
    if (at == held_.begin()) arm();
  }

  void arm() {
    timer_.expires_at(held_.begin()->first);
    timer_.async_wait([this](const boost::system::error_code& error) {
      if (!error) release_due();
    });
  }

  void release_due() {
    const auto now = Clock::now();
    auto& counters = model_.counters();
    while (!held_.empty() && held_.begin()->first <= now) {
      const auto& packet = held_.begin()->second;
      if (::write(to_fd_, packet.data(), packet.size()) == static_cast<ssize_t>(packet.size())) {
        ++counters.packets_out;
        counters.bytes_out += packet.size();
      } else {
        ++counters.send_failed;
      }
      held_.erase(held_.begin());
    }
    if (!held_.empty()) arm();
  }

  asio::posix::stream_descriptor& from_;
  int to_fd_;
  ImpairedDirection& model_;
  asio::steady_timer timer_;
  std::array<std::uint8_t, 65'536> buffer_{};
  std::multimap<Clock::time_point, std::vector<std::uint8_t>> held_;
};

std::string mbit(double bps) {
  if (bps <= 0.0) return "unlimited";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f Mbit/s", bps / 1e6);
  return text;
}

// Status lines (stdout) every `interval`, and a log line at every step of the schedule.
class LinkStatus {
 public:
  LinkStatus(asio::io_context& io, const LinkProfile& profile, Clock::time_point start,
             std::chrono::milliseconds interval, std::array<ImpairedDirection*, 2> models,
             std::array<const DirectionRelay*, 2> relays)
      : profile_(profile),
        start_(start),
        interval_(interval),
        models_(models),
        relays_(relays),
        status_timer_(io),
        step_timer_(io) {
    for (std::size_t i = 0; i < 2; ++i) {
      states_[i] = models_[i]->state(start);
      last_bytes_out_[i] = 0;
    }
  }

  void start() {
    tick();
    next_step();
  }

 private:
  void tick() {
    status_timer_.expires_at(start_ + interval_ * ++ticks_);
    status_timer_.async_wait([this](const boost::system::error_code& error) {
      if (error) return;
      print();
      tick();
    });
  }

  void print() {
    const auto now = Clock::now();
    const double seconds = std::chrono::duration<double>(interval_).count();
    for (std::size_t i = 0; i < 2; ++i) {
      const auto& c = models_[i]->counters();
      const auto state = models_[i]->state(now);
      const double through = static_cast<double>(c.bytes_out - last_bytes_out_[i]) * 8.0 / seconds;
      last_bytes_out_[i] = c.bytes_out;
      std::printf(
          "status t=%.1fs %s: in %llu out %llu lost %llu queue_full %llu blackholed %llu held %zu | delay "
          "%.1f ms "
          "(queue %.1f ms) | rate %s, through %.2f Mbit/s%s\n",
          std::chrono::duration<double>(now - start_).count(), describe(models_[i]->direction()),
          static_cast<unsigned long long>(c.packets_in), static_cast<unsigned long long>(c.packets_out),
          static_cast<unsigned long long>(c.lost), static_cast<unsigned long long>(c.queue_full),
          static_cast<unsigned long long>(c.blackholed), relays_[i]->held(),
          std::chrono::duration<double, std::milli>(models_[i]->last_delay()).count(),
          std::chrono::duration<double, std::milli>(models_[i]->queue_wait(now)).count(),
          mbit(state.rate_bps).c_str(), through / 1e6, state.blackhole ? " BLACKHOLE" : "");
    }
    std::fflush(stdout);
  }

  void next_step() {
    const auto next = next_step_after(profile_, Clock::now() - start_);
    if (!next) return;
    step_timer_.expires_at(start_ + *next);
    step_timer_.async_wait([this](const boost::system::error_code& error) {
      if (error) return;
      const auto now = Clock::now();
      for (std::size_t i = 0; i < 2; ++i) {
        const auto state = models_[i]->state(now);
        if (state == states_[i]) continue;
        spdlog::info("t={:.1f}s {}: {}{}", std::chrono::duration<double>(now - start_).count(),
                     describe(models_[i]->direction()), state.blackhole ? "BLACKHOLE, " : "",
                     "rate " + mbit(state.rate_bps));
        states_[i] = state;
      }
      next_step();
    });
  }

  const LinkProfile& profile_;
  Clock::time_point start_;
  std::chrono::milliseconds interval_;
  std::array<ImpairedDirection*, 2> models_;
  std::array<const DirectionRelay*, 2> relays_;
  std::array<LinkState, 2> states_{};
  std::array<std::uint64_t, 2> last_bytes_out_{};
  std::int64_t ticks_ = 0;
  asio::steady_timer status_timer_;
  asio::steady_timer step_timer_;
};

struct RunOptions {
  std::string profile_file;
  std::string prefix = "slk";
  std::string or_address = "10.77.0.1";
  std::string mentor_address = "10.77.0.2";
  std::uint64_t seed = 0;
  bool seed_given = false;
  double status_interval_s = 1.0;
  double duration_s = 0.0;
};

int run(const RunOptions& options, const LinkProfile& profile) {
  const std::uint64_t seed = options.seed_given ? options.seed : std::random_device{}();
  spdlog::info("{}; seed {}", summary(profile), seed);
  // Before any thread or io_context: the namespaces are set up by switching this thread into them.
  LinkNamespaces namespaces{namespace_names(options.prefix, options.or_address, options.mentor_address)};
  const auto& names = namespaces.names();

  asio::io_context io;
  asio::posix::stream_descriptor or_tun{io, ::dup(namespaces.or_tun())};
  asio::posix::stream_descriptor mentor_tun{io, ::dup(namespaces.mentor_tun())};
  const auto start = Clock::now();
  ImpairedDirection uplink{profile, Direction::or_to_mentor, start, seed};
  ImpairedDirection downlink{profile, Direction::mentor_to_or, start, seed ^ 0x9e3779b97f4a7c15ULL};
  DirectionRelay up{io, or_tun, mentor_tun.native_handle(), uplink};
  DirectionRelay down{io, mentor_tun, or_tun.native_handle(), downlink};
  up.start();
  down.start();
  LinkStatus status{io,
                    profile,
                    start,
                    std::chrono::milliseconds{static_cast<std::int64_t>(options.status_interval_s * 1000.0)},
                    {&uplink, &downlink},
                    {&up, &down}};
  status.start();

  asio::signal_set signals{io, SIGINT, SIGTERM};
  signals.async_wait([&](const boost::system::error_code& error, int signal_number) {
    if (error) return;
    spdlog::info("signal {}: stopping, deleting the namespaces", signal_number);
    io.stop();
  });
  asio::steady_timer end{io};
  if (options.duration_s > 0.0) {
    end.expires_at(start + std::chrono::milliseconds{static_cast<std::int64_t>(options.duration_s * 1000.0)});
    end.async_wait([&](const boost::system::error_code& error) {
      if (!error) io.stop();
    });
  }

  std::printf("ready: %s %s (%s) <-> %s %s (%s), profile %s\n", names.or_namespace.c_str(), kTunDevice,
              names.or_address.c_str(), names.mentor_namespace.c_str(), kTunDevice,
              names.mentor_address.c_str(), profile.name.c_str());
  std::fflush(stdout);
  io.run();
  for (const auto* model : {&uplink, &downlink}) {
    const auto& c = model->counters();
    spdlog::info("{}: {} in, {} out, {} lost, {} queue_full, {} blackholed, {} send failures",
                 describe(model->direction()), c.packets_in, c.packets_out, c.lost, c.queue_full,
                 c.blackholed, c.send_failed);
  }
  return 0;
}

struct MeasureOptions {
  std::string prefix = "slk";
  std::string mentor_address = "10.77.0.2";
  std::size_t count = 200;
  double interval_ms = 10.0;
  double rate_mbit = 0.0;
  double rate_seconds = 2.0;
};

// Round trips from the OR's namespace to the mentor's, then (with --rate-mbit) a saturating stream.
int measure(const MeasureOptions& options) {
  const auto names = namespace_names(options.prefix, "", options.mentor_address);
  if (!namespace_exists(names.or_namespace) || !namespace_exists(names.mentor_namespace)) {
    spdlog::error("no link with prefix '{}' is running (start surgilink-link --prefix {} first)",
                  options.prefix, options.prefix);
    return 1;
  }
  asio::io_context io;
  using asio::ip::udp;
  const int near_fd = socket_in_namespace(names.or_namespace, SOCK_DGRAM);
  const int far_fd = socket_in_namespace(names.mentor_namespace, SOCK_DGRAM);
  if (near_fd < 0 || far_fd < 0) {
    spdlog::error("cannot open sockets in the namespaces: {}", std::strerror(errno));
    return 1;
  }
  udp::socket near{io, udp::v4(), near_fd};
  udp::socket far{io, udp::v4(), far_fd};
  boost::system::error_code error;
  far.bind({asio::ip::make_address_v4(options.mentor_address, error), 0}, error);
  if (error) {
    spdlog::error("cannot bind to {} in {}: {}", options.mentor_address, names.mentor_namespace,
                  error.message());
    return 1;
  }
  const auto far_endpoint = far.local_endpoint();
  near.bind({udp::v4(), 0}, error);
  const auto rtt =
      probe_round_trips(io, near, far, far_endpoint, options.count,
                        std::chrono::microseconds{static_cast<std::int64_t>(options.interval_ms * 1000.0)},
                        std::chrono::milliseconds{2000});
  std::printf("%s\n", describe(rtt).c_str());
  if (options.rate_mbit > 0.0) {
    const auto rate =
        probe_rate(io, near, far, far_endpoint, options.rate_mbit * 1e6,
                   std::chrono::milliseconds{static_cast<std::int64_t>(options.rate_seconds * 1000.0)},
                   std::chrono::milliseconds{1000});
    std::printf("%s\n", describe(rate).c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "surgilink-link: an emulated network link between two network namespaces, <prefix>-or and "
      "<prefix>-mentor, for tests and the bench (README: Link emulator). Delay, jitter, random and burst "
      "(Gilbert-Elliott) loss, rate with a queue, rate steps and outages, per direction, from a profile "
      "(configs/links/*.toml). Needs root. Run programs inside with: ip netns exec <prefix>-or PROGRAM.\n"
      "Status lines on stdout every --status-interval-s; 'ready: ...' once the namespaces are up. Stops on "
      "SIGINT/SIGTERM and deletes the namespaces."};
  RunOptions run_options;
  std::string log_level = "info";
  bool check_only = false;
  app.add_option("--profile,-p", run_options.profile_file,
                 "link profile (TOML), e.g. configs/links/wan.toml");
  app.add_option("--prefix", run_options.prefix, "namespace prefix: <prefix>-or and <prefix>-mentor")
      ->capture_default_str();
  app.add_option("--or-address", run_options.or_address, "IPv4 address of the OR's end")
      ->capture_default_str();
  app.add_option("--mentor-address", run_options.mentor_address, "IPv4 address of the mentor's end")
      ->capture_default_str();
  app.add_option("--seed", run_options.seed, "seed for loss and jitter (default: random, logged)");
  app.add_option("--status-interval-s", run_options.status_interval_s, "seconds between status lines")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--duration-s", run_options.duration_s, "stop after this many seconds (0: until a signal)")
      ->check(CLI::Range(0.0, 1e7))
      ->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error")->capture_default_str();
  app.add_flag("--check", check_only, "only read and validate the profile, print its summary, exit 0 or 2");

  MeasureOptions measure_options;
  auto* measure_command = app.add_subcommand(
      "measure",
      "measure a running link from its ends: UDP round trips from <prefix>-or to <prefix>-mentor (RTT "
      "percentiles, loss) and with --rate-mbit a saturating one-way stream (the rate that gets through)");
  measure_command->add_option("--prefix", measure_options.prefix, "the running link's prefix")
      ->capture_default_str();
  measure_command->add_option("--mentor-address", measure_options.mentor_address, "its mentor address")
      ->capture_default_str();
  measure_command->add_option("--count", measure_options.count, "round-trip probes")->capture_default_str();
  measure_command->add_option("--interval-ms", measure_options.interval_ms, "between probes")
      ->check(CLI::Range(0.05, 10'000.0))
      ->capture_default_str();
  measure_command
      ->add_option("--rate-mbit", measure_options.rate_mbit, "offered rate OR→mentor (0: no rate test)")
      ->check(CLI::Range(0.0, 10'000.0));
  measure_command->add_option("--rate-s", measure_options.rate_seconds, "length of the rate test")
      ->check(CLI::Range(0.1, 600.0))
      ->capture_default_str();

  std::string clean_prefix = "slk";
  auto* clean_command = app.add_subcommand(
      "clean", "delete the namespaces <prefix>-or and <prefix>-mentor left by a killed emulator");
  clean_command->add_option("--prefix", clean_prefix, "namespace prefix")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  run_options.seed_given = app.count("--seed") > 0;
  try {
    surgilink::core::setup_logging("surgilink-link", log_level);
  } catch (const surgilink::core::ConfigError& e) {
    std::fprintf(stderr, "surgilink-link: %s\n", e.what());
    return 2;
  }

  if (*clean_command) {
    for (const auto& name : {clean_prefix + "-or", clean_prefix + "-mentor"}) {
      if (remove_namespace(name)) spdlog::info("deleted namespace {}", name);
    }
    return 0;
  }
  if (*measure_command) return measure(measure_options);

  if (run_options.profile_file.empty()) {
    std::fprintf(stderr, "surgilink-link: --profile is required (see --help)\n");
    return 2;
  }
  if (const auto problem = prefix_problem(run_options.prefix); !problem.empty()) {
    std::fprintf(stderr, "surgilink-link: --prefix '%s' %s\n", run_options.prefix.c_str(), problem.c_str());
    return 2;
  }
  LinkProfile profile;
  try {
    profile = load_link_profile(run_options.profile_file);
  } catch (const surgilink::core::ConfigError& e) {
    std::fprintf(stderr, "surgilink-link: invalid profile: %s\n", e.what());
    return 2;
  }
  if (check_only) {
    std::printf("%s\n", summary(profile).c_str());
    return 0;
  }
  if (::geteuid() != 0) {
    std::fprintf(stderr, "surgilink-link: needs root (network namespaces and TUN devices)\n");
    return 1;
  }
  try {
    return run(run_options, profile);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}
