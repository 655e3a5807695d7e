// surgilink-bench demo: an OR sender and a mentor console on this machine with the synthetic scene.
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "bench/voice_figures.hpp"
#include "bench_programs.hpp"
#include "process/child_process.hpp"

namespace surgilink::bench {

using nlohmann::json;
using std::chrono::milliseconds;

int run_demo(const DemoOptions& o, const Installation& in) {
  const auto dir = std::filesystem::temp_directory_path() / ("surgilink-demo-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::printf(
      "demo: OR sender (synthetic operative scene, %s) and the mentor console on this machine for "
      "%.0f s; logs in %s\n",
      o.profile.c_str(), o.seconds, dir.c_str());
  std::fflush(stdout);
  // The surgeon's monitor: the OR window where there is a display; either way the OR display's last picture
  // is saved (its path is printed as "or_screenshot: ..." beside the console's "screenshot: ...").
  const auto or_screenshot = std::filesystem::path(SURGILINK_SOURCE_DIR) / "var" / "demo-or.png";
  std::filesystem::create_directories(or_screenshot.parent_path());
  std::filesystem::remove(or_screenshot);
  const auto voice = voice_arguments(dir, o.audio, true);
  // The demo's case is recorded ([recording] folder of configs/sender.toml, var/recordings/): consent is
  // given on the command line, and a developer's disk is not an encrypted volume.
  std::vector<std::string> sender_args{"--vitals",
                                       o.vitals,
                                       "--or-screenshot",
                                       or_screenshot.string(),
                                       "--consent",
                                       "--require-encrypted-volume",
                                       "false"};
  sender_args.insert(sender_args.end(), voice.sender.begin(), voice.sender.end());
  if (o.audio) {
    std::printf(
        "demo: voice both ways: the OR says %s, the mentor says %s (speech and audio timestamp codes)\n",
        (dir / "or_mic.wav").c_str(), (dir / "mentor_mic.wav").c_str());
  }
  auto started = start_loopback_sender(in, dir, o.profile, sender_args);
  tools::ChildProcess& sender = *started.process;
  const int control_port = started.control_port;
  if (started.mllp_port != 0) {
    std::printf(
        "demo: vitals from HL7 v2 ORU^R01 over MLLP on 127.0.0.1:%d (e.g. mllp_send --loose -p %d -f FILE "
        "127.0.0.1)\n",
        started.mllp_port, started.mllp_port);
  } else {
    std::printf("demo: vitals from %s\n", o.vitals.c_str());
  }
  std::vector<std::string> console_args = loopback_console_args(in, dir, control_port, o.seconds);
  if (o.status_json) console_args.push_back("--status-json");
  if (o.scripted_mentor > 0)
    console_args.insert(console_args.end(), {"--scripted-mentor", std::to_string(o.scripted_mentor)});
  // The real console window: on screen where there is a display, offscreen otherwise; either way it leaves a
  // screenshot of itself (its path is printed as "screenshot: ...").
  const auto screenshot = std::filesystem::path(SURGILINK_SOURCE_DIR) / "var" / "demo-console.png";
  std::filesystem::create_directories(screenshot.parent_path());
  console_args.insert(console_args.end(), {"--screenshot", screenshot.string()});
  console_args.insert(console_args.end(), voice.console.begin(), voice.console.end());
  tools::ChildProcess console(console_args, (dir / "console.log").string());
  // The folder the sender records into, from its status lines.
  std::string recording_folder;
  const auto read_sender = [&sender, &recording_folder] {
    while (const auto status = sender.read_line(milliseconds{0})) {
      const auto j = json::parse(*status, nullptr, false);
      if (j.is_object() && j.contains("recording") && j["recording"].is_object() &&
          j["recording"].value("folder", json()).is_string())
        recording_folder = j["recording"]["folder"].get<std::string>();
    }
  };
  while (auto line = console.read_line(milliseconds{static_cast<long>(o.seconds * 1000) + 10000})) {
    read_sender();  // also drained so the sender never blocks on a full pipe
    std::printf("%s\n", line->c_str());
    std::fflush(stdout);
  }
  const int console_exit = console.wait(milliseconds{10000}).value_or(-1);
  sender.signal(SIGINT);
  const int sender_exit = sender.wait(milliseconds{10000}).value_or(-1);
  read_sender();
  if (std::filesystem::exists(or_screenshot))
    std::printf("or_screenshot: %s\n", std::filesystem::absolute(or_screenshot).c_str());
  std::ifstream report_file(dir / "console.json");
  if (console_exit != 0 || sender_exit != 0 || !report_file) {
    std::fprintf(stderr, "demo: console exited %d, sender %d; logs in %s\n", console_exit, sender_exit,
                 dir.c_str());
    return 1;
  }
  const json r = json::parse(report_file);
  if (r["frames_received"].get<std::uint64_t>() == 0) {
    std::fprintf(stderr, "demo: the console decoded no picture; logs in %s\n", dir.c_str());
    return 1;
  }
  const auto ms = [](const json& s, const char* key) { return s.is_null() ? 0.0 : s[key].get<double>(); };
  std::printf("summary: %llu frames decoded (%.1f fps), %llu undecodable, first picture after %.0f ms\n",
              static_cast<unsigned long long>(r["frames_received"].get<std::uint64_t>()),
              r["fps_received"].get<double>(),
              static_cast<unsigned long long>(r["frames_undecodable"].get<std::uint64_t>()),
              r["first_picture_ms"].is_null() ? -1.0 : r["first_picture_ms"].get<double>());
  std::printf(
      "summary: glass-to-glass p50 %.1f ms, p95 %.1f ms (clock sync ±%.2f ms); pixel-code p50 %.1f ms, "
      "p95 %.1f ms\n",
      ms(r["g2g_ms"], "p50"), ms(r["g2g_ms"], "p95"), r["clock_uncertainty_ms"].get<double>(),
      ms(r["pixel_ms"], "p50"), ms(r["pixel_ms"], "p95"));
  std::printf(
      "summary: vitals %llu numerics and %llu waveform samples received (%llu lost), latency p50 %.1f ms, "
      "p95 %.1f ms\n",
      static_cast<unsigned long long>(r.value("vitals_numerics", std::uint64_t{0})),
      static_cast<unsigned long long>(r.value("vitals_waveform_samples", std::uint64_t{0})),
      static_cast<unsigned long long>(r.value("vitals_waveform_samples_lost", std::uint64_t{0})),
      ms(r["vitals_ms"], "p50"), ms(r["vitals_ms"], "p95"));
  if (o.audio) {
    std::ifstream sender_report(dir / "sender.json");
    const json v =
        voice_figures(sender_report ? json::parse(sender_report, nullptr, false) : json::object(), r);
    const auto m2e = [&v](const char* direction, const char* key) {
      const json& d = v["audio_m2e_ms"][direction];
      return d.is_null() ? -1.0 : d[key].get<double>();
    };
    std::printf(
        "summary: voice mouth-to-ear OR -> mentor p50 %.1f ms, p95 %.1f ms; mentor -> OR p50 %.1f ms, "
        "p95 %.1f ms (audio timestamp codes; device buffers not included)\n",
        m2e("or_to_mentor", "p50"), m2e("or_to_mentor", "p95"), m2e("mentor_to_or", "p50"),
        m2e("mentor_to_or", "p95"));
    std::printf("voice_heard_by_mentor: %s\nvoice_heard_in_or: %s\n", (dir / "mentor_heard.wav").c_str(),
                (dir / "or_heard.wav").c_str());
  }
  if (recording_folder.empty()) {
    std::fprintf(stderr, "demo: the case was not recorded; the sender's log: %s\n",
                 (dir / "sender.log").c_str());
    return 1;
  }
  std::printf("recording: %s\n", recording_folder.c_str());
  std::printf("review it: build/dev/tools/surgilink-review show %s --at 5 --png moment.png\n",
              recording_folder.c_str());
  return 0;
}

}  // namespace surgilink::bench
