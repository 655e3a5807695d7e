#include "case_recording.hpp"

#include <spdlog/spdlog.h>

#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <map>

#include "recording_volume.hpp"
#include "surgilink/media/recording_manifest.hpp"
#include "surgilink/media/rtp_packet.hpp"

namespace surgilink::sender {

namespace {
std::string utc_stamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

constexpr std::uint64_t kMegabyte = 1024 * 1024;
constexpr const char* kEventLogFile = "events.sqlite";
constexpr const char* kEventLogRole = "event_log";
}  // namespace

media::DiskFloors disk_floors(const RecordingSettings& settings) {
  return {settings.min_free_mb * kMegabyte, settings.warn_free_mb * kMegabyte};
}

CaseRecording::CaseRecording(RecordingSettings settings, std::string case_pseudonym, std::string site,
                             std::shared_ptr<media::SegmentRecorder> recorder,
                             session::SenderSession& session)
    : settings_(std::move(settings)),
      case_pseudonym_(std::move(case_pseudonym)),
      site_(std::move(site)),
      recorder_(std::move(recorder)),
      session_(session) {
  if (recorder_ && settings_.folder && !settings_.require_encrypted_volume)
    spdlog::warn(
        "recording: require_encrypted_volume = false: recordings in {} may rest on a volume that is not "
        "encrypted (a demo or test machine only)",
        settings_.folder->string());
  // Said at start, so that IT hears of it before the OR team records consent and is refused.
  if (recorder_ && settings_.folder) {
    if (const auto why = unencrypted_volume())
      spdlog::warn("recording: {}; consent will be refused until it is", *why);
  }
  recover_unfinished();
}

// A sender that crashed or lost power left its recording open: its last segment has no end, its event log
// may hold a write-ahead log, nothing says "complete". Finished here, before anything new is recorded.
void CaseRecording::recover_unfinished() {
  if (!recorder_ || !settings_.folder) return;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(*settings_.folder, ec)) {
    if (!entry.is_directory(ec)) continue;
    const auto manifest = media::RecordingManifest::read(entry.path(), nullptr);
    if (!manifest || manifest->state != media::RecordingState::kRecording) continue;
    const auto recovery = media::recover_recording(
        entry.path(),
        [](const std::string& role, const std::filesystem::path& file) -> std::optional<std::string> {
          if (role != kEventLogRole) return std::nullopt;
          return session::CaseEventLog::settle(file);
        });
    if (!recovery.needed && recovery.error.empty()) continue;
    for (const auto& note : recovery.notes) spdlog::warn("recording {}: {}", entry.path().string(), note);
    if (!recovery.error.empty())
      spdlog::error("recording {} not recovered: {}", entry.path().string(), recovery.error);
  }
}

// Recordings hold the operative field: at rest they belong on the hospital's encrypted volume (issue 12).
std::optional<std::string> CaseRecording::unencrypted_volume() const {
  if (!settings_.require_encrypted_volume) return std::nullopt;
  // The folder may not exist yet: it will be made on the volume of its nearest existing parent.
  auto existing = std::filesystem::absolute(*settings_.folder).lexically_normal();
  std::error_code ec;
  while (!std::filesystem::exists(existing, ec) && existing.has_relative_path())
    existing = existing.parent_path();
  const auto volume = volume_protection(existing);
  if (volume.encrypted) return std::nullopt;
  return "not recording: " + volume.how +
         "; recordings rest only on an encrypted volume ([recording] require_encrypted_volume)";
}

bool CaseRecording::recording() const { return recorder_ && recorder_->status().recording; }

media::RecorderStatus CaseRecording::status() const {
  return recorder_ ? recorder_->status() : media::RecorderStatus{};
}

void CaseRecording::publish(const std::string& by) {
  const auto s = status();
  session_.set_recording_state(consent_, s.recording, by, s.folder.empty() ? "" : s.folder.string());
}

std::string CaseRecording::record_consent(const std::string& by) {
  if (!recorder_) return "error: recording is switched off here ([recording] folder)";
  consent_ = true;
  publish(by);
  return start(by);
}

std::string CaseRecording::start(const std::string& by) {
  if (!recorder_) return "error: recording is switched off here ([recording] folder)";
  if (!consent_) return "error: consent to record this case is not recorded (command: consent)";
  if (recording()) return "ok: " + state_text();
  if (const auto why = unencrypted_volume()) {
    refused_unencrypted_ = true;
    spdlog::error("recording: {}", *why);
    session_.record_audit_event(
        {"recording_refused", {{"by", by}, {"reason", *why}}, session::AuditEvent::Level::kWarning});
    return "error: " + *why;
  }
  refused_unencrypted_ = false;
  const auto folder =
      std::filesystem::absolute(*settings_.folder /
                                (media::safe_name_part(case_pseudonym_, "case") + "-" + utc_stamp()))
          .lexically_normal();
  if (const auto why = recorder_->start(folder, {case_pseudonym_, site_})) {
    spdlog::error("recording: {}", *why);
    return "error: " + *why;
  }
  stopped_by_disk_ = false;
  try {
    const auto started = std::chrono::system_clock::now().time_since_epoch();
    event_log_ = std::make_shared<session::CaseEventLog>(
        folder / kEventLogFile,
        std::map<std::string, std::string>{
            {"format", "surgilink-events/1"},
            {"case", case_pseudonym_},
            {"started_capture_ns", std::to_string(std::chrono::nanoseconds(started).count())}});
  } catch (const std::exception& e) {
    recorder_->stop();
    spdlog::error("recording: {}", e.what());
    return std::string("error: ") + e.what();
  }
  ::chmod((folder / kEventLogFile).c_str(), 0600);  // its WAL files take the same mode
  recorder_->add_file(kEventLogRole, kEventLogFile);
  session_.set_event_log(event_log_);
  if (placements_wanted_) placements_wanted_(true);
  spdlog::info("recording into {}", folder.string());
  publish(by);
  return "ok: " + state_text();
}

void CaseRecording::end_event_log() {
  if (!event_log_) return;
  if (placements_wanted_) placements_wanted_(false);
  session_.set_event_log(nullptr);
  if (event_log_->failures() > 0)
    spdlog::error("event log {}: {} events not written ({})", event_log_->file().string(),
                  event_log_->failures(), event_log_->last_error());
  event_log_.reset();  // commits and closes
  recorder_->seal(kEventLogRole);
}

std::string CaseRecording::stop(const std::string& by) {
  if (!recording()) return "ok: " + state_text();
  recorder_->stop();
  const auto s = recorder_->status();
  spdlog::info("recording stopped: {} segments, {} frames in {}", s.segments_closed, s.frames_written,
               s.folder.string());
  publish(by);  // the stop itself goes into the event log, which closes after it
  end_event_log();
  return "ok: " + state_text();
}

std::string CaseRecording::withdraw_consent(const std::string& by) {
  if (recording()) recorder_->stop();
  consent_ = false;
  refused_unencrypted_ = false;
  publish(by);
  end_event_log();
  return "ok: " + state_text();
}

void CaseRecording::check() {
  if (event_log_) event_log_->commit();
  const bool low = recording() && recorder_->status().disk_low;
  if (low && !warned_low_) spdlog::warn("recording: {}", warning());
  warned_low_ = low;
  if (!recorder_ || !session_.or_controls().recording || recording()) return;
  const auto s = recorder_->status();
  stopped_by_disk_ = s.last_error.find("free space") != std::string::npos;
  spdlog::error("recording stopped by an error: {}", s.last_error);
  publish("recorder: " + s.last_error);
  end_event_log();
}

void CaseRecording::record_or_voice(const media::EncodedPackets& packets) {
  if (!settings_.voice || !recorder_) return;
  for (const auto& packet : packets.packets) {
    const auto header = media::parse_rtp(packet);
    if (!header) continue;
    const auto& h = header.value();
    recorder_->record_voice("or", std::span(packet).subspan(h.payload_offset, h.payload_size),
                            packets.capture_time);
  }
}

void CaseRecording::record_mentor_voice(const std::string& talker, std::span<const std::uint8_t> packet) {
  if (!settings_.voice || !recorder_) return;
  const auto header = media::parse_rtp(packet);
  if (!header) return;
  const auto& h = header.value();
  // The capture time the console put on the packet (on its clock: the same machine's, or one kept by NTP);
  // without one, when it arrived.
  const auto capture = h.capture_ntp ? core::from_ntp64(*h.capture_ntp) : core::CaptureClock{}.now();
  recorder_->record_voice(talker, packet.subspan(h.payload_offset, h.payload_size), capture);
}

void CaseRecording::record_placements(const annotation::PlacedFrame& placed) {
  if (!event_log_) return;  // one handed over just as the recording stopped
  if (event_log_->append(placed.capture, "placements", "", annotation::encode_placed_frame(placed)))
    ++placement_records_;
}

void CaseRecording::close() {
  if (recording()) recorder_->stop();
  end_event_log();
}

std::string CaseRecording::state_text() const {
  if (!recorder_) return "recording switched off here";
  const auto s = recorder_->status();
  if (s.recording)
    return "recording into " + s.folder.string() + " (" + std::to_string(s.segments_closed) +
           " segments closed)";
  return std::string("not recording, consent ") + (consent_ ? "recorded" : "not recorded");
}

std::string CaseRecording::warning(const OrWords& words) const {
  if (!recorder_) return {};
  const auto s = recorder_->status();
  if (refused_unencrypted_ && !s.recording) return words(or_word::kNotRecordingUnencrypted);
  if (stopped_by_disk_ && !s.recording) return words(or_word::kRecordingStoppedDiskFull);
  if (!s.recording || !s.disk_low || !s.free_bytes) return {};
  const std::string free_mb = std::to_string(*s.free_bytes / kMegabyte);
  // Minutes left at the rate this recording has written so far, down to the floor where it stops.
  const double seconds = std::chrono::duration<double>(s.last_frame - s.started).count();
  const std::uint64_t floor = settings_.min_free_mb * kMegabyte;
  if (seconds > 10 && s.bytes_written > 0 && *s.free_bytes > floor) {
    const double rate = static_cast<double>(s.bytes_written) / seconds;
    return words(or_word::kDiskLowMinutes, free_mb,
                 std::to_string(std::lround(static_cast<double>(*s.free_bytes - floor) / rate / 60)));
  }
  return words(or_word::kDiskLow, free_mb);
}

nlohmann::json CaseRecording::status_json() const {
  const auto rec = status();
  const std::string warn = warning();
  return {{"consent_recorded", consent_},
          {"recording", rec.recording},
          {"folder", rec.folder.empty() ? nlohmann::json(nullptr) : nlohmann::json(rec.folder.string())},
          {"segments_closed", rec.segments_closed},
          {"frames_written", rec.frames_written},
          {"frames_skipped", rec.frames_skipped},
          {"voice_packets_written", rec.voice_packets_written},
          {"placement_records", placement_records_},
          {"free_mb", rec.free_bytes ? nlohmann::json(*rec.free_bytes / kMegabyte) : nlohmann::json(nullptr)},
          {"disk_low", rec.disk_low},
          {"warning", warn.empty() ? nlohmann::json(nullptr) : nlohmann::json(warn)},
          {"error", rec.last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(rec.last_error)}};
}

}  // namespace surgilink::sender
