#pragma once
// The parts of surgilink-bench: the measured run, the plain-GStreamer baseline, and the demo.

#include <filesystem>
#include <string>

namespace surgilink::bench {

// Where the SurgiLink programs and default configs are.
struct Installation {
  std::filesystem::path sender;
  std::filesystem::path console;
  std::filesystem::path self;
  std::filesystem::path sender_config;
  std::filesystem::path console_config;
};
Installation find_installation();

// surgilink-bench [--profile] [--seconds] [--baseline] [--json]: sender + headless console on loopback.
struct BenchOptions {
  std::string profile = "1080p30";
  double seconds = 10;
  double warmup = 2;
  bool baseline = false;
  std::string json_out;
  std::string srtp_profile = "AEAD_AES_128_GCM";
};
int run_bench(const BenchOptions& options, const Installation& installation);

// The baseline's two halves, run by run_bench as child processes of this same program.
int run_baseline_sender(const std::string& profile, int port, double seconds);
int run_baseline_receiver(int port, double seconds, double warmup, const std::string& json_out);

// surgilink-bench demo: sender + console on this machine, status lines, summary.
struct DemoOptions {
  double seconds = 20;
  bool status_json = false;
  std::string profile = "1080p30";
};
int run_demo(const DemoOptions& options, const Installation& installation);

}  // namespace surgilink::bench
