#pragma once
// The bridge between the console's network thread (Asio, ConsoleSession) and Qt's GUI thread: owns the
// network thread, exposes the live status to QML as properties, and carries GUI actions back as posts.

#include <QtQml/qqmlregistration.h>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantList>
#include <atomic>
#include <memory>
#include <optional>
#include <thread>

#include "core/console_settings.hpp"
#include "mentor_voice.hpp"
#include "patient_vitals.hpp"
#include "picture_feed.hpp"
#include "session_state.hpp"
#include "surgilink/session/console_session.hpp"

namespace surgilink::console {

// Created and used on the GUI thread; its network thread is started in the constructor and joined in the
// destructor. Status arrives from the network thread as a queued call once a second; the voice's status
// (for the level meter) ten times a second.
class MentorSession : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("made by the program, which hands it to Main.qml as its required property mentor")
  Q_PROPERTY(QStringList sites READ sites CONSTANT)
  Q_PROPERTY(QString identity READ identity CONSTANT)
  // The connection state for decisions, and the word the window shows for it ("connected", translated).
  Q_PROPERTY(surgilink::console::qml_connection_state::ConnectionState state READ state NOTIFY statusChanged)
  Q_PROPERTY(QString stateName READ stateName NOTIFY statusChanged)
  Q_PROPERTY(QString detail READ detail NOTIFY statusChanged)
  Q_PROPERTY(QString siteName READ siteName NOTIFY statusChanged)
  Q_PROPERTY(QString casePseudonym READ casePseudonym NOTIFY statusChanged)
  Q_PROPERTY(QString displayName READ displayName NOTIFY statusChanged)
  // This console's role for decisions, and its word ("mentor"; "" before the sender admitted it).
  Q_PROPERTY(surgilink::console::qml_role::Role role READ role NOTIFY statusChanged)
  Q_PROPERTY(QString roleName READ roleName NOTIFY statusChanged)
  Q_PROPERTY(bool linkLost READ linkLost NOTIFY statusChanged)
  // Connected, but the picture suffers (loss, frame rate, latency): the session bar says so in amber.
  Q_PROPERTY(bool linkDegraded READ linkDegraded NOTIFY statusChanged)
  Q_PROPERTY(int reconnectAttempt READ reconnectAttempt NOTIFY statusChanged)
  Q_PROPERTY(bool hasLatency READ hasLatency NOTIFY statusChanged)
  Q_PROPERTY(double g2gMs READ g2gMs NOTIFY statusChanged)
  Q_PROPERTY(double p50Ms READ p50Ms NOTIFY statusChanged)
  Q_PROPERTY(double p95Ms READ p95Ms NOTIFY statusChanged)
  Q_PROPERTY(double uncertaintyMs READ uncertaintyMs NOTIFY statusChanged)
  // Whether a picture has arrived, and then how old the newest one is (0 before the first).
  Q_PROPERTY(bool hasPicture READ hasPicture NOTIFY statusChanged)
  Q_PROPERTY(double pictureAgeMs READ pictureAgeMs NOTIFY statusChanged)
  Q_PROPERTY(double fps READ fps NOTIFY statusChanged)
  Q_PROPERTY(double bitrateKbps READ bitrateKbps NOTIFY statusChanged)
  Q_PROPERTY(double lossPct READ lossPct NOTIFY statusChanged)
  Q_PROPERTY(double rttMs READ rttMs NOTIFY statusChanged)
  Q_PROPERTY(double linkJitterMs READ linkJitterMs NOTIFY statusChanged)
  Q_PROPERTY(double gapWaitMs READ gapWaitMs NOTIFY statusChanged)
  Q_PROPERTY(double playoutHoldMs READ playoutHoldMs NOTIFY statusChanged)
  Q_PROPERTY(QString latencyColour READ latencyColour NOTIFY statusChanged)
  // The configured glass-to-glass thresholds ([hud] green_ms, amber_ms), for the latency plot.
  Q_PROPERTY(double latencyGreenMs READ latencyGreenMs CONSTANT)
  Q_PROPERTY(double latencyAmberMs READ latencyAmberMs CONSTANT)
  Q_PROPERTY(QVariantList latencyHistory READ latencyHistory NOTIFY statusChanged)
  Q_PROPERTY(QVariantList stages READ stages NOTIFY statusChanged)
  Q_PROPERTY(surgilink::console::PatientVitals* vitals READ vitals CONSTANT)
  Q_PROPERTY(surgilink::console::PictureFeed* feed READ feed CONSTANT)
  // The mentor's voice: mute, push-to-talk, the microphone's level, whether the OR is speaking.
  Q_PROPERTY(surgilink::console::MentorVoice* voice READ voice CONSTANT)
  // Telestration: this console's author id ("c2"), whether it may draw (a mentor, connected), and the
  // sender's last refusal of one of its annotations (empty when none).
  Q_PROPERTY(QString annotationAuthor READ annotationAuthor NOTIFY statusChanged)
  Q_PROPERTY(bool mayDraw READ mayDraw NOTIFY statusChanged)
  Q_PROPERTY(QString annotationRefusal READ annotationRefusal NOTIFY annotationRefused)
  // Who holds the pen ("" nobody), whether the surgeon took it back or hid the annotations on the OR display,
  // and the vitals rows mentors flagged for the surgeon ("abp").
  Q_PROPERTY(QString penHolder READ penHolder NOTIFY statusChanged)
  Q_PROPERTY(bool penRevoked READ penRevoked NOTIFY statusChanged)
  Q_PROPERTY(bool orAnnotationsHidden READ orAnnotationsHidden NOTIFY statusChanged)
  Q_PROPERTY(QStringList flaggedVitals READ flaggedVitals NOTIFY statusChanged)
  // Everyone connected to the sender, "Dr. A (mentor)", this console included.
  Q_PROPERTY(QStringList roster READ roster NOTIFY statusChanged)
  // The OR's recording of the case: consent recorded there, and whether the stream is being recorded now.
  Q_PROPERTY(bool consentRecorded READ consentRecorded NOTIFY statusChanged)
  // The OR writes the media keys to a file (interop testing only): anyone with it can watch this session.
  Q_PROPERTY(bool keysExported READ keysExported NOTIFY statusChanged)
  Q_PROPERTY(bool recording READ recording NOTIFY statusChanged)
  // The OR paused video and voice to every console (privacy pause): the console shows why, not a frozen
  // picture.
  Q_PROPERTY(bool orPrivacyPaused READ orPrivacyPaused NOTIFY statusChanged)
  // Pre-flight ("Check link" on the start screen): running, and the last outcome in words and figures.
  Q_PROPERTY(bool checkingLink READ checkingLink NOTIFY linkCheckChanged)
  Q_PROPERTY(QString linkCheck READ linkCheck NOTIFY linkCheckChanged)
  Q_PROPERTY(QString linkVerdict READ linkVerdict NOTIFY linkCheckChanged)

 public:
  MentorSession(ConsoleSettings settings, QObject* parent = nullptr);
  ~MentorSession() override;

  // Connects to the named [[site]] (GUI thread). An empty name means the one chosen at start-up.
  Q_INVOKABLE void connectTo(const QString& site);
  Q_INVOKABLE void disconnectFromSite();
  // Measures the link to the named [[site]] for 10 s before a case (pre-flight; GUI thread). The outcome
  // comes through linkCheckChanged(). Ignored while one runs.
  Q_INVOKABLE void checkLink(const QString& site);

  // The decoded pictures, for the operative field view; it reports back when each reached the screen.
  PictureFeed* feed() { return &feed_; }
  // Network thread's whole-run report, fetched synchronously at exit (GUI thread, after the window closed).
  session::ConsoleReport finalReport(std::uint64_t* packets_rejected);

  QStringList sites() const;
  QString identity() const { return identity_; }
  ConnectionState state() const;
  QString stateName() const;
  QString detail() const { return detail_; }
  QString siteName() const { return site_name_; }
  QString casePseudonym() const { return case_; }
  QString displayName() const { return display_name_; }
  Role role() const { return role_of(role_); }
  QString roleName() const;
  bool linkLost() const { return status_.link_lost; }
  bool linkDegraded() const { return !status_.link_degraded.empty(); }
  int reconnectAttempt() const { return status_.reconnect_attempt; }
  bool hasLatency() const { return status_.g2g_10s.count > 0; }
  double g2gMs() const { return status_.g2g_last_ms; }
  double p50Ms() const { return status_.g2g_10s.p50_ms; }
  double p95Ms() const { return status_.g2g_10s.p95_ms; }
  double uncertaintyMs() const { return status_.clock_uncertainty_ms; }
  bool hasPicture() const { return status_.picture_age_ms.has_value(); }
  double pictureAgeMs() const { return status_.picture_age_ms.value_or(0); }
  double fps() const { return status_.fps; }
  double bitrateKbps() const { return status_.bitrate_kbps; }
  double lossPct() const { return status_.loss_pct; }
  double rttMs() const { return status_.rtt_ms; }
  double linkJitterMs() const { return status_.link_jitter_ms; }
  double gapWaitMs() const { return status_.gap_wait_ms; }
  double playoutHoldMs() const { return status_.playout_hold_ms; }
  QString latencyColour() const;
  double latencyGreenMs() const { return static_cast<double>(settings_.thresholds.green.count()); }
  double latencyAmberMs() const { return static_cast<double>(settings_.thresholds.amber.count()); }
  QVariantList latencyHistory() const { return history_; }
  QVariantList stages() const { return stages_; }
  PatientVitals* vitals() { return &vitals_; }
  MentorVoice* voice() { return &voice_; }
  QString annotationAuthor() const { return QString::fromStdString(status_.annotation_author); }
  bool mayDraw() const { return status_.may_draw && status_.state == session::ConnectionState::kConnected; }
  QString annotationRefusal() const { return annotation_refusal_; }
  QString penHolder() const { return QString::fromStdString(status_.pen_holder); }
  bool penRevoked() const { return status_.pen_revoked; }
  bool orAnnotationsHidden() const { return status_.or_annotations_hidden; }
  QStringList flaggedVitals() const;
  QStringList roster() const;
  bool consentRecorded() const { return status_.consent_recorded; }
  bool recording() const { return status_.recording; }
  bool keysExported() const { return status_.keys_exported; }
  bool orPrivacyPaused() const { return status_.or_privacy_paused; }
  bool checkingLink() const { return checking_link_; }
  QString linkCheck() const { return link_check_; }
  QString linkVerdict() const { return link_verdict_; }
  // Flags or unflags a vitals row for the surgeon (a badge on the OR display). GUI thread.
  Q_INVOKABLE void toggleVitalFlag(const QString& vital);

  // Sends an annotation operation as this console (GUI thread; handed to the network thread). The scene
  // with it echoed comes back through annotationsChanged().
  void proposeAnnotation(annotation::AnnotationOperation op);
  // The scene to draw now: the sender's, plus this console's proposals not yet confirmed. GUI thread.
  std::shared_ptr<const annotation::Scene> annotationScene() const { return scene_; }
  // Capture time (sender clock) of the picture on screen now: a Begin refers to the frame the mentor drew
  // on. Any thread.
  std::optional<core::CaptureTime> shownCaptureTime() const {
    const std::int64_t ns = shown_capture_ns_.load(std::memory_order_relaxed);
    if (ns == 0) return std::nullopt;
    return core::CaptureTime{std::chrono::nanoseconds{ns}};
  }

 signals:
  void statusChanged();
  void pictureReady();
  // One status line per second, for stdout (the same text as the headless console's).
  void statusLine(const QString& line);
  void annotationsChanged();
  void annotationRefused();
  void linkCheckChanged();

 private:
  struct Network;
  // "mentor" / "observer" in the window's language.
  static QString role_word(session::Role role);
  void apply(const session::ConsoleStatus& status);
  // Any thread: the frame captured at `capture_time` reached the screen at `presented_at`.
  void note_presented(core::CaptureTime capture_time, core::CaptureTime presented_at);

  ConsoleSettings settings_;
  core::CaptureClock clock_;
  PictureFeed feed_;
  std::unique_ptr<Network> network_;
  QString identity_;
  session::ConsoleStatus status_;
  // The session's state; none while idle (before a connect, after a disconnect).
  std::optional<session::ConnectionState> session_state_;
  std::optional<session::Role> role_;
  QString detail_, site_name_, case_, display_name_;
  QVariantList history_;  // g2g p50 per second, the last 60 s
  QVariantList stages_;   // [{name, p50}] per stage
  PatientVitals vitals_;
  MentorVoice voice_;
  std::shared_ptr<const annotation::Scene> scene_ = std::make_shared<const annotation::Scene>();
  QString annotation_refusal_;
  bool checking_link_ = false;
  QString link_check_, link_verdict_;              // verdict: "1080p30" ... "none"; empty when not measured
  std::atomic<std::int64_t> shown_capture_ns_{0};  // sender clock: the picture on screen now; 0: none
};

}  // namespace surgilink::console
