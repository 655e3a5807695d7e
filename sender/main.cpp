// surgilink-sender: the operating-room side. Streams the operative field to mentor consoles.
#include <sys/resource.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "or_sender.hpp"
#include "surgilink/core/config.hpp"
#include "surgilink/core/logging.hpp"
#include "surgilink/session/audit_log.hpp"

namespace {

// A service's usual soft limit is 1,024 descriptors; every console holds a few. Take what the hard limit
// allows so that a flood of connections meets the sender's own caps, not the kernel's (issue 12).
void raise_descriptor_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  const rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) == 0) {
    spdlog::debug("descriptor limit raised from {} to {}", before, limit.rlim_cur);
  } else {
    spdlog::warn("descriptor limit stays at {}: {}", before, std::strerror(errno));
  }
}

// Sends one command to a running sender's surgeon-controls socket and prints its reply: a nurse's script
// or a hardware button's helper needs no other program (0: "ok", 1: refused, 3: no sender there).
int send_control_command(const std::filesystem::path& socket, const std::string& command) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::local::stream_protocol::socket s(io);
  boost::system::error_code ec;
  s.connect(asio::local::stream_protocol::endpoint(socket.string()), ec);
  if (ec) {
    std::fprintf(stderr, "surgilink-sender --control: no sender answers at %s (%s)\n", socket.c_str(),
                 ec.message().c_str());
    return 3;
  }
  asio::write(s, asio::buffer(command + "\n"), ec);
  asio::streambuf reply;
  if (!ec) asio::read_until(s, reply, '\n', ec);
  if (ec && reply.size() == 0) {
    std::fprintf(stderr, "surgilink-sender --control: %s\n", ec.message().c_str());
    return 3;
  }
  std::string line(asio::buffers_begin(reply.data()), asio::buffers_end(reply.data()));
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  std::printf("%s\n", line.c_str());
  return line.rfind("ok", 0) == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace surgilink;
  // Least privilege on what the sender stores (issue 12): audit log, recordings, event logs, exported keys
  // are the service's own — files 0600, folders 0700 — unless created otherwise on purpose (the controls
  // socket).
  ::umask(077);
  CLI::App app{
      "surgilink-sender: streams the operative field (SRTP video over a mutual-TLS session) to mentor "
      "consoles.\nStatus: one line per second on stdout; logs on stderr."};
  std::string config = "configs/sender.toml";
  sender::SenderOverrides overrides;
  std::optional<double> seconds;
  bool status_json = false;
  std::string report, ready, export_keys, log_level, or_screenshot;
  app.add_option("--config", config, "settings file (TOML)")->capture_default_str();
  app.add_option("--source", overrides.source, "synthetic | testsrc | file:PATH | v4l2:/dev/videoN");
  app.add_option("--vitals", overrides.vitals,
                 "vitals source: simulator | hl7 | hl7:PORT | file:PATH | none");
  app.add_option("--profile", overrides.profile, "720p30 | 1080p30 | 1080p60");
  app.add_option("--srtp-profile", overrides.srtp_profile, "AEAD_AES_128_GCM | AES_CM_128_HMAC_SHA1_80");
  app.add_option("--bind", overrides.bind_address, "address to listen on");
  app.add_option("--control-port", overrides.control_port, "TLS control port (0: any free)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--media-port", overrides.media_port, "SRTP media port (0: any free)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--audio-in", overrides.audio_in,
                 "the OR microphone: default | none | file:PATH.wav (played in real time, looped) | DEVICE");
  app.add_option(
      "--audio-out", overrides.audio_out,
      "the OR speaker (every mentor, mixed): default | none | file:PATH.wav (written in real time) | "
      "DEVICE");
  app.add_flag("--audio-markers", overrides.audio_markers,
               "find the audio timestamp code in what is spoken and heard (bench; times in --report-json)");
  app.add_option("--retransmit", overrides.retransmit,
                 "resend video packets a console reports lost (NACK → RTX): true | false (over [network])");
  app.add_option(
      "--fec", overrides.fec,
      "parity packets (forward error correction) when the mentors' links lose packets: true | false "
      "(over [network] fec)");
  app.add_option("--intra-refresh", overrides.intra_refresh,
                 "periodic intra refresh instead of periodic keyframes: true | false (over [video] "
                 "intra_refresh)");
  app.add_option(
      "--adapt-rate", overrides.adapt_rate,
      "congestion control: the video's bitrate and size follow the narrowest mentor link: true | false "
      "(over [network] adapt_rate)");
  app.add_option(
      "--require-encrypted-volume", overrides.require_encrypted_volume,
      "record only onto an encrypted volume: true | false (over [recording]; false only for a demo "
      "or a test on a developer's disk)");
  app.add_flag("--consent", overrides.consent,
               "consent to record this case was given before starting (the demo): recording starts with the "
               "stream, audited as given on the command line");
  app.add_option("--pixel-code", overrides.pixel_code, "draw the pixel timestamp code: true | false");
  app.add_option("--seconds", seconds, "stop after this many seconds");
  app.add_flag("--status-json", status_json, "print status lines as JSON");
  app.add_option("--report-json", report, "write a JSON summary to this file at exit");
  app.add_option("--ready-file", ready, "write the listening ports as JSON to this file");
  app.add_option(
      "--or-screenshot", or_screenshot,
      "when stopping, save the OR display's last picture (annotations and badges included) as PNG");
  bool or_window = false, no_or_window = false;
  auto* window_on = app.add_flag(
      "--or-window", or_window,
      "show the OR display in a window on the OR monitor (default: when this machine has a display)");
  app.add_flag("--no-or-window", no_or_window, "no OR window (the OR display still runs for --or-screenshot)")
      ->excludes(window_on);
  app.add_option("--export-srtp-keys", export_keys,
                 "write each console's SRTP keys as SDP (needs SURGILINK_ALLOW_KEY_EXPORT=1; testing only)");
  app.add_option("--language", overrides.language,
                 "the OR display's language: ja | en | system (the system locale; overrides [ui] language)");
  app.add_option("--log-level", log_level, "trace | debug | info | warn | error (overrides the config)");
  std::string verify_audit, audit_key;
  app.add_option("--verify-audit", verify_audit,
                 "check a hash-chained audit log and exit (0: intact, 1: broken at the line it names)");
  app.add_option("--audit-key", audit_key,
                 "with --verify-audit: the key file, to check the keyed checkpoints too");
  std::string control;
  app.add_option(
      "--control", control,
      "send one surgeon command (pause | resume | hide | show | clear | status | ...) to the sender "
      "running with this config's [or_controls] socket, print its reply and exit (0: ok, 1: "
      "refused, 3: no sender)");
  CLI11_PARSE(app, argc, argv);
  if (!verify_audit.empty()) {
    std::vector<std::uint8_t> key;
    if (!audit_key.empty()) {
      std::ifstream in(audit_key, std::ios::binary);
      key.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      if (key.empty()) {
        std::fprintf(stderr, "%s: cannot read the audit key\n", audit_key.c_str());
        return 2;
      }
    }
    const auto verdict = session::verify_audit_log(verify_audit, key);
    if (verdict.broken_line) {
      std::fprintf(stderr, "%s: BROKEN at line %llu: %s (%llu lines before it are intact)\n",
                   verify_audit.c_str(), static_cast<unsigned long long>(*verdict.broken_line),
                   verdict.reason.c_str(), static_cast<unsigned long long>(verdict.lines_ok));
      return 1;
    }
    std::printf("%s: intact, %llu lines, last hash %s\n", verify_audit.c_str(),
                static_cast<unsigned long long>(verdict.lines_ok), verdict.last_hash.c_str());
    if (!key.empty()) {
      std::printf(
          "%llu keyed checkpoints hold; %s\n", static_cast<unsigned long long>(verdict.checkpoints_ok),
          verdict.lines_after_last_checkpoint == 0 ? "the log ends with one (a clean stop)"
                                                   : (std::to_string(verdict.lines_after_last_checkpoint) +
                                                      " lines follow the last one (the sender did not stop "
                                                      "cleanly, or lines after it were removed)")
                                                         .c_str());
    }
    return 0;
  }
  if (!export_keys.empty()) overrides.export_srtp_keys = export_keys;
  if (or_window || no_or_window) overrides.or_window = or_window;
  try {
    auto settings = sender::load_sender_settings(config, overrides);
    if (!control.empty()) {
      if (!settings.surgeon_controls.socket) {
        std::fprintf(stderr, "surgilink-sender --control: %s sets no [or_controls] socket\n", config.c_str());
        return 2;
      }
      return send_control_command(*settings.surgeon_controls.socket, control);
    }
    settings.seconds = seconds;
    settings.status_json = status_json;
    if (!report.empty()) settings.report = report;
    if (!ready.empty()) settings.ready = ready;
    if (!or_screenshot.empty()) settings.or_screenshot = or_screenshot;
    core::setup_logging("sender", log_level.empty() ? settings.log_level : log_level);
    raise_descriptor_limit();
    std::unique_ptr<sender::OrSender> sender;
    try {
      sender = std::make_unique<sender::OrSender>(std::move(settings));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "surgilink-sender: cannot start: %s\n", e.what());
      return 1;
    }
    try {
      return sender->run();
    } catch (const std::exception& e) {
      // Not "cannot start": it started, and something failed while it ran.
      std::fprintf(stderr, "surgilink-sender: stopped by an internal error while running: %s\n", e.what());
      return 5;
    }
  } catch (const core::ConfigError& e) {
    std::fprintf(stderr, "surgilink-sender: configuration error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "surgilink-sender: cannot start: %s\n", e.what());
    return 1;
  }
}
