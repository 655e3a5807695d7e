#pragma once
// The parts of surgilink-bench: the measured run, the plain-GStreamer baseline, and the demo.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "process/child_process.hpp"
#include "surgilink/media/plain_rtp_path.hpp"

namespace surgilink::bench {

// Where the SurgiLink programs and default configs are.
struct Installation {
  std::filesystem::path sender;
  std::filesystem::path console;
  std::filesystem::path self;
  std::filesystem::path sender_config;
  std::filesystem::path console_config;
  std::filesystem::path link;  // surgilink-link, the link emulator
};
Installation find_installation();

// An OR sender started for bench or demo: loopback only, any free ports, the synthetic scene with the pixel
// code, status as JSON, its report and log in `dir`.
struct LoopbackSender {
  std::unique_ptr<tools::ChildProcess> process;
  int control_port = 0;
  int mllp_port = 0;  // the sender's HL7 MLLP listener, 0 when its vitals come from elsewhere
};
// Starts it and waits for its "listening" line; throws std::runtime_error naming its log if it never comes.
// `where`: the command it runs inside and the address it binds (the bench's --link: "ip netns exec NS" and
// the namespace's address); empty: this machine, 127.0.0.1.
struct SenderPlace {
  std::vector<std::string> wrapper;
  std::string bind = "127.0.0.1";
};
LoopbackSender start_loopback_sender(const Installation& installation, const std::filesystem::path& dir,
                                     const std::string& profile, const std::vector<std::string>& extra_args,
                                     const SenderPlace& where = {});

// The start of a console command line for a loopback sender: program, config, host, port, --seconds, and
// --report-json into `dir`.
std::vector<std::string> loopback_console_args(const Installation& installation,
                                               const std::filesystem::path& dir, int control_port,
                                               double seconds, const std::string& host = "127.0.0.1");

// surgilink-bench [--profile] [--seconds] [--baseline] [--json] [--soak] [--check]: sender + headless console
// on loopback.
struct BenchOptions {
  std::string profile = "1080p30";
  double seconds = 10;
  double warmup = 2;
  bool baseline = false;
  std::string json_out;
  std::string srtp_profile = "AEAD_AES_128_GCM";
  // Telestration: a scripted mentor on the console keeps this many annotations on the OR display.
  bool annotations = false;
  std::size_t annotation_count = 50;
  // Soak: run this many minutes after the warm-up instead of `seconds`, sampling both processes' resident
  // memory once a minute (0: no soak). The caller turns `annotations` on for a soak with a mentor.
  double soak_minutes = 0;
  // Exit 1 when a performance target fails (the JSON's "targets").
  bool check = false;
  // Voice both ways (audio timestamp codes in, heard WAVs out): audio_m2e_ms, av_sync_ms. Without it neither
  // program opens any sound device.
  bool audio = false;
  // The sender resends video packets a console reports lost (NACK → RTX); false: keyframe requests only.
  bool retransmit = true;
  bool adapt_rate = true;      // congestion control at the sender (--no-adapt-rate: the fixed bitrate)
  bool fec = true;             // parity packets on lossy links (--no-fec: off)
  bool intra_refresh = false;  // the encoder refreshes by a sweeping intra column, not periodic IDRs
  // A link profile (configs/links/NAME.toml, or a path): sender and console in two network namespaces joined
  // by surgilink-link with that profile (root only); adds frozen_ratio, freezes, broken_frames, ... to the
  // JSON.
  std::string link;
  // With `link`: the same figures for the plain GStreamer RTP baseline and for SRT (latency 4 × the
  // profile's RTT) across the same link, each on a fresh emulator with the same seed (baseline_rtp,
  // baseline_srt).
  bool link_baselines = true;
  // The sender opens its OR window (needs a display, e.g. under xvfb-run): adds or_window_ms and, with
  // annotations, annotation_to_or_screen_ms.
  bool or_window = false;
  // Seconds of the console's pre-flight before it joins (0: none): the sender starts the joining console's
  // link from its figures.
  double preflight_seconds = 0;
};
int run_bench(const BenchOptions& options, const Installation& installation);

// The baselines' two halves, run by run_bench as child processes of this same program (inside the link
// emulator's namespaces with --link). Each prints "ready" once its pipeline plays.
int run_baseline_sender(const std::string& profile, bool intra_refresh, const media::PlainRtpPath& path,
                        double seconds);
int run_baseline_receiver(const media::PlainRtpPath& path, double seconds, double warmup,
                          const std::string& json_out);

// surgilink-bench demo: sender + console on this machine, status lines, summary.
struct DemoOptions {
  double seconds = 20;
  bool status_json = false;
  std::string profile = "1080p30";
  std::string vitals = "simulator";
  std::size_t scripted_mentor =
      4;  // the console draws as a scripted mentor keeping this many; 0: no one draws
  // Voice both ways from WAV files (speech and audio timestamp codes) to WAV files: no sound card needed.
  bool audio = true;
};
int run_demo(const DemoOptions& options, const Installation& installation);

}  // namespace surgilink::bench
