#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "bench/voice_figures.hpp"
#include "bench_programs.hpp"
#include "bench_targets.hpp"
#include "link/link_profile.hpp"
#include "process/child_process.hpp"
#include "run_figures.hpp"
#include "soak_record.hpp"
#include "surgilink/core/config.hpp"
#include "surgilink/media/plain_rtp_path.hpp"
#include "surgilink/media/video_profile.hpp"

namespace surgilink::bench {

using nlohmann::json;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

Installation find_installation() {
  const auto self = std::filesystem::read_symlink("/proc/self/exe");
  const auto build = self.parent_path().parent_path();  // build/<preset>/tools/surgilink-bench
  Installation i;
  i.self = self;
  i.sender = build / "sender" / "surgilink-sender";
  i.console = build / "mentor_console" / "surgilink-console";
  i.sender_config = std::filesystem::path(SURGILINK_SOURCE_DIR) / "configs" / "sender.toml";
  i.console_config = std::filesystem::path(SURGILINK_SOURCE_DIR) / "configs" / "console.toml";
  i.link = build / "tools" / "surgilink-link";
  for (const auto& p : {i.sender, i.console, i.sender_config, i.console_config}) {
    if (!std::filesystem::exists(p))
      throw std::runtime_error(p.string() + " is missing (run ./surgilink build)");
  }
  return i;
}

namespace {

std::filesystem::path make_run_dir() {
  auto dir = std::filesystem::temp_directory_path() / ("surgilink-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

// Why --link cannot run here ("" when it can): it makes network namespaces and TUN devices.
std::string link_unavailable(const Installation& in) {
  if (geteuid() != 0) return "needs root (it creates network namespaces)";
  if (!std::filesystem::exists("/dev/net/tun")) return "no /dev/net/tun";
  if (!std::filesystem::exists(in.link)) return in.link.string() + " is missing (run ./surgilink build)";
  return {};
}

// iproute2's `ip` (child processes are started without a PATH search).
std::string ip_command() {
  for (const char* p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"})
    if (std::filesystem::exists(p)) return p;
  return "/usr/sbin/ip";
}

// The link emulator of one bench run: stopped with SIGINT (it removes its namespaces) on every way out.
struct LinkEmulator {
  std::unique_ptr<tools::ChildProcess> process;
  ~LinkEmulator() { stop(); }
  void stop() {
    if (!process) return;
    process->signal(SIGINT);
    process->wait(std::chrono::milliseconds{10000});
    process.reset();
  }
};

// The addresses surgilink-link gives the two ends by default.
constexpr const char* kOrAddress = "10.77.0.1";
constexpr const char* kMentorAddress = "10.77.0.2";

// Starts surgilink-link with `profile` between `<prefix>-or` and `<prefix>-mentor` and waits until its
// namespaces are up. The same seed gives the same loss and jitter draws.
std::unique_ptr<tools::ChildProcess> start_link(const Installation& in, const std::filesystem::path& profile,
                                                const std::string& prefix, std::uint64_t seed,
                                                const std::filesystem::path& log) {
  auto link = std::make_unique<tools::ChildProcess>(
      std::vector<std::string>{in.link.string(), "--profile", profile.string(), "--prefix", prefix, "--seed",
                               std::to_string(seed), "--status-interval-s", "3600"},
      log.string());
  while (auto line = link->read_line(milliseconds{20000})) {
    if (line->rfind("ready:", 0) == 0) return link;
  }
  throw std::runtime_error("the link emulator did not start; its log: " + log.string());
}

// A profile name (configs/links/NAME.toml) or a path.
std::filesystem::path link_profile_path(const std::string& link) {
  const std::filesystem::path named =
      std::filesystem::path(SURGILINK_SOURCE_DIR) / "configs" / "links" / (link + ".toml");
  if (std::filesystem::exists(named)) return named;
  if (std::filesystem::exists(link)) return link;
  throw std::runtime_error("no link profile '" + link + "' (configs/links/*.toml, or a path)");
}

json read_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  if (!in) throw std::runtime_error("no report at " + p.string() + " (see the .log files beside it)");
  return json::parse(in);
}

// Where a baseline's two halves run: the command each runs inside (empty: this machine) and its path.
struct BaselinePlaces {
  std::vector<std::string> sender_wrapper, receiver_wrapper;
  media::PlainRtpPath path;
};

// Runs one baseline (a plain RTP stream from `baseline-sender` to `baseline-receiver`) for `total` seconds
// and returns the receiver's figures. The UDP receiver starts first (no picture is lost before it listens);
// the SRT sender first (its receiver calls it).
json run_plain_baseline(const Installation& in, const std::filesystem::path& dir, const std::string& name,
                        const std::string& profile, bool intra_refresh, const BaselinePlaces& where,
                        double total, double warmup) {
  const auto& path = where.path;
  char seconds[32];
  const auto half = [&](const char* command, const std::vector<std::string>& wrapper, double run_s) {
    std::snprintf(seconds, sizeof seconds, "%.1f", run_s);
    std::vector<std::string> args = wrapper;
    const std::vector<std::string> own{in.self.string(),   command,
                                       "--transport",      media::to_string(path.transport),
                                       "--address",        path.address,
                                       "--port",           std::to_string(path.port),
                                       "--srt-latency-ms", std::to_string(path.srt_latency.count()),
                                       "--seconds",        seconds};
    args.insert(args.end(), own.begin(), own.end());
    return args;
  };
  auto receiver_args = half("baseline-receiver", where.receiver_wrapper, total);
  receiver_args.insert(receiver_args.end(),
                       {"--warmup", std::to_string(warmup), "--json", (dir / (name + ".json")).string()});
  if (path.jitter_latency) {
    receiver_args.push_back("--jitter-ms");
    receiver_args.push_back(std::to_string(path.jitter_latency->count()));
  }
  auto sender_args = half("baseline-sender", where.sender_wrapper, total + 3);
  sender_args.insert(sender_args.end(), {"--profile", profile});
  if (intra_refresh) sender_args.push_back("--intra-refresh");
  const auto start = [&](const std::vector<std::string>& args, const std::string& log) {
    auto child = std::make_unique<tools::ChildProcess>(args, (dir / log).string());
    if (!child->read_line(milliseconds{10000}))
      throw std::runtime_error(name + " did not start; see " + (dir / log).string());
    return child;
  };
  std::unique_ptr<tools::ChildProcess> sender, receiver;
  if (path.transport == media::PlainRtpPath::Transport::srt) {
    sender = start(sender_args, name + "-sender.log");
    receiver = start(receiver_args, name + "-receiver.log");
  } else {
    receiver = start(receiver_args, name + "-receiver.log");
    sender = start(sender_args, name + "-sender.log");
  }
  const auto receiver_exit = receiver->wait(milliseconds{static_cast<long>(total * 1000) + 15000});
  sender->signal(SIGINT);
  sender->wait(milliseconds{5000});
  if (receiver_exit.value_or(-1) != 0)
    throw std::runtime_error(name + " receiver failed; see " + dir.string());
  return read_json(dir / (name + ".json"));
}

// "12.3/45.6" (p50/p95) or "-".
std::string p50_p95_text(const json& d) {
  if (!d.is_object()) return "-";
  char text[48];
  std::snprintf(text, sizeof text, "%.1f/%.1f", d["p50"].get<double>(), d["p95"].get<double>());
  return text;
}

// SurgiLink, plain RTP and SRT side by side across the link (stderr).
void print_link_comparison(const json& out) {
  std::vector<std::pair<std::string, const json*>> columns{{"SurgiLink", &out}};
  if (out.contains("baseline_rtp")) columns.emplace_back("plain RTP", &out["baseline_rtp"]);
  if (out.contains("baseline_srt")) {
    columns.emplace_back("SRT " + std::to_string(out["srt_latency_ms"].get<long>()) + " ms",
                         &out["baseline_srt"]);
  }
  std::fprintf(stderr, "bench: across %-20s", out["link"].get<std::string>().c_str());
  for (const auto& [title, figures] : columns) std::fprintf(stderr, " %16s", title.c_str());
  std::fprintf(stderr, "\n");
  const auto row = [&](const char* label, const std::function<std::string(const json&)>& cell) {
    std::fprintf(stderr, "bench:   %-25s", label);
    for (const auto& column : columns) std::fprintf(stderr, " %16s", cell(*column.second).c_str());
    std::fprintf(stderr, "\n");
  };
  char text[64];
  row("frozen", [&](const json& f) {
    std::snprintf(text, sizeof text, "%.2f %%", 100 * f.value("frozen_ratio", 0.0));
    return std::string(text);
  });
  row("freezes (longest ms)", [&](const json& f) {
    std::snprintf(text, sizeof text, "%ld (%.0f)", f["freezes"]["count"].get<long>(),
                  f["freezes"]["longest_ms"].get<double>());
    return std::string(text);
  });
  row("broken frames", [&](const json& f) { return std::to_string(f["broken_frames"].get<long>()); });
  row("frames received", [&](const json& f) { return std::to_string(f["frames_received"].get<long>()); });
  // A plain decoder shows damaged pictures on time (no freeze): how many were, and how many hid the code.
  row("until keyframe (damaged)", [&](const json& f) {
    return f.contains("frames_until_keyframe") ? std::to_string(f["frames_until_keyframe"].get<long>())
                                               : std::string("-");
  });
  row("pixel code unreadable",
      [&](const json& f) { return std::to_string(f["frames_pixel_unreadable"].get<long>()); });
  row("fps", [&](const json& f) {
    std::snprintf(text, sizeof text, "%.1f", f["fps_received"].get<double>());
    return std::string(text);
  });
  row("g2g p50/p95 ms", [&](const json& f) { return p50_p95_text(f["g2g_ms"]); });
  row("pixel p50/p95 ms", [&](const json& f) { return p50_p95_text(f["pixel_ms"]); });
}

}  // namespace

std::vector<std::string> loopback_console_args(const Installation& in, const std::filesystem::path& dir,
                                               int control_port, double seconds, const std::string& host) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", seconds);
  return {in.console.string(),
          "--config",
          in.console_config.string(),
          "--host",
          host,
          "--control-port",
          std::to_string(control_port),
          "--seconds",
          text,
          "--report-json",
          (dir / "console.json").string()};
}

LoopbackSender start_loopback_sender(const Installation& in, const std::filesystem::path& dir,
                                     const std::string& profile, const std::vector<std::string>& extra_args,
                                     const SenderPlace& where) {
  std::vector<std::string> args = where.wrapper;
  const std::vector<std::string> own = {in.sender.string(),
                                        "--config",
                                        in.sender_config.string(),
                                        "--bind",
                                        where.bind,
                                        "--control-port",
                                        "0",
                                        "--media-port",
                                        "0",
                                        "--profile",
                                        profile,
                                        "--source",
                                        "synthetic",
                                        "--pixel-code",
                                        "true",
                                        "--status-json",
                                        "--report-json",
                                        (dir / "sender.json").string()};
  args.insert(args.end(), own.begin(), own.end());
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  LoopbackSender sender;
  sender.process = std::make_unique<tools::ChildProcess>(args, (dir / "sender.log").string());
  const auto deadline = Steady::now() + std::chrono::seconds{20};
  while (Steady::now() < deadline) {
    const auto line = sender.process->read_line(milliseconds{1000});
    if (!line) {
      if (sender.process->wait(milliseconds{0})) break;
      continue;
    }
    const auto j = json::parse(*line, nullptr, false);
    if (!j.is_discarded() && j.value("event", "") == "listening") {
      sender.control_port = j["control_port"].get<int>();
      sender.mllp_port = j.value("mllp_port", 0);
      return sender;
    }
  }
  throw std::runtime_error("the sender did not start; its log: " + (dir / "sender.log").string());
}

int run_bench(const BenchOptions& o, const Installation& in) {
  const auto dir = make_run_dir();
  const bool soaking = o.soak_minutes > 0;
  if (soaking) {
    std::fprintf(stderr, "bench: soak, %s, %.0f min after %.0f s warm-up, files in %s\n", o.profile.c_str(),
                 o.soak_minutes, o.warmup, dir.c_str());
  } else {
    std::fprintf(stderr, "bench: %s, %.0f s measured after %.0f s warm-up, files in %s\n", o.profile.c_str(),
                 o.seconds, o.warmup, dir.c_str());
  }
  // No OR window: the bench's figures stay comparable with earlier runs whatever display the machine has.
  // --link: the two programs in two network namespaces with the link emulator between them.
  LinkEmulator emulator;
  const bool link = !o.link.empty();
  SenderPlace place;
  std::vector<std::string> console_wrapper;
  std::string console_host = "127.0.0.1";
  std::string link_prefix;
  std::filesystem::path link_profile;
  const std::uint64_t link_seed = std::random_device{}();
  if (link) {
    if (const auto why = link_unavailable(in); !why.empty()) {
      std::fprintf(stderr, "bench: --link %s skipped: %s\n", o.link.c_str(), why.c_str());
      std::printf("%s\n", json({{"link", o.link}, {"skipped", why}}).dump(2).c_str());
      return 0;
    }
    link_prefix = "slkb" + std::to_string(getpid() % 100000);
    link_profile = link_profile_path(o.link);
    emulator.process = start_link(in, link_profile, link_prefix, link_seed, dir / "link.log");
    std::fprintf(stderr, "bench: across the link emulator, profile %s (%s), seed %llu\n", o.link.c_str(),
                 link_profile.c_str(), static_cast<unsigned long long>(link_seed));
    place = {{ip_command(), "netns", "exec", link_prefix + "-or"}, kOrAddress};
    console_wrapper = {ip_command(), "netns", "exec", link_prefix + "-mentor"};
    console_host = kOrAddress;
  }
  const auto voice = voice_arguments(dir, o.audio);
  std::vector<std::string> sender_args{"--srtp-profile",
                                       o.srtp_profile,
                                       o.or_window ? "--or-window" : "--no-or-window",
                                       "--retransmit",
                                       o.retransmit ? "true" : "false",
                                       "--adapt-rate",
                                       o.adapt_rate ? "true" : "false",
                                       "--fec",
                                       o.fec ? "true" : "false",
                                       "--intra-refresh",
                                       o.intra_refresh ? "true" : "false"};
  sender_args.insert(sender_args.end(), voice.sender.begin(), voice.sender.end());
  auto started = start_loopback_sender(in, dir, o.profile, sender_args, place);
  if (o.annotations)
    std::fprintf(stderr, "bench: a scripted mentor draws, keeping %zu annotations on the OR display\n",
                 o.annotation_count);
  tools::ChildProcess& sender = *started.process;
  const int control_port = started.control_port;
  // +1: connection and first picture. A soak's console is stopped by the bench after its last sample; its own
  // limit is only a backstop.
  const double measured_s = soaking ? o.soak_minutes * 60 : o.seconds;
  const double total = measured_s + o.warmup + (soaking ? 60 : 1);
  char total_text[32];
  std::snprintf(total_text, sizeof total_text, "%.1f", total);
  std::vector<std::string> console_args = console_wrapper;
  const auto own_console_args = loopback_console_args(in, dir, control_port, total, console_host);
  console_args.insert(console_args.end(), own_console_args.begin(), own_console_args.end());
  console_args.insert(console_args.end(),
                      {"--headless", "--status-json", "--report-warmup", std::to_string(o.warmup)});
  console_args.insert(console_args.end(), voice.console.begin(), voice.console.end());
  if (o.annotations) {
    console_args.push_back("--scripted-mentor");
    console_args.push_back(std::to_string(o.annotation_count));
  }
  // A mentor checks the link before a case (README, Pre-flight): the same console's pre-flight, across the
  // same link, before it joins; the sender takes its figures for the joining console's link.
  json preflight = nullptr;
  if (o.preflight_seconds > 0) {
    auto console_config = core::ConfigTable::load(in.console_config);
    auto sites = console_config.tables("site");
    if (sites.empty()) throw std::runtime_error(in.console_config.string() + ": no [[site]] for --preflight");
    const std::string site = sites.front().require_string("name");
    char seconds_text[32];
    std::snprintf(seconds_text, sizeof seconds_text, "%.1f", o.preflight_seconds);
    std::vector<std::string> args = console_wrapper;
    args.insert(args.end(), {in.console.string(), "--config", in.console_config.string(), "--preflight", site,
                             "--host", console_host, "--control-port", std::to_string(control_port),
                             "--preflight-seconds", seconds_text, "--json"});
    std::fprintf(stderr, "bench: the console's %s-s pre-flight to %s before it joins\n", seconds_text,
                 site.c_str());
    tools::ChildProcess check(args, (dir / "preflight.log").string());
    std::string text;
    const milliseconds most{static_cast<long>(o.preflight_seconds * 1000) + 30000};
    while (auto line = check.read_line(most)) text += *line;
    const auto code = check.wait(milliseconds{10000});
    preflight = json::parse(text, nullptr, false);
    if (code.value_or(-1) != 0 || !preflight.is_object() || !preflight.value("measured", false)) {
      std::fprintf(stderr, "bench: the pre-flight failed (exit %d); logs in %s\n", code.value_or(-1),
                   dir.c_str());
      return 1;
    }
    std::fprintf(stderr, "bench: pre-flight: %s\n", preflight.value("sentence", std::string()).c_str());
  }
  tools::ChildProcess console(console_args, (dir / "console.log").string());
  // The OR display's fps each second while all the annotations were on it (the sender's status lines).
  std::vector<double> display_fps_full;
  std::size_t annotations_now = 0, annotations_most = 0;
  std::optional<std::int64_t> measured_from_ns;  // wall clock (= capture clock on this machine), ns
  // CPU over the measured part: sampled at the status line after the warm-up and at the last line.
  struct Sample {
    Steady::time_point at;
    std::chrono::nanoseconds sender, console;
  };
  std::optional<Sample> first, last;
  std::vector<long> sent_kbps, target_kbps;
  std::vector<std::string> video_steps;
  SoakRecord soak;
  int soak_minutes_sampled = 0;  // minutes after the warm-up whose memory sample was taken
  bool console_stopped = false;
  int lines = 0;
  while (auto line = console.read_line(milliseconds{static_cast<long>(total * 1000) + 5000})) {
    ++lines;
    // The sender's status lines are not needed here, but its pipe must not fill up.
    while (auto sender_line = sender.read_line(milliseconds{0})) {
      const auto sj = json::parse(*sender_line, nullptr, false);
      // Congestion control, once a second in the measured part: what was sent and what it aimed at.
      if (first && !sj.is_discarded() && sj.contains("sent_mbps")) {
        sent_kbps.push_back(std::lround(sj["sent_mbps"].get<double>() * 1000));
        target_kbps.push_back(sj.value("target_kbps", 0));
        video_steps.push_back(sj.value("video_step", std::string()));
      }
      if (o.annotations && first && !sj.is_discarded() && sj.contains("display_fps") &&
          annotations_now >= o.annotation_count)
        display_fps_full.push_back(sj["display_fps"].get<double>());
    }
    const Sample s{Steady::now(), sender.cpu_time(), console.cpu_time()};
    if (lines == static_cast<int>(o.warmup) + 2) {
      first = s;
      measured_from_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    }
    if (first && !console_stopped) last = s;
    const auto j = json::parse(*line, nullptr, false);
    if (j.is_discarded()) continue;
    annotations_now = j.value("annotations", std::size_t{0});
    annotations_most = std::max(annotations_most, annotations_now);
    const auto& g = j["g2g_ms"];
    const double g2g_p95 = g.is_null() ? 0.0 : g["p95"].get<double>();
    char drawn[48] = "";
    if (o.annotations) std::snprintf(drawn, sizeof drawn, "  %3zu annotations", annotations_now);
    if (!soaking) {
      std::fprintf(stderr, "bench: %2d/%.0f s %-9s g2g p95 %6.1f ms  %4.1f fps  %6.0f kbit/s%s%s\n", lines,
                   total, j.value("state", "?").c_str(), g2g_p95, j.value("fps", 0.0),
                   j.value("bitrate_kbps", 0.0), drawn, first ? "" : "  (warm-up)");
      continue;
    }
    // Soak: resident memory at the end of the warm-up and once a minute after it, then the console is
    // stopped.
    if (!first || console_stopped) continue;
    const double minute = std::chrono::duration<double>(s.at - first->at).count() / 60;
    if (minute < soak_minutes_sampled) continue;
    const auto sender_rss = sender.resident_bytes(), console_rss = console.resident_bytes();
    soak.add(minute, sender_rss, console_rss);
    const auto mb = [](std::optional<std::uint64_t> b) {
      return b ? static_cast<double>(*b) / 1048576 : 0.0;
    };
    std::fprintf(stderr,
                 "soak: %2d/%.0f min  RSS sender %7.1f MB  console %7.1f MB  g2g p95 %6.1f ms  %4.1f fps%s\n",
                 soak_minutes_sampled, o.soak_minutes, mb(sender_rss), mb(console_rss), g2g_p95,
                 j.value("fps", 0.0), drawn);
    ++soak_minutes_sampled;
    if (soak_minutes_sampled > static_cast<int>(std::floor(o.soak_minutes))) {
      console.signal(SIGINT);  // it writes its report and ends its output
      console_stopped = true;
    }
  }
  const auto console_exit = console.wait(milliseconds{10000});
  sender.signal(SIGINT);
  const auto sender_exit = sender.wait(milliseconds{10000});
  if (console_exit.value_or(-1) != 0 || sender_exit.value_or(-1) != 0) {
    std::fprintf(stderr, "bench: sender exited %d, console exited %d; logs in %s\n", sender_exit.value_or(-1),
                 console_exit.value_or(-1), dir.c_str());
    return 1;
  }
  const json c = read_json(dir / "console.json");
  const json s = read_json(dir / "sender.json");
  if (c["frames_received"].get<std::uint64_t>() == 0) {
    std::fprintf(stderr, "bench: the console decoded no picture; logs in %s\n", dir.c_str());
    return 1;
  }
  const auto cpu_pct = [&](auto member) {
    if (!first || !last || last->at <= first->at) return 0.0;
    const double wall = std::chrono::duration<double>(last->at - first->at).count();
    return 100.0 * std::chrono::duration<double>(last.value().*member - first.value().*member).count() / wall;
  };
  json out = {{"profile", o.profile},
              {"srtp_profile", o.srtp_profile},
              {"seconds", measured_s},
              {"warmup_s", o.warmup},
              {"frames_sent", s["frames_sent"]},
              {"frames_received", c["frames_received"]},
              {"frames_undecodable", c["frames_undecodable"]},
              {"frames_pixel_unreadable", c["frames_pixel_unreadable"]},
              {"fps_received", c["fps_received"]},
              {"first_picture_ms", c["first_picture_ms"]},
              {"g2g_ms", latency(c["g2g_ms"])},
              {"pixel_ms", latency(c["pixel_ms"])},
              {"join_g2g_ms", latency(c.value("join_g2g_ms", json(nullptr)))},
              {"second_oldest_g2g_ms", latency(c.value("second_oldest_g2g_ms", json(nullptr)))},
              {"recovery_ms", c.value("recovery_ms", json(nullptr))},  // with its count
              {"metadata_pixel_max_disagreement_ms", c["max_metadata_pixel_disagreement_ms"]},
              {"clock_uncertainty_ms", c["clock_uncertainty_ms"]},
              {"link_jitter_ms", c.value("link_jitter_ms", json(nullptr))},
              {"gap_wait_ms", c.value("gap_wait_ms", json(nullptr))},
              {"playout_hold_ms", c.value("playout_hold_ms", json(nullptr))},
              {"stages_ms",
               {{"encode", p50_p95(c["stages_ms"]["encode"])},
                {"network", p50_p95(c["stages_ms"]["network"])},
                {"jitter", p50_p95(c["stages_ms"]["jitter"])},
                {"decode", p50_p95(c["stages_ms"]["decode"])}}},
              {"packets_lost", c["packets_lost"]},
              {"nack_count", c.value("nacks_sent", json(0))},
              {"packets_nacked", c.value("packets_nacked", json(0))},
              {"retransmitted", s.value("retransmitted", json(0))},
              {"retransmissions_in_time", c.value("retransmissions_in_time", json(0))},
              {"packets_asked_again", c.value("packets_asked_again", json(0))},
              {"keyframes_forced", s.value("keyframes_forced", json(0))},
              {"packets_rejected", c["packets_rejected"]},
              {"cpu_sender_pct", cpu_pct(&Sample::sender)},
              {"cpu_console_pct", cpu_pct(&Sample::console)},
              // Vitals (simulator on the sender): acquired at the sender -> received at the console.
              {"vitals_ms", latency(c.value("vitals_ms", json(nullptr)))},
              {"vitals_waveform_samples", c.value("vitals_waveform_samples", 0)},
              {"vitals_waveform_samples_lost", c.value("vitals_waveform_samples_lost", 0)}};
  if (!c["vitals_ms"].is_null() && !c["g2g_ms"].is_null()) {
    // DESIGN.md §4 / issue 5: numbers and picture should agree, so the two p95s should be close.
    out["vitals_minus_g2g_p95_ms"] = c["vitals_ms"]["p95"].get<double>() - c["g2g_ms"]["p95"].get<double>();
  }
  if (o.or_window && s.contains("or_monitor")) {
    // Capture → composed by the OR display branch, and capture → handed to the OR window's sink (issue 13:
    // the window may add at most one frame interval).
    const json& m = s["or_monitor"];
    out["or_branch_ms"] = p50_p95(m.value("branch_ms", json(nullptr)));
    out["or_window_ms"] = p50_p95(m.value("window_ms", json(nullptr)));
    out["or_window_pictures_shown"] = m.value("pictures_shown", json(0));
    out["or_window_pictures_skipped"] = m.value("pictures_skipped", json(0));
  }
  if (o.annotations) {
    std::size_t never_shown = 0;
    const auto delays = annotation_delays_ms(c["annotation_inputs"], s["annotation_composited"],
                                             measured_from_ns.value_or(0), &never_shown);
    out["annotation_ms"] = p50_p95(distribution(delays));
    if (o.or_window) {
      // Mentor input → the first picture the OR window's sink got with the annotation on it.
      std::size_t never_on_window = 0;
      const auto to_window = annotation_delays_ms(c["annotation_inputs"], s["annotation_on_or_window"],
                                                  measured_from_ns.value_or(0), &never_on_window);
      out["annotation_to_or_screen_ms"] = p50_p95(distribution(to_window));
      out["annotation_operations_not_on_or_window"] = never_on_window;
    }
    out["annotation_ms_detail"] = distribution(delays);
    out["annotation_operations"] = c["annotations_confirmed"];
    out["annotation_operations_not_composited"] = never_shown;
    out["annotations_refused"] = s["annotations_refused"];
    out["anchor_error_px"] = p50_p95(s["anchor_error_px"]);
    out["anchor_error_px_unanchored"] = p50_p95(s["anchor_error_px_unanchored"]);
    out["anchor_error_samples"] = s["anchor_error_px"].is_null() ? json(0) : s["anchor_error_px"]["count"];
    out["scene_pan_px_per_s"] = s["scene_pan_px_per_s"];
    out["or_tracking_ms"] = s["or_tracking_ms"];
    for (const char* key :
         {"or_annotation_frames", "or_annotation_frames_unplaced", "or_annotation_frames_uncertain"})
      out[key] = s.value(key, json(nullptr));
    out["or_compositing_ms"] = s["or_compositing_ms"];
    out["annotations_on_screen_max"] = annotations_most;
    out["or_display_fps_with_all_annotations"] = distribution(display_fps_full);
    if (display_fps_full.empty())
      std::fprintf(stderr,
                   "bench: the scripted mentor never had %zu annotations on screen in the measured part; "
                   "use more --seconds\n",
                   o.annotation_count);
  }
  if (!c["g2g_ms"].is_null() && !c["pixel_ms"].is_null()) {
    out["metadata_pixel_p50_difference_ms"] =
        std::abs(c["g2g_ms"]["p50"].get<double>() - c["pixel_ms"]["p50"].get<double>());
  }

  if (link) {
    out["link"] = o.link;
    out.update(picture_figures(c, measured_s * 1000));
    // Keyframes the consoles asked for (joins and losses); those sent while no console was heard (an outage)
    // are counted apart.
    const auto unheard = s.value("keyframes_unheard", json(0)).get<long>();
    out["pli_count"] = std::max(0L, s.value("keyframes_forced", json(0)).get<long>() - unheard);
    out["keyframes_unheard"] = unheard;
    out["link_seed"] = link_seed;
  }
  out["adapt_rate"] = o.adapt_rate;
  out["bitrate_kbps"] = sent_kbps;  // per second, all consoles (one here)
  out["target_kbps"] = target_kbps;
  out["video_steps"] = video_steps;
  out["profile_steps"] = s.value("profile_steps", json(0));
  out["fec"] = o.fec;
  out["intra_refresh"] = o.intra_refresh;
  if (!preflight.is_null()) {
    out["preflight"] = {{"verdict", preflight["verdict"]},
                        {"achievable_bps", preflight["achievable_bps"]},
                        {"loss_to_mentor", preflight["loss_to_mentor"]},
                        {"rtt_p50_ms", preflight["rtt_p50_ms"]}};
  }
  out["fec_packets_sent"] = s.value("fec_packets_sent", json(0));
  out["fec_recovered"] = c.value("fec_recovered", json(0));
  out["probe_clusters_sent"] = s.value("probe_clusters_sent", json(0));
  out["rate_estimate_kbps"] = c.value("rate_estimate_kbps", json(nullptr));
  out["raw_loss"] = c.value("raw_loss", json(nullptr));
  if (o.audio)
    out["voice"] =
        voice_figures(s, c, measured_from_ns ? std::optional<double>(*measured_from_ns / 1e9) : std::nullopt);

  const bool loopback_baseline = o.baseline && !link;  // across a link: the link baselines below
  if (loopback_baseline) {
    BaselinePlaces where;
    where.path.port = tools::free_loopback_port();
    std::fprintf(stderr, "bench: baseline (plain GStreamer RTP/UDP, no SRTP, no jitter buffer) for %.0f s\n",
                 total);
    const json b =
        run_plain_baseline(in, dir, "baseline", o.profile, o.intra_refresh, where, total, o.warmup);
    // The bare pipeline carries no capture-time metadata: its only latency figure is the pixel code's.
    out["baseline"] = {
        {"g2g_ms", nullptr}, {"pixel_ms", latency(b["pixel_ms"])}, {"fps_received", b["fps_received"]}};
    if (!b["pixel_ms"].is_null() && !c["pixel_ms"].is_null()) {
      out["ratio_p95"] = c["pixel_ms"]["p95"].get<double>() / b["pixel_ms"]["p95"].get<double>();
    }
  }
  if (link && o.link_baselines) {
    // The same link for each: a fresh emulator with the same profile and seed, so a schedule (outage,
    // capacity steps) falls at the same time of each run.
    const auto profile = tools::link::load_link_profile(link_profile);
    const auto round_trip = profile.or_to_mentor.delay + profile.mentor_to_or.delay;
    // SRT's maintainers advise a latency of at least 4 × RTT; SRT counts it in whole milliseconds.
    const auto srt_latency = std::chrono::ceil<milliseconds>(4 * round_trip);
    // No retransmission to wait for: the plain stream's jitter buffer waits for a gap what SurgiLink's waits
    // at least (the console's jitter_latency_ms).
    auto console_config = core::ConfigTable::load(in.console_config);
    const auto jitter_latency =
        console_config.get_ms("jitter_latency_ms", milliseconds{20}, milliseconds{0}, milliseconds{2000});
    out["srt_latency_ms"] = srt_latency.count();
    out["baseline_rtp_jitter_ms"] = jitter_latency.count();
    const double measured_ms = measured_s * 1000;
    for (const auto transport : {media::PlainRtpPath::Transport::udp, media::PlainRtpPath::Transport::srt}) {
      const bool srt = transport == media::PlainRtpPath::Transport::srt;
      const std::string name = srt ? "baseline_srt" : "baseline_rtp";
      BaselinePlaces where{place.wrapper, console_wrapper, {}};
      where.path.transport = transport;
      where.path.port = tools::free_loopback_port();  // the namespaces are empty: any port is free there
      where.path.address = srt ? kOrAddress : kMentorAddress;
      where.path.srt_latency = srt_latency;
      if (!srt) where.path.jitter_latency = jitter_latency;
      emulator.stop();
      emulator.process =
          start_link(in, link_profile, link_prefix, link_seed, dir / ("link-" + name + ".log"));
      if (srt) {
        std::fprintf(stderr,
                     "bench: SRT (srtsink/srtsrc, RTP inside, latency %lld ms = 4 x RTT) for %.0f s\n",
                     static_cast<long long>(srt_latency.count()), total);
      } else {
        std::fprintf(stderr,
                     "bench: plain RTP (udpsink/udpsrc, rtpjitterbuffer %lld ms, no SRTP, NACK or FEC) for "
                     "%.0f s\n",
                     static_cast<long long>(jitter_latency.count()), total);
      }
      out[name] = link_figures(
          run_plain_baseline(in, dir, name, o.profile, o.intra_refresh, where, total, o.warmup), measured_ms);
    }
  }
  if (soaking) {
    out["soak_minutes"] = o.soak_minutes;
    out["soak_mentor"] = o.annotations;
    out.update(soak.to_json());
  }
  TargetContext context;
  context.profile_fps = media::video_profile(o.profile).fps;
  context.baseline = loopback_baseline;
  context.annotations = o.annotations;
  context.soak = soaking;
  context.or_window = o.or_window;
  context.link_baselines = out.contains("baseline_rtp") && out.contains("baseline_srt");
  out["targets"] = evaluate_targets(out, context);
  const auto failed = failed_targets(out["targets"]);
  out["targets_failed"] = failed;
  const std::string text = out.dump(2);
  std::printf("%s\n", text.c_str());
  if (!o.json_out.empty()) std::ofstream(o.json_out) << text << "\n";
  if (link) print_link_comparison(out);
  for (const auto& name : failed) {
    const auto& t = out["targets"][name];
    std::fprintf(stderr, "bench: target %s missed: measured %s, limit %s %s\n", name.c_str(),
                 t["measured"].dump().c_str(), t["compare"].get<std::string>().c_str(),
                 t["limit"].dump().c_str());
  }
  return o.check && !failed.empty() ? 1 : 0;
}

}  // namespace surgilink::bench
