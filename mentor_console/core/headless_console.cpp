#include "headless_console.hpp"

#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "scripted_mentor.hpp"
#include "surgilink/core/periodic_timer.hpp"
#include "surgilink/vitals/vitals_json.hpp"

namespace surgilink::console {

namespace asio = boost::asio;

const char* latency_colour(double ms, const LatencyThresholds& t) {
  if (ms <= static_cast<double>(t.green.count())) return "green";
  if (ms <= static_cast<double>(t.amber.count())) return "amber";
  return "red";
}

namespace {

nlohmann::json summary_json(const core::LatencySummary& s) {
  if (s.count == 0) return nullptr;
  return {{"p50", s.p50_ms}, {"p95", s.p95_ms}, {"p99", s.p99_ms}, {"max", s.max_ms}, {"count", s.count}};
}

// "HR 72 SpO2 98 ABP 121/79 EtCO2 37" for the text status line; only what was received.
std::string vitals_text(const session::ConsoleVitals& v) {
  auto value = [&v](vitals::Parameter p) -> std::string {
    const auto& s = v.latest[static_cast<std::size_t>(p)];
    if (!s) return {};
    if (!s->value) return "--";
    char text[32];
    std::snprintf(text, sizeof text, "%.0f", *s->value);
    return text;
  };
  using vitals::Parameter;
  std::string out;
  auto add = [&out](const char* label, const std::string& text) {
    if (text.empty() || text == "/") return;
    out += out.empty() ? "" : " ";
    out += label;
    out += " ";
    out += text;
  };
  add("HR", value(Parameter::kHr));
  add("SpO2", value(Parameter::kSpo2));
  const std::string abp = value(Parameter::kAbpSys) + "/" + value(Parameter::kAbpDia);
  add("ABP", abp);
  const std::string nibp = value(Parameter::kNibpSys) + "/" + value(Parameter::kNibpDia);
  add("NIBP", nibp);
  add("EtCO2", value(Parameter::kEtco2));
  add("RR", value(Parameter::kRr));
  for (const auto& a : v.alarms) {
    out += std::string(" ALARM ") + std::string(vitals::info(a.parameter).short_name) +
           (a.condition == vitals::AlarmCondition::kLow ? " low" : " high");
  }
  return out;
}

// The capture time (sender's clock) of the newest numeric shown, or null: the moment of the recording whose
// vitals the status line shows.
nlohmann::json newest_capture_ns(const session::ConsoleVitals& v) {
  std::optional<core::CaptureTime> newest;
  for (const auto& sample : v.latest) {
    if (sample && (!newest || sample->captured > *newest)) newest = sample->captured;
  }
  return newest ? nlohmann::json(newest->time_since_epoch().count()) : nlohmann::json(nullptr);
}

nlohmann::json flagged_json(const std::vector<vitals::VitalsRow>& rows) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto row : rows) j.push_back(std::string(vitals::info(row).key));
  return j;
}

// "Dr. A (mentor)" per person, in join order.
nlohmann::json roster_json(const std::vector<session::ConsoleStatus::Person>& roster) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& p : roster) j.push_back(p.name + " (" + session::role_name(p.role) + ")");
  return j;
}

nlohmann::json voice_json(const session::ConsoleVoiceStatus& v) {
  return {{"speaker", v.speaker},
          {"microphone", v.microphone},
          {"muted", v.muted},
          {"level_dbfs", v.level_dbfs},
          {"speaking_while_muted", v.speaking_while_muted},
          {"heard_level_dbfs", v.heard_level_dbfs},
          {"playout", v.lip_sync ? "lip-sync" : "lowest-latency"},
          {"playout_delay_ms", v.playout_delay_ms},
          {"packets_sent", v.packets_sent},
          {"packets_received", v.packets_received},
          {"concealed", v.concealed},
          {"refused", v.refused},
          {"problem", v.problem}};
}

nlohmann::json times_json(const std::vector<core::CaptureTime>& times) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto t : times) j.push_back(std::chrono::duration<double>(t.time_since_epoch()).count());
  return j;
}

// " | voice: mic open, hearing" for the status line; "you are MUTED" when speaking while muted.
std::string voice_text(const session::ConsoleVoiceStatus& v) {
  if (!v.speaker && !v.microphone) return v.problem.empty() ? "" : " | no sound";
  std::string t = " | voice: mic ";
  t += !v.microphone ? "none" : v.speaking_while_muted ? "MUTED - you are muted" : v.muted ? "muted" : "open";
  if (v.speaker) t += v.heard_level_dbfs > -40 ? ", OR speaking" : ", speaker";
  return t;
}

}  // namespace

std::string format_status(const session::ConsoleStatus& s, bool json, const LatencyThresholds& thresholds) {
  const bool have_latency = s.g2g_10s.count > 0;
  if (json) {
    nlohmann::json j = {
        {"state", session::state_name(s.state)},
        {"detail", s.detail},
        {"site", s.site_name},
        {"case", s.case_pseudonym},
        {"me", s.display_name},
        {"role", s.role ? nlohmann::json(session::role_name(*s.role)) : nlohmann::json("")},
        {"g2g_ms",
         have_latency
             ? nlohmann::json{{"last", s.g2g_last_ms}, {"p50", s.g2g_10s.p50_ms}, {"p95", s.g2g_10s.p95_ms}}
             : nlohmann::json(nullptr)},
        {"pixel_ms", s.pixel_10s.count > 0
                         ? nlohmann::json{{"p50", s.pixel_10s.p50_ms}, {"p95", s.pixel_10s.p95_ms}}
                         : nlohmann::json(nullptr)},
        {"latency_colour", have_latency ? latency_colour(s.g2g_10s.p95_ms, thresholds) : "none"},
        {"clock_uncertainty_ms", s.clock_uncertainty_ms},
        {"rtt_ms", s.rtt_ms},
        {"link_jitter_ms", s.link_jitter_ms},
        {"gap_wait_ms", s.gap_wait_ms},
        {"playout_hold_ms", s.playout_hold_ms},
        {"picture_age_ms", s.picture_age_ms ? nlohmann::json(*s.picture_age_ms) : nlohmann::json(nullptr)},
        {"link_lost", s.link_lost},
        {"link_degraded",
         s.link_degraded.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.link_degraded)},
        {"fps", s.fps},
        {"bitrate_kbps", s.bitrate_kbps},
        {"loss_pct", s.loss_pct},
        {"frames_decoded", s.frames_decoded},
        {"frames_undecodable", s.frames_undecodable},
        {"packets_rejected", s.packets_dropped},
        {"reconnect_attempt", s.reconnect_attempt},
        {"vitals", vitals::numerics_json(s.vitals.latest)},
        {"vitals_captured_ns", newest_capture_ns(s.vitals)},
        {"vitals_alarms", vitals::alarms_json(s.vitals.alarms)},
        {"vitals_age_ms", s.vitals.age_ms ? nlohmann::json(*s.vitals.age_ms) : nlohmann::json(nullptr)},
        {"vitals_latency_ms",
         s.vitals.latency_10s.count > 0
             ? nlohmann::json{{"p50", s.vitals.latency_10s.p50_ms}, {"p95", s.vitals.latency_10s.p95_ms}}
             : nlohmann::json(nullptr)},
        {"annotations", s.annotations_shown},
        {"pen",
         {{"holder", s.pen_holder.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.pen_holder)},
          {"mine", s.may_draw},
          {"revoked", s.pen_revoked}}},
        {"or_annotations_hidden", s.or_annotations_hidden},
        {"vitals_flagged", flagged_json(s.flagged_vitals)},
        {"recording", s.recording},
        {"consent_recorded", s.consent_recorded},
        {"srtp_keys_exported", s.keys_exported},
        {"or_privacy_paused", s.or_privacy_paused},
        {"roster", roster_json(s.roster)},
        {"voice", voice_json(s.voice)}};
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  char line[768];
  if (s.state == session::ConnectionState::kConnected && s.or_privacy_paused) {
    std::snprintf(line, sizeof line, "console PAUSED BY THE OR: no video or voice until the OR resumes");
  } else if (s.state == session::ConnectionState::kConnected && s.link_lost) {
    std::snprintf(line, sizeof line, "console LINK LOST: no picture for %.1f s (control channel still up)",
                  s.picture_age_ms.value_or(0) / 1000.0);
  } else if (s.state == session::ConnectionState::kConnected && have_latency) {
    std::snprintf(
        line, sizeof line,
        "console %-9s | g2g %5.1f ms (p50 %5.1f p95 %5.1f ±%.2f, %s) | pixel p95 %5.1f | %4.1f fps | "
        "%6.0f kbit/s | loss %4.1f%% | undecodable %llu | rejected %llu | %s%s%s%s",
        s.link_degraded.empty() ? session::state_name(s.state) : "DEGRADED", s.g2g_last_ms, s.g2g_10s.p50_ms,
        s.g2g_10s.p95_ms, s.clock_uncertainty_ms, latency_colour(s.g2g_10s.p95_ms, thresholds),
        s.pixel_10s.p95_ms, s.fps, s.bitrate_kbps, s.loss_pct,
        static_cast<unsigned long long>(s.frames_undecodable),
        static_cast<unsigned long long>(s.packets_dropped), vitals_text(s.vitals).c_str(),
        voice_text(s.voice).c_str(),
        s.link_degraded.empty() ? "" : " | link degraded: ", s.link_degraded.c_str());
  } else if (s.state == session::ConnectionState::kReconnecting) {
    std::snprintf(line, sizeof line, "console link lost - reconnecting (%d): %s", s.reconnect_attempt,
                  s.detail.c_str());
  } else {
    std::snprintf(line, sizeof line, "console %-9s | %s | %4.1f fps", session::state_name(s.state),
                  s.detail.c_str(), s.fps);
  }
  return line;
}

void write_console_report(const std::filesystem::path& path, const session::ConsoleReport& r,
                          std::uint64_t packets_rejected, std::chrono::milliseconds warmup) {
  nlohmann::json j = {
      {"frames_received", r.frames_received},
      {"frames_undecodable", r.frames_undecodable},
      {"frames_pixel_unreadable", r.frames_pixel_unreadable},
      {"seconds_receiving", r.seconds_receiving},
      {"report_warmup_s", static_cast<double>(warmup.count()) / 1000.0},
      {"fps_received", r.seconds_after_warmup > 0
                           ? static_cast<double>(r.frames_after_warmup) / r.seconds_after_warmup
                           : 0.0},
      {"first_picture_ms", r.first_frame_at ? nlohmann::json(core::to_ms(*r.first_frame_at - r.started_at))
                                            : nlohmann::json(nullptr)},
      {"g2g_ms", summary_json(r.g2g)},
      {"pixel_ms", summary_json(r.pixel)},
      {"join_g2g_ms", summary_json(r.join_g2g)},
      {"second_oldest_g2g_ms", summary_json(r.second_oldest_g2g)},
      {"recovery_ms", summary_json(r.recovery)},
      {"max_metadata_pixel_disagreement_ms", r.max_metadata_pixel_disagreement_ms},
      {"clock_uncertainty_ms", r.clock_uncertainty_ms},
      {"link_jitter_ms", r.link_jitter_ms},
      {"gap_wait_ms", r.gap_wait_ms},
      {"playout_hold_ms", r.playout_hold_ms},
      {"stages_ms",
       {{"encode", summary_json(r.encode)},
        {"network", summary_json(r.network)},
        {"jitter", summary_json(r.jitter)},
        {"decode", summary_json(r.decode)},
        {"render", summary_json(r.render)}}},
      {"vitals_ms", summary_json(r.vitals)},
      {"vitals_numerics", r.vitals_numerics},
      {"vitals_waveform_samples", r.vitals_waveform_samples},
      {"vitals_waveform_samples_lost", r.vitals_waveform_samples_lost},
      {"packets_received", r.packets_received},
      {"packets_lost", r.packets_lost},
      {"packets_rejected", packets_rejected},
      {"bytes_received", r.bytes_received},
      {"freezes", r.freezes},
      {"frozen_ms", r.frozen_ms},
      {"longest_freeze_ms", r.longest_freeze_ms},
      {"nacks_sent", r.nacks_sent},
      {"packets_nacked", r.packets_nacked},
      {"rate_reports_sent", r.rate_reports_sent},
      {"fec_recovered", r.fec_recovered},
      {"rate_estimate_kbps", r.rate_estimate_kbps},
      {"incoming_kbps", r.incoming_kbps},
      {"link_usage", r.link_usage},
      {"raw_loss", r.raw_loss},
      {"retransmissions_received", r.retransmissions_received},
      {"retransmissions_in_time", r.retransmissions_in_time},
      {"packets_asked_again", r.packets_asked_again},
      {"connections", r.connections},
      {"annotations_proposed", r.annotations_proposed},
      {"annotations_confirmed", r.annotations_confirmed},
      {"annotations_refused", r.annotations_refused},
      {"annotation_operations", r.annotation_operations},
      {"annotation_echo_ms", summary_json(r.annotation_echo)}};
  // For surgilink-bench --annotations: [sequence, input time on the sender's clock in ns] per confirmed
  // proposal of this console, joined with the sender's composite times.
  nlohmann::json inputs = nlohmann::json::array();
  for (const auto& i : r.annotation_inputs)
    inputs.push_back({i.sequence, i.input_at.time_since_epoch().count()});
  j["annotation_inputs"] = std::move(inputs);
  auto voice = voice_json(r.voice);
  voice["markers_spoken"] = times_json(r.voice_markers_spoken);
  voice["markers_heard"] = times_json(r.voice_markers_heard);
  voice["mentor_markers_heard"] = times_json(r.voice_mentor_markers_heard);
  voice["or_voice_arrival_ms"] = summary_json(r.voice_arrival);
  j["voice"] = std::move(voice);
  std::ofstream(path) << j.dump(2) << "\n";
}

struct HeadlessConsole::Impl : session::ConsoleSessionListener {
  explicit Impl(ConsoleSettings s)
      : settings(std::move(s)),
        session(io, settings.session, clock, mailbox, *this),
        signals(io, SIGINT, SIGTERM),
        stop_timer(io) {
    if (settings.scripted_mentor)
      mentor = std::make_unique<ScriptedMentor>(io, session, mailbox, *settings.scripted_mentor);
  }

  ConsoleSettings settings;
  core::CaptureClock clock;
  asio::io_context io;
  media::LatestFrameMailbox mailbox;
  session::ConsoleSession session;
  asio::signal_set signals;
  // The status line once a second (core::PeriodicTimer: no line after stop(), even from a tick already due).
  core::PeriodicTimer status_timer{
      io, std::chrono::seconds{1}, [this] {
        std::printf("%s\n",
                    format_status(session.status(), settings.status_json, settings.thresholds).c_str());
        std::fflush(stdout);
      }};
  asio::steady_timer stop_timer;
  std::unique_ptr<ScriptedMentor> mentor;
  int exit_code = 0;

  void on_state_changed(session::ConnectionState state, const std::string& detail) override {
    if (state == session::ConnectionState::kRefused) {
      std::fprintf(stderr, "surgilink-console: %s\n", detail.c_str());
      exit_code = 4;
      stop();
    }
  }

  void stop() {
    if (mentor) mentor->stop();
    session.stop();
    status_timer.stop();
    stop_timer.cancel();
    boost::system::error_code ec;
    signals.cancel(ec);
  }

  void write_report() {
    if (settings.report) {
      write_console_report(*settings.report, session.report(), session.faults().total(),
                           settings.session.report_warmup);
    }
  }
};

HeadlessConsole::HeadlessConsole(ConsoleSettings settings)
    : impl_(std::make_unique<Impl>(std::move(settings))) {}
HeadlessConsole::~HeadlessConsole() = default;

int HeadlessConsole::run() {
  auto& i = *impl_;
  spdlog::info("connecting to {} ({}:{})", i.settings.site.name, i.settings.site.host,
               i.settings.site.control_port);
  i.session.start();
  if (i.mentor) {
    spdlog::info("scripted mentor: drawing, keeping {} annotations on screen", *i.settings.scripted_mentor);
    i.mentor->start();
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
  i.status_timer.start();
  i.io.run();
  i.write_report();
  const auto r = i.session.report();
  spdlog::info("stopped: {} frames decoded, g2g p50 {:.1f} ms p95 {:.1f} ms (±{:.2f}), pixel p95 {:.1f} ms",
               r.frames_received, r.g2g.p50_ms, r.g2g.p95_ms, r.clock_uncertainty_ms, r.pixel.p95_ms);
  return i.exit_code;
}

}  // namespace surgilink::console
