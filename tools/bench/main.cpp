// surgilink-bench: measures SurgiLink's glass-to-glass latency against a plain GStreamer pipeline, and runs
// the demo.
#include <cstdio>
#include <exception>
#include <map>

#include <CLI/CLI.hpp>

#include "bench_programs.hpp"
#include "surgilink/core/logging.hpp"

int main(int argc, char** argv) {
  using namespace surgilink;
  CLI::App app{
      "surgilink-bench: starts an OR sender and a headless mentor console on loopback with the "
      "synthetic scene and the pixel timestamp code, and reports latency, fps and CPU as JSON."};
  bench::BenchOptions options;
  app.add_option("--profile", options.profile, "720p30 | 1080p30 | 1080p60")->capture_default_str();
  app.add_option("--seconds", options.seconds, "measured seconds (after the warm-up)")->capture_default_str();
  app.add_option("--warmup", options.warmup, "seconds after the first picture left out of the figures")
      ->capture_default_str();
  app.add_flag("--baseline", options.baseline,
               "also measure a plain GStreamer RTP/UDP pipeline in the same run");
  app.add_option("--json", options.json_out, "write the results to this file");
  app.add_option("--srtp-profile", options.srtp_profile, "AEAD_AES_128_GCM | AES_CM_128_HMAC_SHA1_80")
      ->capture_default_str();
  app.add_flag("--annotations", options.annotations,
               "a scripted mentor draws (strokes, arrows, circles, pointer): adds annotation_ms, "
               "anchor_error_px, anchor_error_px_unanchored and the OR display fps with the annotations on");
  app.add_option("--annotation-count", options.annotation_count,
                 "with --annotations: annotations kept on screen")
      ->capture_default_str()
      ->check(CLI::Range(1, 200));
  bool soak_no_mentor = false;
  auto* soak =
      app.add_option(
             "--soak", options.soak_minutes,
             "soak: run MINUTES after the warm-up (instead of --seconds) with a scripted mentor keeping "
             "20 annotations on screen; adds each process's resident memory per minute (rss_mb) and its "
             "growth (rss_growth_mb_per_min); progress once a minute")
          ->check(CLI::Range(1.0, 24.0 * 60));
  app.add_flag("--soak-no-mentor", soak_no_mentor, "with --soak: the console only watches, no one draws")
      ->needs(soak);
  app.add_flag("!--no-retransmit", options.retransmit,
               "the sender does not resend lost video packets (keyframe requests only: the old behaviour)");
  app.add_flag(
      "!--no-adapt-rate", options.adapt_rate,
      "the sender keeps the profile's fixed bitrate and size (no congestion control: the old behaviour)");
  app.add_flag(
      "--or-window", options.or_window,
      "the sender opens its OR window (needs a display: run under xvfb-run): adds or_window_ms, and with "
      "--annotations annotation_to_or_screen_ms");
  app.add_flag("!--no-fec", options.fec, "the sender sends no parity packets (forward error correction off)");
  app.add_flag("--intra-refresh", options.intra_refresh,
               "the encoders (SurgiLink's and the baselines') refresh the picture by a sweeping intra column "
               "instead of periodic keyframes");
  app.add_option(
      "--link", options.link,
      "run across the link emulator with this profile (configs/links/NAME.toml or a path; root): adds "
      "frozen_ratio, freezes, broken_frames, pli_count, and the same figures for the plain GStreamer RTP "
      "baseline (baseline_rtp) and SRT (baseline_srt)");
  app.add_flag("!--no-link-baselines", options.link_baselines,
               "with --link: only SurgiLink, not the plain RTP and SRT baselines across the same link");
  app.add_flag("--audio", options.audio,
               "voice both ways with audio timestamp codes: adds audio_m2e_ms per direction and av_sync_ms");
  app.add_option("--preflight", options.preflight_seconds,
                 "the console runs a pre-flight of this many seconds (5 to 60) before it joins, as a mentor "
                 "does before a case; the sender starts its link from the figures; adds preflight")
      ->check(CLI::Range(5.0, 60.0));
  app.add_flag("--check", options.check, "exit 1 when a performance target (the JSON's \"targets\") fails");

  bench::DemoOptions demo;
  auto* demo_cmd = app.add_subcommand("demo", "run the OR sender and a mentor console on this machine");
  demo_cmd->add_option("--seconds", demo.seconds, "how long")->capture_default_str();
  demo_cmd->add_flag("--status-json", demo.status_json, "the console's status lines as JSON");
  demo_cmd->add_flag("--audio,!--no-audio", demo.audio,
                     "voice both ways from WAV files (speech + audio timestamp codes) to WAV files, with the "
                     "mouth-to-ear figures (default: on)");
  demo_cmd->add_option("--profile", demo.profile, "720p30 | 1080p30 | 1080p60")->capture_default_str();
  demo_cmd
      ->add_option("--scripted-mentor", demo.scripted_mentor,
                   "the console draws as a scripted mentor keeping N annotations (0: no one draws)")
      ->check(CLI::Range(0, 200))
      ->capture_default_str();
  demo_cmd
      ->add_option(
          "--vitals", demo.vitals,
          "the sender's vitals source: simulator | hl7:PORT (an MLLP listener for a monitor gateway or "
          "mllp_send) | file:PATH | none")
      ->capture_default_str();

  std::string profile = "1080p30", json_out;
  double seconds = 10, warmup = 2;
  media::PlainRtpPath path;
  int srt_latency_ms = 0, jitter_ms = -1;
  const std::map<std::string, media::PlainRtpPath::Transport> transports{
      {"udp", media::PlainRtpPath::Transport::udp}, {"srt", media::PlainRtpPath::Transport::srt}};
  const auto add_path = [&](CLI::App* command) {
    command->add_option("--port", path.port)->required();
    command->add_option("--address", path.address, "udp: the receiver's address; srt: the sender's")
        ->capture_default_str();
    command->add_option("--transport", path.transport)
        ->transform(CLI::CheckedTransformer(transports))
        ->capture_default_str();
    command->add_option("--srt-latency-ms", srt_latency_ms)->check(CLI::Range(0, 10000));
    command->add_option("--seconds", seconds);
  };
  auto* base_send = app.add_subcommand("baseline-sender", "(internal) the baselines' sending half");
  base_send->add_option("--profile", profile);
  bool base_intra_refresh = false;
  base_send->add_flag("--intra-refresh", base_intra_refresh);
  add_path(base_send);
  auto* base_receive = app.add_subcommand("baseline-receiver", "(internal) the baselines' receiving half");
  add_path(base_receive);
  base_receive->add_option("--jitter-ms", jitter_ms, "udp: an rtpjitterbuffer with this latency")
      ->check(CLI::Range(0, 10000));
  base_receive->add_option("--warmup", warmup);
  base_receive->add_option("--json", json_out)->required();
  CLI11_PARSE(app, argc, argv);
  if (options.soak_minutes > 0 && !soak_no_mentor) {
    // The load issue 11 saw the sender's memory grow under: a mentor drawing all the time.
    options.annotations = true;
    if (app.count("--annotation-count") == 0) options.annotation_count = 20;
  }

  try {
    core::setup_logging("bench", "warn");
    path.srt_latency = std::chrono::milliseconds{srt_latency_ms};
    if (jitter_ms >= 0) path.jitter_latency = std::chrono::milliseconds{jitter_ms};
    if (*base_send) return bench::run_baseline_sender(profile, base_intra_refresh, path, seconds);
    if (*base_receive) return bench::run_baseline_receiver(path, seconds, warmup, json_out);
    const auto installation = bench::find_installation();
    if (*demo_cmd) return bench::run_demo(demo, installation);
    return bench::run_bench(options, installation);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "surgilink-bench: %s\n", e.what());
    return 1;
  }
}
