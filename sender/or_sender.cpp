#include "or_sender.hpp"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "case_recording.hpp"
#include "or_annotation_overlay.hpp"
#include "or_display_badges.hpp"
#include "or_language.hpp"
#include "or_monitor.hpp"
#include "or_status_strip.hpp"
#include "or_touch_panel.hpp"
#include "or_voice.hpp"
#include "stale_annotations.hpp"
#include "surgeon_controls.hpp"
#include "surgilink/core/periodic_timer.hpp"
#include "surgilink/media/pixel_timestamp_code.hpp"
#include "surgilink/media/segment_recorder.hpp"
#include "surgilink/media/video_ladder.hpp"
#include "surgilink/vitals/vitals_row.hpp"
#include "telestration_measurements.hpp"
#include "video_pacing.hpp"
#include "video_parity.hpp"

namespace surgilink::sender {

namespace asio = boost::asio;

namespace {

// Writes an I420 picture as PNG; false (logged) when it cannot.
bool save_png(const media::VideoFrame& frame, const std::filesystem::path& path) {
  const int w = frame.width(), h = frame.height();
  cv::Mat i420(h * 3 / 2, w, CV_8UC1);
  for (int row = 0; row < h; ++row)
    std::memcpy(i420.ptr(row), frame.plane(0) + row * frame.stride(0), static_cast<std::size_t>(w));
  std::uint8_t* u = i420.ptr(h);
  std::uint8_t* v = u + static_cast<std::ptrdiff_t>(w / 2) * (h / 2);
  for (int row = 0; row < h / 2; ++row) {
    std::memcpy(u + row * (w / 2), frame.plane(1) + row * frame.stride(1), static_cast<std::size_t>(w / 2));
    std::memcpy(v + row * (w / 2), frame.plane(2) + row * frame.stride(2), static_cast<std::size_t>(w / 2));
  }
  cv::Mat bgr;
  cv::cvtColor(i420, bgr, cv::COLOR_YUV2BGR_I420);
  try {
    if (cv::imwrite(path.string(), bgr)) return true;
  } catch (const cv::Exception& e) {
    spdlog::error("OR display screenshot {}: {}", path.string(), e.what());
    return false;
  }
  spdlog::error("OR display screenshot: cannot write {}", path.string());
  return false;
}

// Anchoring ignores the timestamp code the sender burns into its own pictures: its block corners are the
// strongest features in the picture and stand still while the tissue moves.
annotation::AnchoringSettings anchoring_settings(const media::SenderPipelineSettings& pipeline) {
  annotation::AnchoringSettings s;
  if (!pipeline.pixel_code) return s;
  const auto layout = media::pixel_code_layout(pipeline.profile.width, pipeline.profile.height);
  if (layout.block_px == 0) return s;
  const float w = static_cast<float>(pipeline.profile.width), h = static_cast<float>(pipeline.profile.height);
  const float margin = static_cast<float>(layout.block_px);
  s.motion.ignore.emplace_back((static_cast<float>(layout.origin_x) - margin) / w,
                               (static_cast<float>(layout.origin_y) - margin) / h,
                               (static_cast<float>(layout.blocks * layout.block_px) + 2 * margin) / w,
                               (static_cast<float>(layout.block_px) + 2 * margin) / h);
  return s;
}

// {p50, p95, max, count} of a sample, or null when empty.
nlohmann::json distribution(std::vector<double> values) {
  if (values.empty()) return nullptr;
  std::sort(values.begin(), values.end());
  const auto at = [&values](double q) {
    return values[static_cast<std::size_t>(std::lround(q * static_cast<double>(values.size() - 1)))];
  };
  return {{"p50", at(0.5)}, {"p95", at(0.95)}, {"max", values.back()}, {"count", values.size()}};
}

}  // namespace

struct OrSender::Impl : session::SenderSessionListener, media::SenderPipelineListener {
  explicit Impl(SenderSettings s)
      : settings(with_recorder(std::move(s))),
        or_monitor(
            settings.or_display, clock,
            [this](double x, double y) {
              // The window's event thread: the command is decided and carried out on the network
              // thread.
              asio::post(io, [this, x, y] { on_touch(x, y); });
            },
            [this](const std::string& key) { asio::post(io, [this, key] { on_window_key(key); }); }),
        session(io, settings.session, clock, *this),
        pipeline(settings.pipeline, clock, *this),
        vitals_feed(io, settings.vitals, clock, session),
        recording(settings.recording, settings.session.case_pseudonym, settings.session.rules.site_name,
                  settings.pipeline.recorder, session),
        surgeon_controls(io, settings.surgeon_controls, session, recording,
                         [this] { show_surgeon_controls(); }),
        voice(io, settings.voice, settings.session.voice_ssrc, clock, session, recording),
        signals(io, SIGINT, SIGTERM),
        reload_signal(io, SIGHUP),
        stop_timer(io) {
    spdlog::info("OR display language: {}", language.chosen);
    annotations->set_hidden_source([this] { return session.annotations_hidden(); });
    annotations->set_fade(stale_annotations);
    // The OR display's placements into the recording: from the frame thread to the network thread by a post
    // (never a wait on the disk), only while a recording runs and only what changed.
    annotations->set_placement_listener([this](annotation::PlacedFrame placed) {
      asio::post(io, [this, placed = std::move(placed)] {
        if (!stopped) recording.record_placements(placed);
      });
    });
    recording.set_placements_switch([this](bool on) { annotations->want_placements(on); });
    std::vector<std::shared_ptr<media::OrDisplayOverlay>> layers{annotations, badges};
    // The window's status strip and touch controls only where there is a window, over everything else.
    if (or_monitor.window_open()) {
      const double red = static_cast<double>(settings.or_display.mentor_latency_red.count());
      status_strip =
          std::make_shared<OrStatusStrip>(red > 0 ? red / 2 : 150, red > 0 ? red : 300, language.words);
      touch_panel = std::make_shared<OrTouchPanel>(
          settings.pipeline.profile.width, settings.pipeline.profile.height, clock,
          OrStatusStrip::height_for(settings.pipeline.profile.height), language.words);
      layers.push_back(status_strip);
      layers.push_back(touch_panel);
    }
    surgeon_controls.set_annotation_keeper([this] { return stale_annotations->keep(); });
    pipeline.set_or_display_overlay(std::make_shared<OrDisplayLayers>(std::move(layers)));
  }

  // The recorder asks for a keyframe when a recording starts: one begins at once, not at the next periodic
  // keyframe. Only called after construction (recordings start on commands).
  SenderSettings with_recorder(SenderSettings s) {
    if (!s.recording.folder) return s;
    s.pipeline.recorder = std::make_shared<media::SegmentRecorder>(
        s.recording.segment_length, [this] { pipeline.request_keyframe(); }, disk_floors(s.recording));
    // x264's refresh wave is its keyframe interval in frames, at whatever rate the ladder sends.
    if (s.pipeline.intra_refresh)
      s.pipeline.recorder->set_intra_refresh(
          static_cast<std::uint32_t>(s.pipeline.keyframe_interval.count() * s.pipeline.profile.fps));
    return s;
  }

  SenderSettings settings;
  // The OR display's words, from the catalogue once at start (before the overlays that draw them).
  OrLanguage language = load_or_language(settings.language);
  core::CaptureClock clock;
  asio::io_context io;
  // Before the pipeline: the display branch hands it pictures until the pipeline has stopped. After io: its
  // window posts touches there.
  OrMonitor or_monitor;
  session::SenderSession session;
  media::SenderPipeline pipeline;
  PatientMonitorFeed vitals_feed;
  CaseRecording recording;
  SurgeonControls surgeon_controls;
  OrVoice voice;
  std::shared_ptr<OrDisplayBadges> badges = std::make_shared<OrDisplayBadges>(language.words);
  std::shared_ptr<TelestrationMeasurements> telestration = std::make_shared<TelestrationMeasurements>(
      clock, pipeline.synthetic_truth(),
      cv::Size(settings.pipeline.profile.width, settings.pipeline.profile.height));
  std::shared_ptr<OrAnnotationOverlay> annotations = std::make_shared<OrAnnotationOverlay>(
      settings.pipeline.profile.width, settings.pipeline.profile.height,
      [this] { return session.annotation_scene(); }, telestration, anchoring_settings(settings.pipeline));

  std::shared_ptr<OrTouchPanel> touch_panel;    // null without an OR window
  std::shared_ptr<OrStatusStrip> status_strip;  // null without an OR window
  std::shared_ptr<StaleAnnotations> stale_annotations =
      std::make_shared<StaleAnnotations>(settings.or_display.stale_annotations);

  // A key pressed in the OR window: the strip's key, else the surgeon's keys as on the terminal (a foot pedal
  // types into the window that has the focus).
  void on_window_key(const std::string& key) {
    if (stopped || key.size() != 1) return;
    if (key[0] == settings.surgeon_controls.status_strip_key && status_strip) {
      spdlog::info("OR window key {}: status strip {}", key, status_strip->toggle() ? "shown" : "hidden");
      return;
    }
    surgeon_controls.key(key[0], "window key " + key);
  }

  // A touch on the OR window: the same authority path (and audit) as the keys and the controls socket.
  void on_touch(double x, double y) {
    if (stopped || !touch_panel) return;
    if (const auto command = touch_panel->touch(x, y)) {
      spdlog::info("OR window touch: {}: {}", *command, surgeon_controls.execute(*command, "touch"));
    } else {
      show_surgeon_controls();  // e.g. "clear all" now asks for its second touch
    }
  }

  void show_surgeon_controls() {
    const auto c = session.or_controls();
    if (touch_panel) {
      OrPanelState p;
      p.annotations_hidden = c.annotations_hidden;
      p.pen_revoked = c.pen_revoked;
      p.privacy_paused = c.privacy_paused;
      p.consent_recorded = c.consent_recorded;
      p.recording = c.recording;
      p.recording_available = settings.recording.folder.has_value();
      p.annotations_fading = stale_annotations->fading();
      p.microphone = voice.microphone_open();
      p.microphone_muted = voice.muted();
      p.consoles_connected = session.consoles_connected() > 0;
      touch_panel->set_state(p);
    }
    if (status_strip) status_strip->set_state(strip_state(c));
    badges->set_privacy_paused(c.privacy_paused);
    badges->set_voice(voice.mentor_speaking(), voice.microphone_open() && voice.muted());
    badges->set_surgeon_controls(c.annotations_hidden, c.pen_revoked);
    badges->set_recording(c.recording);
    badges->set_pen_waits_for(c.pen_waits_for);
    std::string flagged;
    for (const auto row : c.flagged_vitals)
      flagged += (flagged.empty() ? "" : ", ") + std::string(vitals::info(row).badge);
    badges->set_flagged_vitals(flagged);
  }

  void on_or_controls_changed() override { show_surgeon_controls(); }

  // Who is here, each mentor's latency as reported, the link, recording and what the surgeon switched.
  OrStripState strip_state(const session::OrControlState& c) const {
    OrStripState s;
    const auto latencies = session.console_latencies();
    const auto now = clock.now();
    for (const auto& m : session.roster()) {
      OrStripPerson p;
      p.name = m.name;
      p.mentor = m.role == session::Role::kMentor;
      p.holds_pen = !c.pen_holder_author.empty() && c.pen_holder_author == m.author;
      for (const auto& l : latencies) {
        if (l.name == m.name && now - l.reported_at < std::chrono::seconds{3}) {
          p.g2g_p95_ms = l.g2g_p95_ms;
          p.loss = l.loss;
        }
      }
      s.people.push_back(std::move(p));
    }
    s.mentor_link_lost = had_mentor && session.consoles_connected() == 0;
    s.pen_waits_for = c.pen_waits_for;
    s.consent_recorded = c.consent_recorded;
    s.recording = c.recording;
    s.annotations_hidden = c.annotations_hidden;
    s.privacy_paused = c.privacy_paused;
    return s;
  }

  // DESIGN.md §8: a departed mentor's annotations fade and expire unless the OR keeps them.
  void expire_stale_annotations() {
    std::set<std::string> present, drawn;
    for (const auto& m : session.roster()) present.insert(m.author);
    for (const auto& a : session.annotation_scene()->annotations) drawn.insert(a->author);
    for (const auto& author : stale_annotations->update(present, drawn, clock.now())) {
      session.expire_annotations_of(
          author, "or display: their mentor left " +
                      std::to_string(settings.or_display.stale_annotations.count()) + " ms ago");
    }
  }
  void on_mentor_voice(std::uint32_t ssrc, const std::string& talker,
                       std::span<const std::uint8_t> packet) override {
    voice.hear(ssrc, packet);
    recording.record_mentor_voice(talker, packet);
  }
  bool had_mentor = false;
  asio::signal_set signals, reload_signal;
  // Once a second: the safety checks and the status line (core::PeriodicTimer: nothing after stop(), even
  // from a tick already due).
  core::PeriodicTimer status_timer{io, std::chrono::seconds{1}, [this] {
                                     safety_tick();
                                     print_status();
                                   }};
  asio::steady_timer stop_timer;
  int exit_code = 0;
  // Set by stop(): handlers already queued (posts from the streaming threads, a timer's) then do nothing.
  bool stopped = false;
  core::CaptureTime started{};
  struct {
    std::uint64_t captured = 0, displayed = 0, sent = 0, bytes = 0, numerics = 0;
  } last;

  void on_keyframe_needed() override { pipeline.request_keyframe(); }

  // Congestion control: the encoder follows the narrowest mentor link's estimate, less what voice, vitals
  // and annotations need (they go first), between the configured floor and the profile's rate; the picture
  // steps down the ladder when the rate no longer carries its size.
  void on_link_rate(const session::ConsoleLinks& links) override {
    if (stopped) return;
    const auto& narrowest_bps = links.narrowest_bps;
    // Forward error correction where links lose packets and a retransmission comes back late (round trip of
    // 20 ms and more), and while a joining console's link is unknown: a repair that needs no round trip
    // (VideoParity).
    const std::size_t chosen = parity.block(links.parity_loss, links.unreported);
    const std::size_t fec_block = settings.rate.fec ? chosen : 0;
    const double loss = parity.smoothed_loss();
    if (fec_block != last_fec_block) {
      spdlog::info(
          "video: forward error correction {} (worst console link loses {:.1f} %{})",
          fec_block == 0 ? std::string("off") : "1 parity per " + std::to_string(fec_block) + " packets",
          100 * loss, links.unreported ? "; a joining console's link is not known yet" : "");
      last_fec_block = fec_block;
    }
    session.set_video_fec(fec_block);
    if (!settings.rate.adapt) return;
    const auto top = static_cast<std::uint64_t>(settings.pipeline.profile.bitrate_kbps);
    std::uint64_t kbps = top;
    if (narrowest_bps) {
      std::uint64_t available = *narrowest_bps / 1000;
      if (fec_block != 0) available = available * fec_block / (fec_block + 1);  // the parity's share
      kbps = std::clamp<std::uint64_t>(available > kReservedKbps ? available - kReservedKbps : 0,
                                       settings.rate.min_kbps, top);
    }
    if (links.unreported || links.narrowest_from_preflight) {
      // A console joining whose link is not reported yet: taken to carry what its pre-flight measured, or
      // else just the profile's rate, with room left for the first second's retransmissions.
      const std::uint64_t link_kbps = links.narrowest_from_preflight ? *narrowest_bps / 1000 : top;
      kbps = std::min(
          kbps, std::clamp<std::uint64_t>(sender::joining_video_kbps(link_kbps, fec_block, kReservedKbps),
                                          settings.rate.min_kbps, top));
    }
    const auto before = ladder.step();
    const auto& step = ladder.choose(static_cast<std::uint32_t>(kbps), clock.now());
    pipeline.set_encoding(step.width, step.height, step.fps, static_cast<std::uint32_t>(kbps));
    // A link estimated under what the profile's full rate needs (with the reserve and the parity) is probed
    // for room: the estimate alone climbs back slowly after a congestion (RFC 8867's capacity steps).
    std::uint64_t needed_kbps = top + kReservedKbps;
    if (fec_block != 0) needed_kbps = needed_kbps * (fec_block + 1) / fec_block;
    session.set_probe_ceiling(needed_kbps * 1000);
    // Paced near the link where it is the bottleneck (VideoPacing).
    session.set_video_pacing(pacing.pace_bps(clock.now(), narrowest_bps, kbps, needed_kbps));
    rate_history.emplace_back(core::to_ms(clock.now() - started) / 1000.0, kbps);
    spdlog::debug("link rate: narrowest {} kbit/s, loss {:.1f} % -> target {} kbit/s, {}",
                  narrowest_bps ? std::to_string(*narrowest_bps / 1000) : std::string("not reported"),
                  100 * loss, kbps, step.name);
    if (rate_history.size() > 3600) rate_history.erase(rate_history.begin());
    if (!(step == before)) {
      spdlog::info("video: {} -> {} at {} kbit/s (narrowest mentor link {} kbit/s)", before.name, step.name,
                   kbps, narrowest_bps ? std::to_string(*narrowest_bps / 1000) : std::string("not reported"));
    }
  }
  // Voice both ways, vitals and annotations, per console link, with their packet overhead.
  static constexpr std::uint64_t kReservedKbps = 150;
  VideoPacing pacing;
  media::VideoLadder ladder{settings.pipeline.profile};
  VideoParity parity;
  std::size_t last_fec_block = 0;
  std::vector<std::pair<double, std::uint64_t>> rate_history;  // (uptime s, target kbit/s) per link report

  // media::SenderPipelineListener: GStreamer's streaming threads hand over to the network thread.
  void on_encoded_packets(media::EncodedPackets packets) override {
    asio::post(io, [this, p = std::move(packets)]() mutable {
      if (!stopped) session.send_video(std::move(p));
    });
  }
  void on_pipeline_problem(std::string text, bool fatal) override {
    asio::post(io, [this, text = std::move(text), fatal] {
      if (!fatal) return spdlog::warn("video pipeline: {}", text);
      spdlog::error("video pipeline: {}", text);
      exit_code = 3;
      stop();
    });
  }
  void on_or_display_picture(const std::shared_ptr<const media::VideoFrame>& picture) override {
    or_monitor.picture(picture);
  }
  void on_source_segment_done() override {
    asio::post(io, [this] {
      if (stopped) return;
      spdlog::info("file source reached its end: looping");
      pipeline.rewind();
    });
  }

  // Once a second: the OR display's warnings (DESIGN.md §8) and the recording's health, in one place.
  void safety_tick() {
    expire_stale_annotations();
    badges->set_alarms(vitals_feed.alarms_text());
    // "mentor disconnected" once a mentor was here and none is now (DESIGN.md §8), not before anyone joined.
    had_mentor = had_mentor || session.consoles_connected() > 0;
    badges->set_mentor_disconnected(had_mentor && session.consoles_connected() == 0);
    recording.check();
    badges->set_recording_warning(recording.warning(language.words));
    or_monitor.check();
    const auto worst = worst_mentor_latency();
    const auto red = settings.or_display.mentor_latency_red;
    badges->set_mentor_latency(
        red.count() > 0 && worst && *worst > static_cast<double>(red.count())
            ? language.words(or_word::kMentorVideoDelayed, std::to_string(std::lround(*worst)))
            : std::string());
    badges->set_audit_failure(!session.audit_healthy());
    badges->set_keys_exported(settings.session.export_srtp_keys.has_value());
    show_surgeon_controls();
  }

  void print_status() {
    const auto& pc = pipeline.counters();
    const auto sc = session.counters();
    const std::uint64_t captured = pc.frames_captured.load(), displayed = pc.frames_displayed.load();
    const double uptime = core::to_ms(clock.now() - started) / 1000.0;
    const double capture_fps = static_cast<double>(captured - last.captured);
    const double display_fps = static_cast<double>(displayed - last.displayed);
    const double sent_fps = static_cast<double>(sc.frames_sent - last.sent);
    const double mbps = static_cast<double>(sc.bytes_sent - last.bytes) * 8 / 1e6;
    const auto vc = vitals_feed.counters();
    const std::uint64_t numerics = vc.numerics - last.numerics;
    const std::string alarms = vitals_feed.alarms_text();
    const auto worst = worst_mentor_latency();
    last = {captured, displayed, sc.frames_sent, sc.bytes_sent, vc.numerics};
    const auto rec = recording.status();
    if (settings.status_json) {
      nlohmann::json j = {
          {"uptime_s", uptime},
          {"site", settings.session.rules.site_name},
          {"consoles", session.consoles_connected()},
          {"privacy_paused", session.privacy_paused()},
          {"capture_fps", capture_fps},
          {"display_fps", display_fps},
          {"sent_fps", sent_fps},
          {"sent_mbps", mbps},
          {"keyframes_forced", pc.keyframes_forced.load()},
          {"target_kbps", pc.bitrate_kbps.load()},
          {"video_step", ladder.step().name},
          {"send_drops", sc.send_drops},
          {"rejected_datagrams", session.faults().total()},
          {"consoles_dropped", sc.consoles_dropped},
          {"connections_turned_away", sc.connections_turned_away},
          {"messages_rate_limited", sc.messages_rate_limited},
          {"vitals",
           {{"source", describe(settings.vitals)},
            {"numerics_per_s", numerics},
            {"alarms", alarms},
            {"mllp_accepted", vc.mllp_accepted},
            {"mllp_rejected", vc.mllp_rejected}}},
          {"recording", recording_json()},
          {"voice", voice.status_json()},
          {"mentor_latency_p95_ms", worst ? nlohmann::json(*worst) : nlohmann::json(nullptr)}};
      // The latest pre-flight (issue 15): who, the verdict and the figures, as the audit log keeps them.
      if (const auto pre = session.last_preflight()) {
        j["preflight"] = {{"console", pre->person},
                          {"verdict", pre->verdict},
                          {"sentence", pre->sentence},
                          {"figures", pre->figures},
                          {"age_s", core::to_ms(clock.now() - pre->at) / 1000.0}};
      }
      std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      std::printf(
          "sender %s | %5.1fs | consoles %zu | capture %4.1f fps | OR display %4.1f fps | sent %4.1f fps "
          "%5.2f Mbit/s (%s, target %.1f) | IDR on request %llu | rejected %llu | vitals "
          "%llu/s%s%s%s%s%s%s\n",
          settings.session.rules.site_name.c_str(), uptime, session.consoles_connected(), capture_fps,
          display_fps, sent_fps, mbps, ladder.step().name.c_str(), pc.bitrate_kbps.load() / 1000.0,
          static_cast<unsigned long long>(pc.keyframes_forced.load()),
          static_cast<unsigned long long>(session.faults().total()),
          static_cast<unsigned long long>(numerics), alarms.empty() ? "" : " | ALARM ", alarms.c_str(),
          rec.recording ? (" | REC " + std::to_string(rec.frames_written) + " frames").c_str() : "",
          voice_text().c_str(), session.privacy_paused() ? " | PRIVACY PAUSE: nothing sent" : "",
          preflight_text().c_str());
    }
    std::fflush(stdout);
  }

  // " | voice: mic open, mentor speaking" (empty without any sound device).
  // The latest pre-flight's verdict on the human status line, for a minute after it.
  std::string preflight_text() const {
    const auto pre = session.last_preflight();
    if (!pre || clock.now() - pre->at > std::chrono::minutes{1}) return "";
    return " | pre-flight " + pre->person + ": " + pre->verdict;
  }

  std::string voice_text() const {
    if (!voice.microphone_open() && !voice.speaker_open()) return "";
    std::string t = " | voice: mic ";
    t += !voice.microphone_open() ? "none" : voice.muted() ? "MUTED" : "open";
    t +=
        voice.speaker_open() ? (voice.mentor_speaking() ? ", mentor speaking" : ", speaker") : ", no speaker";
    return t;
  }

  // The highest glass-to-glass p95 a mentor reported in the last 3 s (older reports: a console that stopped
  // reporting, e.g. no picture, which "mentor disconnected" and the console's own banner cover).
  std::optional<double> worst_mentor_latency() const {
    std::optional<double> worst;
    const auto now = clock.now();
    for (const auto& c : session.console_latencies()) {
      if (c.mentor && now - c.reported_at < std::chrono::seconds{3})
        worst = std::max(worst.value_or(0.0), c.g2g_p95_ms);
    }
    return worst;
  }

  nlohmann::json recording_json() const { return recording.status_json(); }

  void stop() {
    if (stopped) return;
    stopped = true;
    surgeon_controls.stop();
    recording.close();  // the open segment is finished while the pipeline still runs
    if (settings.or_screenshot) {
      // Before the pipeline stops: its last picture is what the OR display showed at the end.
      if (const auto frame = pipeline.or_display().latest()) {
        if (save_png(*frame, *settings.or_screenshot))
          spdlog::info("OR display screenshot: {}", settings.or_screenshot->string());
      } else {
        spdlog::warn("OR display screenshot: no picture was shown");
      }
    }
    pipeline.stop();
    voice.stop();
    vitals_feed.stop();
    session.stop();
    status_timer.stop();
    stop_timer.cancel();
    boost::system::error_code ec;
    signals.cancel(ec);
    reload_signal.cancel(ec);
  }

  void wait_for_reload() {
    reload_signal.async_wait([this](boost::system::error_code ec, int) {
      if (ec || stopped) return;
      spdlog::info("SIGHUP: rereading the access list");
      session.reload_access_list();
      wait_for_reload();
    });
  }

  void write_report() {
    if (!settings.report) return;
    const auto& pc = pipeline.counters();
    const auto sc = session.counters();
    nlohmann::json j = {{"profile", settings.pipeline.profile.name},
                        {"seconds", core::to_ms(clock.now() - started) / 1000.0},
                        {"frames_captured", pc.frames_captured.load()},
                        {"frames_displayed", pc.frames_displayed.load()},
                        {"frames_sent", sc.frames_sent},
                        {"packets_sent", sc.packets_sent},
                        {"bytes_sent", sc.bytes_sent},
                        {"send_drops", sc.send_drops},
                        {"nacked", sc.nacked},
                        {"retransmitted", sc.retransmitted},
                        {"rate_reports_received", sc.rate_reports_received},
                        {"fec_packets_sent", sc.fec_packets_sent},
                        {"frames_withheld", sc.frames_withheld},
                        {"keyframes_unheard", sc.keyframes_unheard},
                        {"probe_clusters_sent", sc.probe_clusters_sent},
                        {"voice_withheld", sc.voice_withheld},
                        {"target_kbps", pc.bitrate_kbps.load()},
                        {"video_step", ladder.step().name},
                        {"profile_steps", ladder.changes()},
                        {"keyframes_forced", pc.keyframes_forced.load()},
                        {"consoles_admitted", sc.consoles_admitted},
                        {"consoles_refused", sc.consoles_refused},
                        {"tls_failures", sc.tls_failures},
                        {"rejected_datagrams", session.faults().total()},
                        {"consoles_dropped", sc.consoles_dropped},
                        {"vitals_packets_sent", sc.vitals_packets_sent},
                        {"vitals_numerics", vitals_feed.counters().numerics},
                        {"vitals_alarm_events", vitals_feed.counters().alarm_events},
                        {"annotations_accepted", sc.annotations_accepted},
                        {"annotations_refused", sc.annotations_refused},
                        {"recording", recording_json()},
                        {"or_monitor", or_monitor.report()},
                        {"voice", voice.report_json()}};
    const auto t = telestration->figures();
    // For surgilink-bench --annotations: joined with the consoles' input times by sequence number.
    nlohmann::json composited = nlohmann::json::array();
    for (const auto& [version, at] : t.first_composited)
      composited.push_back({version, at.time_since_epoch().count()});
    j["annotation_composited"] = std::move(composited);
    // …and the capture time of that picture (the frame F the OR first showed the version on; with the pixel
    // code on, the time in its code): the reference for the review's sync (issue 16).
    nlohmann::json composited_capture = nlohmann::json::array();
    for (std::size_t i = 0; i < t.first_composited.size() && i < t.first_composited_capture.size(); ++i)
      composited_capture.push_back(
          {t.first_composited[i].first, t.first_composited_capture[i].time_since_epoch().count()});
    j["annotation_composited_capture"] = std::move(composited_capture);
    // …and when the OR window first showed it: mentor input → on the surgeon's screen (issue 13).
    nlohmann::json on_window = nlohmann::json::array();
    for (std::size_t i = 0; i < t.first_composited.size() && i < t.first_composited_capture.size(); ++i) {
      if (const auto shown = or_monitor.first_shown_from(t.first_composited_capture[i]))
        on_window.push_back({t.first_composited[i].first, shown->time_since_epoch().count()});
    }
    j["annotation_on_or_window"] = std::move(on_window);
    nlohmann::json rates = nlohmann::json::array();
    for (const auto& [at, kbps] : rate_history) rates.push_back({at, kbps});
    j["target_kbps_history"] = std::move(rates);
    j["or_frames_with_annotations"] = t.frames_with_annotations;
    j["or_most_annotations"] = t.most_annotations;
    j["or_annotation_frames"] = t.annotation_frames;
    j["or_annotation_frames_unplaced"] = t.annotation_frames_unplaced;
    j["or_annotation_frames_uncertain"] = t.annotation_frames_uncertain;
    j["or_tracking_ms"] = distribution(t.tracking_ms);
    j["or_compositing_ms"] = distribution(t.compositing_ms);
    j["anchor_error_px"] = distribution(t.anchored_px);
    j["anchor_error_px_unanchored"] = distribution(t.unanchored_px);
    j["scene_pan_px_per_s"] = t.pan_px_per_s > 0 ? nlohmann::json(t.pan_px_per_s) : nlohmann::json(nullptr);
    std::ofstream(*settings.report) << j.dump(2) << "\n";
  }
};

OrSender::OrSender(SenderSettings settings) : impl_(std::make_unique<Impl>(std::move(settings))) {}
OrSender::~OrSender() = default;

int OrSender::run() {
  auto& i = *impl_;
  i.started = i.clock.now();
  i.session.start();
  i.pipeline.start();
  i.vitals_feed.start();
  i.voice.start();
  if (i.voice.microphone_open()) {
    i.surgeon_controls.set_microphone(
        [&i](bool muted, const std::string& by) { return i.voice.set_muted(muted, by); },
        [&i] { return i.voice.muted(); });
  }
  i.surgeon_controls.start();
  if (i.settings.recording.consent_at_start) {
    const std::string reply = i.recording.record_consent("command line (--consent)");
    if (reply.rfind("ok", 0) == 0)
      spdlog::info("recording: consent given on the command line; {}", reply.substr(4));
    else
      spdlog::error("recording: consent given on the command line, but {}", reply.substr(7));
  }
  const auto& video = i.settings.pipeline;
  spdlog::info("streaming {} from {} ({}x{} @ {} fps, {} kbit/s, {} every {} s)", video.profile.name,
               media::to_string(video.source), video.profile.width, video.profile.height, video.profile.fps,
               video.profile.bitrate_kbps, video.intra_refresh ? "an intra refresh wave" : "a keyframe",
               video.keyframe_interval.count());
  if (i.settings.status_json) {
    // The first line tells a supervising program (bench, demo, tests) where to connect.
    std::printf("%s\n", nlohmann::json({{"event", "listening"},
                                        {"control_port", i.session.control_port()},
                                        {"media_port", i.session.media_port()},
                                        {"mllp_port", i.vitals_feed.mllp_port()}})
                            .dump()
                            .c_str());
    std::fflush(stdout);
  }
  if (i.settings.ready) {
    nlohmann::json j = {{"control_port", i.session.control_port()},
                        {"media_port", i.session.media_port()},
                        {"mllp_port", i.vitals_feed.mllp_port()}};
    std::ofstream(*i.settings.ready) << j.dump() << "\n";
  }
  i.signals.async_wait([&i](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: stopping", signal);
    i.stop();
  });
  if (i.settings.seconds) {
    i.stop_timer.expires_after(std::chrono::milliseconds{static_cast<long>(*i.settings.seconds * 1000)});
    i.stop_timer.async_wait([&i](boost::system::error_code ec) {
      if (!ec) i.stop();
    });
  }
  i.wait_for_reload();
  i.status_timer.start();
  // DESIGN.md §8: the OR process outlives every peer. A handler that throws despite the per-connection guards
  // loses its own piece of work, never the stream: the network thread carries on.
  for (;;) {
    try {
      i.io.run();
      break;
    } catch (const std::exception& e) {
      spdlog::error("network thread: {} (that piece of work was dropped; the sender goes on)", e.what());
    }
  }
  i.write_report();
  spdlog::info("stopped: {} frames captured, {} sent, {} consoles admitted, {} refused",
               i.pipeline.counters().frames_captured.load(), i.session.counters().frames_sent,
               i.session.counters().consoles_admitted, i.session.counters().consoles_refused);
  return i.exit_code;
}

}  // namespace surgilink::sender
