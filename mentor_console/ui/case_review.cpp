#include "case_review.hpp"

#include <spdlog/spdlog.h>
#include <QDateTime>
#include <QVariantMap>
#include <algorithm>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>

#include "patient_vitals.hpp"
#include "picture_feed.hpp"
#include "surgilink/review/bookmarks.hpp"
#include "surgilink/review/case_report.hpp"
#include "surgilink/vitals/vital_sign.hpp"

namespace surgilink::console {

namespace {

QString text_of(const std::string& s) { return QString::fromStdString(s); }

QString colour_of(std::uint32_t rgba) {
  return QStringLiteral("#%1").arg(rgba >> 8, 6, 16, QLatin1Char('0'));
}

QString utc_text(core::CaptureTime t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString("yyyy-MM-dd HH:mm:ss");
}

QVariantMap marker(double offset_ms, const char* kind, const QString& label, const QString& colour) {
  return {{"offsetMs", offset_ms}, {"kind", kind}, {"label", label}, {"colour", colour}};
}

// A recording folder holds a manifest or at least one segment.
bool looks_like_recording(const std::filesystem::path& folder) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(folder / media::RecordingManifest::kFileName, ec)) return true;
  for (const auto& e : std::filesystem::directory_iterator(folder, ec)) {
    const auto name = e.path().filename().string();
    if (name.starts_with("segment-") && name.ends_with(".mkv")) return true;
  }
  return false;
}

}  // namespace

CaseReview::CaseReview(std::filesystem::path library, QString trainer, media::AudioEndpoint output,
                       QObject* parent)
    : QObject(parent),
      library_(std::move(library)),
      trainer_(std::move(trainer)),
      output_(std::move(output)),
      feed_(std::make_unique<PictureFeed>(clock_,
                                          [this](core::CaptureTime capture, core::CaptureTime presented) {
                                            on_presented(capture);
                                            std::lock_guard lock(handover_mutex_);
                                            note_picture_delay(capture);
                                            if (presented_listener_) presented_listener_(capture, presented);
                                          })),
      vitals_(std::make_unique<PatientVitals>()) {
  moment_.scene = std::make_shared<const annotation::Scene>();
  connect(feed_.get(), &PictureFeed::pictureReady, this, &CaseReview::on_picture_ready);
}

CaseReview::~CaseReview() {
  playback_.reset();
  voice_.reset();
}

void CaseReview::setPresentedListener(std::function<void(core::CaptureTime, core::CaptureTime)> listener) {
  std::lock_guard lock(handover_mutex_);
  presented_listener_ = std::move(listener);
}

QString CaseReview::folder() const { return recorded_ ? text_of(recorded_->folder().string()) : QString(); }

double CaseReview::durationMs() const { return recorded_ ? offset_ms_of(recorded_->last_picture()) : 0; }

QString CaseReview::linkState() const { return review::describe(moment_.link); }

QString CaseReview::linkText() const {
  switch (moment_.link) {
    case review::LinkState::kConnected:
      return tr("mentor connected");
    case review::LinkState::kLost:
      return tr("mentor link lost");
    case review::LinkState::kNoMentor:
      break;
  }
  return tr("no mentor connected");
}

QString CaseReview::mentorLatency() const {
  QStringList parts;
  for (const auto& l : moment_.mentor_latency)
    parts << tr("%1: %2 ms p95").arg(text_of(l.console)).arg(l.g2g_p95_ms, 0, 'f', 0);
  return parts.isEmpty() ? tr("no latency report yet") : parts.join("  ·  ");
}

bool CaseReview::open(const QString& path) {
  const auto asked = std::chrono::steady_clock::now();
  close();
  std::string why;
  auto recorded = review::RecordedCase::open(path.toStdString(), &why);
  if (!recorded) {
    set_problems(tr("Cannot open %1: %2").arg(path, text_of(why)));
    spdlog::warn("review: cannot open {}: {}", path.toStdString(), why);
    return false;
  }
  recorded_ = std::move(recorded);
  const auto& manifest = recorded_->manifest();
  title_ = tr("%1 at %2, %3 UTC")
               .arg(text_of(manifest.case_pseudonym), text_of(manifest.site),
                    utc_text(recorded_->first_picture()));
  QStringList problems;
  for (const auto& p : recorded_->problems()) problems << text_of(p);
  set_problems(problems.join("\n"));
  spdlog::info("review: opened {} ({} segments, {:.1f} s{})", recorded_->folder().string(),
               manifest.segments.size(), durationMs() / 1000,
               recorded_->problems().empty() ? "" : ", damaged");
  build_timeline();
  read_bookmarks();
  open_voice();
  playback_ = std::make_unique<RecordedPlayback>(*recorded_, static_cast<RecordedPlayback::Listener&>(*this));
  emit openedChanged();
  seek(0);
  {
    // The first seek's time counts from the open: what a trainer waits for after choosing a recording.
    std::lock_guard lock(handover_mutex_);
    seek_asked_ = asked;
  }
  return true;
}

void CaseReview::close() {
  if (!recorded_) return;
  playback_.reset();
  voice_.reset();
  recorded_.reset();
  {
    std::lock_guard lock(handover_mutex_);
    next_moment_.reset();
    seek_picture_.reset();
    // The next recording's playback numbers its requests from 1 again.
    clock_request_ = 0;
    play_clock_.reset();
  }
  feed_->mailbox().put(nullptr);  // the next recording's screen must not start with this one's picture
  moment_ = {};
  moment_.scene = std::make_shared<const annotation::Scene>();
  markers_.clear();
  latency_points_.clear();
  link_periods_.clear();
  bookmarks_.clear();
  title_.clear();
  set_playing(false);
  set_problems({});
  update_voice_text();
  emit openedChanged();
  emit bookmarksChanged();
  emit momentChanged();
}

void CaseReview::open_voice() {
  voice_problem_.clear();
  voice_problems_seen_ = 0;
  const auto& files = recorded_->manifest().voice;
  if (files.empty()) {
    spdlog::info("review: no voice recorded");
  } else if (output_.kind == media::AudioEndpoint::Kind::kNone) {
    spdlog::info("review: the recorded voice is not played ([audio] output = none)");
  } else {
    // A sound device that is missing or cannot be opened is said on the screen; the review goes on silent.
    std::string why;
    try {
      auto voice = std::make_unique<media::VoiceReplay>(recorded_->folder(), files, output_);
      if (voice->start(why)) voice_ = std::move(voice);
    } catch (const std::exception& e) {
      why = e.what();
    }
    if (voice_) {
      voice_->set_muted(!voice_on_);
      spdlog::info("review: the recorded voice ({} files) plays through {}, voice {}", files.size(),
                   media::to_string(output_), voice_on_ ? "on" : "off");
    } else {
      voice_problem_ = text_of(why);
      spdlog::warn("review: the recorded voice cannot be played: {}", why);
    }
  }
  update_voice_text();
}

void CaseReview::setVoiceOn(bool on) {
  if (on == voice_on_) return;
  voice_on_ = on;
  if (voice_) voice_->set_muted(!on);
  spdlog::info("review: voice {}", on ? "on" : "off");
  update_voice_text();
}

void CaseReview::update_voice_text() {
  QString text;
  if (!recorded_) {
    text.clear();
  } else if (!voiceRecorded()) {
    text = tr("no voice recorded");
  } else if (output_.kind == media::AudioEndpoint::Kind::kNone) {
    text = tr("voice not played: [audio] output is none");
  } else if (!voice_) {
    text = tr("no sound: %1").arg(voice_problem_);
  } else if (!voice_on_) {
    text = tr("voice off (V)");
  } else if (speed_ != 1) {
    text = tr("voice muted at %1× (sound at 1× only)").arg(speed_);
  } else {
    QStringList talkers;
    for (const auto& f : recorded_->manifest().voice) {
      if (!talkers.contains(text_of(f.talker))) talkers << text_of(f.talker);
    }
    text = tr("voice on (V): %1").arg(talkers.join(", "));
    const auto problems = voice_->state().problems;
    if (!problems.empty()) {
      QStringList left_out;
      for (const auto& p : problems) left_out << text_of(p);
      text += " · " + tr("left out: %1").arg(left_out.join("; "));
    }
  }
  if (text == voice_text_) return;
  voice_text_ = text;
  emit voiceChanged();
}

void CaseReview::on_playback_clock(std::uint64_t request, std::optional<media::ReplayClock> clock) {
  {
    std::lock_guard lock(handover_mutex_);
    if (request >= clock_request_) {
      clock_request_ = request;
      play_clock_ = clock;
    }
  }
  if (voice_) voice_->follow(request, clock);
}

void CaseReview::refreshRecordings() {
  recordings_.clear();
  std::error_code ec;
  std::vector<std::filesystem::path> folders;
  for (const auto& e : std::filesystem::directory_iterator(library_, ec)) {
    if (e.is_directory(ec) && looks_like_recording(e.path())) folders.push_back(e.path());
  }
  // Named <case>-<UTC start>: the newest last by name within a case; sort by the start in the name.
  std::sort(folders.begin(), folders.end(), [](const auto& a, const auto& b) {
    const auto sa = a.filename().string(), sb = b.filename().string();
    return sa.substr(sa.rfind('-') + 1) > sb.substr(sb.rfind('-') + 1);
  });
  for (const auto& folder : folders) {
    std::string why;
    QString detail;
    if (const auto manifest = media::RecordingManifest::read(folder, &why);
        manifest && !manifest->segments.empty()) {
      const double seconds =
          std::chrono::duration<double>(manifest->segments.back().last - manifest->segments.front().first)
              .count();
      const QString state = manifest->state == media::RecordingState::kComplete ? tr("complete")
                            : manifest->state == media::RecordingState::kRecovered
                                ? tr("recovered after a crash")
                                : tr("still being recorded");
      detail = tr("%1 · %2 min %3 s · %4")
                   .arg(text_of(manifest->site))
                   .arg(static_cast<int>(seconds) / 60)
                   .arg(static_cast<int>(seconds) % 60)
                   .arg(state);
    } else {
      detail = tr("no readable index");
    }
    recordings_.append(QVariantMap{{"name", text_of(folder.filename().string())},
                                   {"path", text_of(folder.string())},
                                   {"detail", detail}});
  }
  emit recordingsChanged();
}

void CaseReview::play() {
  if (!playback_) return;
  // At the end, play starts again from the beginning.
  const bool at_end = shown_ >= recorded_->last_picture();
  const auto from = at_end ? recorded_->first_picture() : shown_ + std::chrono::nanoseconds{1};
  play_request_ = playback_->play(from, speed_);
  set_playing(true);
}

void CaseReview::pause() {
  if (!playback_ || !playing_) return;
  playback_->pause();
  set_playing(false);
}

void CaseReview::togglePlay() { playing_ ? pause() : play(); }

void CaseReview::seek(double offset_ms) {
  if (!playback_) return;
  const auto t = capture_at(offset_ms);
  std::uint64_t request = 0;
  if (playing_) {
    request = play_request_ = playback_->play(t, speed_);
  } else {
    request = playback_->show(t);
  }
  {
    std::lock_guard lock(handover_mutex_);
    seek_request_ = request;
    seek_asked_ = std::chrono::steady_clock::now();
    seek_picture_.reset();
  }
  position_ms_ = offset_ms_of(t);
  emit positionChanged();
}

void CaseReview::stepFrame(int direction) {
  if (!playback_) return;
  pause();
  playback_->step(shown_, direction);
}

void CaseReview::change_speed(int step) {
  const auto* at = std::find(std::begin(kSpeeds), std::end(kSpeeds), speed_);
  const auto index = std::clamp<std::ptrdiff_t>((at - std::begin(kSpeeds)) + step, 0, std::size(kSpeeds) - 1);
  if (kSpeeds[index] == speed_) return;
  speed_ = kSpeeds[index];
  emit speedChanged();
  update_voice_text();
  if (playing_) play_request_ = playback_->play(shown_ + std::chrono::nanoseconds{1}, speed_);
}

void CaseReview::faster() { change_speed(+1); }
void CaseReview::slower() { change_speed(-1); }

bool CaseReview::addBookmark(const QString& comment) {
  if (!recorded_) return false;
  std::string why;
  auto marks = review::Bookmarks::read(recorded_->folder(), &why);
  if (!marks) {
    set_problems(tr("Bookmarks cannot be read: %1").arg(text_of(why)));
    return false;
  }
  marks->push_back({shown_, trainer_.toStdString(), comment.trimmed().toStdString()});
  if (const auto failed = review::Bookmarks::write(recorded_->folder(), std::move(*marks))) {
    set_problems(tr("The bookmark was not saved: %1").arg(text_of(*failed)));
    return false;
  }
  read_bookmarks();
  return true;
}

void CaseReview::read_bookmarks() {
  bookmarks_.clear();
  std::string why;
  if (const auto marks = review::Bookmarks::read(recorded_->folder(), &why)) {
    for (const auto& b : *marks) {
      bookmarks_.append(QVariantMap{
          {"offsetMs", offset_ms_of(b.at)}, {"by", text_of(b.by)}, {"comment", text_of(b.comment)}});
    }
  } else {
    set_problems(problems_ + (problems_.isEmpty() ? "" : "\n") +
                 tr("Bookmarks cannot be read: %1").arg(text_of(why)));
  }
  emit bookmarksChanged();
}

void CaseReview::build_timeline() {
  const auto& r = *recorded_;
  markers_.clear();
  // Annotations by author (each begun one, in its own colour), named after the console that drew it.
  for (const auto& a : r.annotations()) {
    const auto* begin = std::get_if<annotation::Begin>(&a.op.op);
    if (begin == nullptr || begin->draft.kind == annotation::AnnotationKind::kPointer) continue;
    markers_.append(
        marker(offset_ms_of(a.at), "annotation", text_of(a.console), colour_of(begin->draft.colour_rgba)));
  }
  for (const auto& period : review::alarm_periods(r)) {
    const QString name = text_of(std::string(vitals::info(period.alarm.parameter).short_name)).toUpper();
    markers_.append(marker(offset_ms_of(period.alarm.since), "alarm",
                           period.alarm.condition == vitals::AlarmCondition::kLow ? tr("%1 low").arg(name)
                                                                                  : tr("%1 high").arg(name),
                           "#ff5252"));
  }
  for (const auto& e : r.session_events()) {
    const auto j = nlohmann::json::parse(e.detail, nullptr, false);
    const auto field = [&](const char* key) { return text_of(j.is_object() ? j.value(key, "") : ""); };
    if (e.event == "join") continue;
    if (e.event == "leave") {
      if (field("departure") == "link_lost")
        markers_.append(
            marker(offset_ms_of(e.at), "link", tr("link lost: %1").arg(field("console")), "#e040fb"));
    } else if (e.event.starts_with("pen")) {
      const QString holder = field("holder");
      markers_.append(marker(offset_ms_of(e.at), "pen",
                             holder.isEmpty() ? tr("pen released") : tr("pen: %1").arg(holder), "#ffb300"));
    } else if (e.event.starts_with("vitals_flag") || e.event.starts_with("vitals_unflag") ||
               e.event.ends_with("_refused") || e.event.ends_with("_failed")) {
      continue;  // a mentor's flag or a refusal: not the surgeon's command
    } else {
      // The surgeon's commands and the OR's decisions: hide/show/clear, privacy pause, consent, recording.
      static const std::map<std::string, const char*> kWords = {
          {"annotations_hidden", QT_TR_NOOP("annotations hidden")},
          {"annotations_shown", QT_TR_NOOP("annotations shown")},
          {"annotations_cleared", QT_TR_NOOP("annotations cleared")},
          {"privacy_paused", QT_TR_NOOP("privacy pause")},
          {"privacy_resumed", QT_TR_NOOP("privacy pause ended")},
          {"consent_recorded", QT_TR_NOOP("consent recorded")},
          {"consent_withdrawn", QT_TR_NOOP("consent withdrawn")},
          {"recording_started", QT_TR_NOOP("recording started")},
          {"recording_stopped", QT_TR_NOOP("recording stopped")},
          {"session_ended", QT_TR_NOOP("session ended")}};
      const auto word = kWords.find(e.event);
      markers_.append(marker(offset_ms_of(e.at), "or",
                             word != kWords.end() ? tr(word->second) : text_of(e.event), "#40c4ff"));
    }
  }
  std::stable_sort(markers_.begin(), markers_.end(), [](const QVariant& a, const QVariant& b) {
    return a.toMap()["offsetMs"].toDouble() < b.toMap()["offsetMs"].toDouble();
  });
  latency_points_.clear();
  latency_max_ms_ = 0;
  for (const auto& l : r.latency_reports()) {
    latency_points_.append(QVariantMap{{"offsetMs", offset_ms_of(l.at)}, {"p95", l.g2g_p95_ms}});
    latency_max_ms_ = std::max(latency_max_ms_, l.g2g_p95_ms);
  }
  // The link over time: it changes only with who is connected, so it is asked where the roster changed (the
  // sender logs the roster just after the join or leave that changed it).
  link_periods_.clear();
  auto state = r.at(r.first_picture()).link;
  double from = 0;
  for (const auto& [at, roster] : r.rosters()) {
    if (at <= r.first_picture()) continue;
    const auto now = r.at(at).link;
    if (now == state) continue;
    link_periods_.append(
        QVariantMap{{"fromMs", from}, {"toMs", offset_ms_of(at)}, {"state", review::describe(state)}});
    from = offset_ms_of(at);
    state = now;
  }
  link_periods_.append(
      QVariantMap{{"fromMs", from}, {"toMs", durationMs()}, {"state", review::describe(state)}});
}

core::CaptureTime CaseReview::capture_at(double offset_ms) const {
  const auto first = recorded_->first_picture();
  const auto offset = std::chrono::nanoseconds{static_cast<std::int64_t>(std::max(0.0, offset_ms) * 1e6)};
  return std::min(first + offset, recorded_->last_picture());
}

double CaseReview::offset_ms_of(core::CaptureTime capture) const {
  return std::chrono::duration<double, std::milli>(capture - recorded_->first_picture()).count();
}

void CaseReview::set_playing(bool playing) {
  if (playing_ == playing) return;
  playing_ = playing;
  emit playingChanged();
}

void CaseReview::set_problems(QString problems) {
  if (problems_ == problems) return;
  problems_ = std::move(problems);
  emit problemsChanged();
}

void CaseReview::on_recorded_picture(std::uint64_t request, std::shared_ptr<const media::VideoFrame> picture,
                                     review::CaseMoment moment) {
  {
    std::lock_guard lock(handover_mutex_);
    if (request == seek_request_ && !seek_picture_) seek_picture_ = picture->capture_time();
    next_moment_ = std::move(moment);
  }
  // The moment first: the picture's arrival is what the GUI thread reacts to.
  feed_->mailbox().put(std::move(picture));
  feed_->announce();
}

void CaseReview::on_playback_end(std::uint64_t request) {
  QMetaObject::invokeMethod(
      this,
      [this, request] {
        if (request == play_request_) set_playing(false);
      },
      Qt::QueuedConnection);
}

void CaseReview::on_playback_problem(std::uint64_t, std::string why) {
  spdlog::warn("review: {}", why);
  QMetaObject::invokeMethod(
      this, [this, why = text_of(why)] { set_problems(tr("A picture cannot be shown: %1").arg(why)); },
      Qt::QueuedConnection);
}

void CaseReview::on_picture_ready() {
  std::optional<review::CaseMoment> moment;
  {
    std::lock_guard lock(handover_mutex_);
    moment = std::exchange(next_moment_, std::nullopt);
  }
  if (!moment || !recorded_) return;
  moment_ = std::move(*moment);
  shown_ = moment_.capture;
  position_ms_ = offset_ms_of(shown_);
  // The vitals as the mentor saw them with this picture, and how old the newest of them was then.
  std::optional<core::CaptureTime> newest;
  for (const auto& s : moment_.vitals) {
    if (s && (!newest || s->captured > *newest)) newest = s->captured;
  }
  std::optional<double> age_ms;
  if (newest) age_ms = std::chrono::duration<double, std::milli>(shown_ - *newest).count();
  vitals_->showRecorded(moment_.vitals, moment_.alarms, age_ms, moment_.waveforms,
                        recorded_->waveforms_recorded());
  if (voice_) {
    voice_->set_picture_delay(std::chrono::nanoseconds{picture_delay_ns_.load(std::memory_order_relaxed)});
    // A voice file that could not be decoded is named once the decoder found it out.
    const auto problems = voice_->state().problems.size();
    if (problems != voice_problems_seen_) {
      voice_problems_seen_ = problems;
      update_voice_text();
    }
  }
  emit positionChanged();
  emit momentChanged();
}

void CaseReview::note_picture_delay(core::CaptureTime capture) {
  if (!play_clock_ || play_clock_->speed <= 0 || capture < play_clock_->from) return;
  const auto due = play_clock_->started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                              (capture - play_clock_->from) / play_clock_->speed);
  const auto delay = std::chrono::steady_clock::now() - due;
  // Pictures decoded from the keyframe after a seek come late until the decoder caught up: not its pace.
  if (delay < std::chrono::nanoseconds{0} || delay >= std::chrono::milliseconds{250}) return;
  picture_delays_[picture_delays_count_++ % picture_delays_.size()] = delay;
  const auto n = std::min(picture_delays_count_, picture_delays_.size());
  auto sorted = picture_delays_;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(n / 2),
                   sorted.begin() + static_cast<std::ptrdiff_t>(n));
  picture_delay_ns_.store(sorted[n / 2].count(), std::memory_order_relaxed);
}

void CaseReview::on_presented(core::CaptureTime capture) {
  std::lock_guard lock(handover_mutex_);
  if (!seek_picture_ || *seek_picture_ != capture) return;
  seek_picture_.reset();
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - seek_asked_).count();
  QMetaObject::invokeMethod(
      this,
      [this, ms] {
        last_seek_ms_ = ms;
        spdlog::debug("review: seek to the picture on the screen in {:.1f} ms", ms);
        emit lastSeekMsChanged();
      },
      Qt::QueuedConnection);
}

}  // namespace surgilink::console
