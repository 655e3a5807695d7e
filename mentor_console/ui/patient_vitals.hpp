#pragma once
// The vitals panel's model: the latest numerics with alarm state and data age, 10-minute trends, and the
// last seconds of each waveform, fed from the network thread's vitals updates.

#include <QtQml/qqmlregistration.h>
#include <QAbstractListModel>
#include <QObject>
#include <QTimer>
#include <QVariantList>
#include <array>
#include <vector>

#include "surgilink/session/console_session.hpp"
#include "surgilink/vitals/vitals_receiver.hpp"

namespace surgilink::console {

// One row of the numerics list as the panel shows it: a parameter, or a pressure as sys/dia (mean).
struct NumericRow {
  QString key;    // "hr", "abp", ...
  QString label;  // "HR", "ABP", ...
  QString value;  // "72", "120/80 (93)", "--" when not available, "no data" when never received
  QString unit;
  bool alarm = false;
  bool stale = false;
  QVariantList trend;  // numbers, null for a gap
  bool operator==(const NumericRow&) const = default;
};

// The numerics rows as a list model with stable rows: a changed value updates its row's roles only, so the
// panel's delegates (texts, trend plots) are kept rather than rebuilt. GUI thread only.
class NumericRows : public QAbstractListModel {
  Q_OBJECT
  QML_ANONYMOUS
 public:
  enum Role { kKey = Qt::UserRole + 1, kLabel, kValue, kUnit, kAlarm, kStale, kTrend };
  using QAbstractListModel::QAbstractListModel;
  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;
  // Replaces the rows; signals only what differs.
  void assign(std::vector<NumericRow> rows);
  const std::vector<NumericRow>& rows() const { return rows_; }

 private:
  std::vector<NumericRow> rows_;
};

// GUI thread only. The network thread hands updates over with a queued call to apply().
class PatientVitals : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("the session's; reached as mentor.vitals")
  // Rows in panel order (roles key, label, value, unit, alarm, stale, trend).
  Q_PROPERTY(surgilink::console::NumericRows* numerics READ numerics CONSTANT)
  Q_PROPERTY(bool hasData READ hasData NOTIFY numericsChanged)
  Q_PROPERTY(bool stream READ stream NOTIFY numericsChanged)
  Q_PROPERTY(QString ageText READ ageText NOTIFY numericsChanged)
  Q_PROPERTY(bool anyAlarm READ anyAlarm NOTIFY numericsChanged)
  // Said where the waveforms would be: "no waveforms recorded" when a reviewed recording holds none; "" live.
  Q_PROPERTY(QString traceNote READ traceNote NOTIFY tracesChanged)

 public:
  static constexpr double kTraceSeconds = 6;  // how much of each waveform the panel shows
  static constexpr int kTrendPoints = 120;    // 10 min at one point per 5 s

  explicit PatientVitals(QObject* parent = nullptr);

  void apply(const vitals::VitalsUpdate& update);
  // A new video picture is about to be drawn: new numbers and waveform samples are published now, so they are
  // redrawn in the same window render as the picture instead of causing renders of their own (on a software
  // renderer each render of the whole window is expensive). Without video, a 100 ms timer publishes them.
  // Alarm changes and the once-a-second tick are published at once.
  void onPicture();
  // Once a second: data age, "no data" after a source went quiet, trend points.
  void tick(const session::ConsoleVitals& status);
  // Review: the numerics and alarms as they were at a moment of a recorded case, the newest sample `age_ms`
  // old then (none: nothing received yet), and each waveform's samples up to that moment (at most
  // kTraceSeconds of them are shown, as live). `waveforms_recorded` false: the recording holds no waveform,
  // which the panel says. Replaces what was shown; trends are not replayed.
  void showRecorded(const std::array<std::optional<vitals::NumericSample>,
                                     static_cast<std::size_t>(vitals::Parameter::kCount)>& latest,
                    const std::vector<vitals::ActiveAlarm>& alarms, std::optional<double> age_ms,
                    const std::vector<vitals::WaveformChunk>& waveforms = {}, bool waveforms_recorded = true);

  NumericRows* numerics() { return &rows_; }
  bool hasData() const { return has_data_; }
  bool stream() const { return stream_; }
  QString ageText() const { return age_text_; }
  bool anyAlarm() const { return !alarms_.empty(); }
  QString traceNote() const { return trace_note_; }

  // The newest samples of a waveform, oldest first (at most kTraceSeconds); for WaveformTrace.
  const std::vector<float>& trace(vitals::Waveform w) const { return traces_[static_cast<std::size_t>(w)]; }
  // Samples per second of a waveform's trace (500 until its first chunk says otherwise).
  double traceRate(vitals::Waveform w) const { return rates_[static_cast<std::size_t>(w)]; }

 signals:
  void numericsChanged();
  void tracesChanged();

 private:
  std::array<std::optional<vitals::NumericSample>, static_cast<std::size_t>(vitals::Parameter::kCount)>
      latest_{};
  std::array<std::vector<double>, static_cast<std::size_t>(vitals::Parameter::kCount)> trends_{};
  std::array<std::vector<float>, static_cast<std::size_t>(vitals::Waveform::kCount)> traces_{};
  std::vector<vitals::ActiveAlarm> alarms_;
  std::array<double, static_cast<std::size_t>(vitals::Waveform::kCount)> rates_{500, 500, 500, 500};
  void publish_numerics();
  void set_age(std::optional<double> age_ms);

  NumericRows rows_;
  bool traces_pending_ = false;
  bool numerics_pending_ = false;
  QTimer publish_fallback_;
  int ticks_ = 0;
  bool has_data_ = false;
  bool stream_ = false;
  QString age_text_;
  QString trace_note_;
};

}  // namespace surgilink::console
