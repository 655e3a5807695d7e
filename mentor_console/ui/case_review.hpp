#pragma once
// The console's review mode (issue 16): a trainer opens a recorded case and replays it — the picture decoded
// from the segments, the annotation scene as the OR had it, the vitals, the mentor's latency and the link —
// on one timeline with markers and bookmarks. What the review screen (ReviewScreen.qml) shows and steers.

#include <QtQml/qqmlregistration.h>
#include <QObject>
#include <QString>
#include <QVariantList>
#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "core/recorded_playback.hpp"
#include "surgilink/core/capture_clock.hpp"
#include "surgilink/media/audio_endpoint.hpp"
#include "surgilink/media/voice_replay.hpp"
#include "surgilink/review/recorded_case.hpp"

namespace surgilink::console {

class PatientVitals;
class PictureFeed;

// GUI thread, except the RecordedPlayback::Listener calls (decoder thread) and the picture feed's presented
// listener (render thread), which only hand over to the GUI thread.
class CaseReview : public QObject, private RecordedPlayback::Listener {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("the console's; reached as the window's review")
  Q_PROPERTY(bool opened READ opened NOTIFY openedChanged)
  Q_PROPERTY(QString title READ title NOTIFY openedChanged)
  Q_PROPERTY(QString folder READ folder NOTIFY openedChanged)
  // What is missing or damaged in the open recording, and why the last action failed.
  Q_PROPERTY(QString problems READ problems NOTIFY problemsChanged)
  Q_PROPERTY(double durationMs READ durationMs NOTIFY openedChanged)
  // The picture on the screen, in ms after the recording's first picture (while dragging: where the
  // trainer dragged to).
  Q_PROPERTY(double positionMs READ positionMs NOTIFY positionChanged)
  Q_PROPERTY(bool playing READ playing NOTIFY playingChanged)
  Q_PROPERTY(double speed READ speed NOTIFY speedChanged)
  Q_PROPERTY(surgilink::console::PictureFeed* feed READ feed CONSTANT)
  Q_PROPERTY(surgilink::console::PatientVitals* vitals READ vitals CONSTANT)
  Q_PROPERTY(bool annotationsHidden READ annotationsHidden NOTIFY momentChanged)
  Q_PROPERTY(int annotationCount READ annotationCount NOTIFY momentChanged)
  // "connected", "lost", "no mentor" at the picture's time, and in words.
  Q_PROPERTY(QString linkState READ linkState NOTIFY momentChanged)
  Q_PROPERTY(QString linkText READ linkText NOTIFY momentChanged)
  // Each connected mentor's last reported glass-to-glass p95 at the picture's time, in words.
  Q_PROPERTY(QString mentorLatency READ mentorLatency NOTIFY momentChanged)
  // [{offsetMs, kind, label, colour}], kind: annotation, alarm, pen, or, link.
  Q_PROPERTY(QVariantList markers READ markers NOTIFY openedChanged)
  // [{offsetMs, p95}] and [{fromMs, toMs, state}] for the strip under the timeline.
  Q_PROPERTY(QVariantList latencyPoints READ latencyPoints NOTIFY openedChanged)
  Q_PROPERTY(QVariantList linkPeriods READ linkPeriods NOTIFY openedChanged)
  Q_PROPERTY(double latencyMaxMs READ latencyMaxMs NOTIFY openedChanged)
  // [{offsetMs, by, comment}] in time order.
  Q_PROPERTY(QVariantList bookmarks READ bookmarks NOTIFY bookmarksChanged)
  // The recordings under [review] library: [{name, path, detail}], newest first.
  Q_PROPERTY(QVariantList recordings READ recordings NOTIFY recordingsChanged)
  Q_PROPERTY(QString library READ library CONSTANT)
  // The last seek: from the request to its picture on the screen, in ms (-1 before the first); after open(),
  // from the open to its first picture on the screen.
  Q_PROPERTY(double lastSeekMs READ lastSeekMs NOTIFY lastSeekMsChanged)
  // The recorded voice (every talker mixed, each packet at its capture time, in time with the picture)
  // through [audio] output: the recording has voice; the trainer's voice switch (V); what is heard, in words
  // ("no voice recorded", "voice off", "muted at 2×", a sound device that cannot be opened, …).
  Q_PROPERTY(bool voiceRecorded READ voiceRecorded NOTIFY voiceChanged)
  Q_PROPERTY(bool voiceOn READ voiceOn WRITE setVoiceOn NOTIFY voiceChanged)
  Q_PROPERTY(QString voiceText READ voiceText NOTIFY voiceChanged)

 public:
  // `library`: the folder whose sub-folders are recordings; `trainer`: who sets bookmarks; `output`: where
  // the recorded voice is played (the console's [audio] output; none: not played).
  CaseReview(std::filesystem::path library, QString trainer, media::AudioEndpoint output = {},
             QObject* parent = nullptr);
  ~CaseReview() override;

  bool opened() const { return recorded_ != nullptr; }
  QString title() const { return title_; }
  QString folder() const;
  QString problems() const { return problems_; }
  double durationMs() const;
  double positionMs() const { return position_ms_; }
  bool playing() const { return playing_; }
  double speed() const { return speed_; }
  PictureFeed* feed() const { return feed_.get(); }
  PatientVitals* vitals() const { return vitals_.get(); }
  bool annotationsHidden() const { return moment_.annotations_hidden; }
  int annotationCount() const {
    return static_cast<int>(moment_.scene ? moment_.scene->annotations.size() : 0);
  }
  QString linkState() const;
  QString linkText() const;
  QString mentorLatency() const;
  QVariantList markers() const { return markers_; }
  QVariantList latencyPoints() const { return latency_points_; }
  QVariantList linkPeriods() const { return link_periods_; }
  double latencyMaxMs() const { return latency_max_ms_; }
  QVariantList bookmarks() const { return bookmarks_; }
  QVariantList recordings() const { return recordings_; }
  QString library() const { return QString::fromStdString(library_.string()); }
  double lastSeekMs() const { return last_seek_ms_; }
  bool voiceRecorded() const { return recorded_ && !recorded_->manifest().voice.empty(); }
  bool voiceOn() const { return voice_on_; }
  void setVoiceOn(bool on);
  QString voiceText() const { return voice_text_; }
  // The recorded voice's player while a recording with voice is open and its output opened (tests, bench).
  const media::VoiceReplay* voice() const { return voice_.get(); }
  // Tests: told on the render thread each time a picture reaches the screen (its capture time, and when).
  void setPresentedListener(
      std::function<void(core::CaptureTime capture, core::CaptureTime presented)> listener);

  // The annotation scene at the picture's time (never null).
  const std::shared_ptr<const annotation::Scene>& scene() const { return moment_.scene; }
  // The moment shown now (for tests and the scene layer).
  const review::CaseMoment& moment() const { return moment_; }
  const review::RecordedCase* recordedCase() const { return recorded_.get(); }

  // Opens the recording in `path` (closing one that is open) and shows its first picture; false with
  // problems() saying why when there is nothing to review.
  Q_INVOKABLE bool open(const QString& path);
  Q_INVOKABLE void close();
  Q_INVOKABLE void refreshRecordings();
  Q_INVOKABLE void play();
  Q_INVOKABLE void pause();
  Q_INVOKABLE void togglePlay();
  // Shows the picture `offset_ms` after the first one (clamped to the recording); playing goes on from there.
  Q_INVOKABLE void seek(double offset_ms);
  Q_INVOKABLE void stepFrame(int direction);
  Q_INVOKABLE void faster();
  Q_INVOKABLE void slower();
  // A bookmark at the picture on the screen, with the trainer's comment; false with problems() saying why.
  Q_INVOKABLE bool addBookmark(const QString& comment);
  Q_INVOKABLE void toggleVoice() { setVoiceOn(!voice_on_); }

  // The speeds a trainer steps through with [ and ].
  static constexpr double kSpeeds[] = {0.25, 0.5, 1, 2, 4};

 signals:
  void openedChanged();
  void problemsChanged();
  void positionChanged();
  void playingChanged();
  void speedChanged();
  void momentChanged();
  void bookmarksChanged();
  void recordingsChanged();
  void lastSeekMsChanged();
  void voiceChanged();

 private:
  void on_recorded_picture(std::uint64_t request, std::shared_ptr<const media::VideoFrame> picture,
                           review::CaseMoment moment) override;
  void on_playback_end(std::uint64_t request) override;
  void on_playback_problem(std::uint64_t request, std::string why) override;
  void on_playback_clock(std::uint64_t request, std::optional<media::ReplayClock> clock) override;
  void open_voice();
  void update_voice_text();
  void on_picture_ready();                               // GUI thread: the newest moment reached the feed
  void on_presented(core::CaptureTime capture);          // render thread
  void note_picture_delay(core::CaptureTime capture);    // render thread, handover_mutex_ held
  core::CaptureTime capture_at(double offset_ms) const;  // clamped to the recording
  double offset_ms_of(core::CaptureTime capture) const;
  void build_timeline();
  void read_bookmarks();
  void set_playing(bool playing);
  void set_problems(QString problems);
  void change_speed(int step);

  // Passed in.
  std::filesystem::path library_;
  QString trainer_;
  media::AudioEndpoint output_;
  // Owned.
  core::CaptureClock clock_;
  std::unique_ptr<PictureFeed> feed_;
  std::unique_ptr<PatientVitals> vitals_;
  std::unique_ptr<review::RecordedCase> recorded_;
  std::unique_ptr<media::VoiceReplay> voice_;   // null: no voice, output none or not openable
  std::unique_ptr<RecordedPlayback> playback_;  // after recorded_ and voice_: stopped before they go
  // GUI thread.
  QString title_, problems_;
  QVariantList markers_, latency_points_, link_periods_, bookmarks_, recordings_;
  double latency_max_ms_ = 0;
  review::CaseMoment moment_;
  core::CaptureTime shown_{};  // the capture time of the picture on the screen
  double position_ms_ = 0;
  bool playing_ = false;
  double speed_ = 1;
  std::uint64_t play_request_ = 0;
  double last_seek_ms_ = -1;
  bool voice_on_ = true;
  QString voice_text_, voice_problem_;
  std::size_t voice_problems_seen_ = 0;
  // Handed from the decoder and render threads.
  std::mutex handover_mutex_;
  std::optional<review::CaseMoment> next_moment_;  // the moment of the newest picture in the feed
  std::uint64_t seek_request_ = 0;                 // the latest seek's request
  std::chrono::steady_clock::time_point seek_asked_{};
  std::optional<core::CaptureTime> seek_picture_;  // its picture, once decoded, until it is on the screen
  std::function<void(core::CaptureTime, core::CaptureTime)> presented_listener_;
  // The playing request's clock (none while not playing); how long after it was due on that clock each
  // picture reached the screen (the last 32, each under 250 ms: decoding late and the window's drawing), and
  // their median, which the recorded voice is delayed by so that it is heard with the picture.
  std::uint64_t clock_request_ = 0;
  std::optional<media::ReplayClock> play_clock_;
  std::array<std::chrono::nanoseconds, 32> picture_delays_{};
  std::size_t picture_delays_count_ = 0;
  std::atomic<std::int64_t> picture_delay_ns_{0};
};

}  // namespace surgilink::console
