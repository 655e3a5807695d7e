#pragma once
// The vitals panel's model: the latest numerics with alarm state and data age, 10-minute trends, and the
// last seconds of each waveform, fed from the network thread's vitals updates.

#include <QObject>
#include <QTimer>
#include <QVariantList>
#include <array>
#include <vector>

#include "surgilink/session/console_session.hpp"
#include "surgilink/vitals/vitals_receiver.hpp"

namespace surgilink::console {

// GUI thread only. The network thread hands updates over with a queued call to apply().
class PatientVitals : public QObject {
  Q_OBJECT
  // [{key, label, value, unit, alarm, stale, trend: [numbers]}] in panel order; value "--" when not
  // available.
  Q_PROPERTY(QVariantList numerics READ numerics NOTIFY numericsChanged)
  Q_PROPERTY(bool hasData READ hasData NOTIFY numericsChanged)
  Q_PROPERTY(bool stream READ stream NOTIFY numericsChanged)
  Q_PROPERTY(QString ageText READ ageText NOTIFY numericsChanged)
  Q_PROPERTY(bool anyAlarm READ anyAlarm NOTIFY numericsChanged)

 public:
  static constexpr double kTraceSeconds = 6;  // how much of each waveform the panel shows
  static constexpr int kTrendPoints = 120;    // 10 min at one point per 5 s

  explicit PatientVitals(QObject* parent = nullptr);

  void apply(const vitals::VitalsUpdate& update);
  // A new video picture is about to be drawn: new waveform samples are published now, so the traces are
  // redrawn in the same window render as the picture instead of causing renders of their own (on a software
  // renderer each render of the whole window is expensive). Without video, a 100 ms timer publishes them.
  void onPicture();
  // Once a second: data age, "no data" after a source went quiet, trend points.
  void tick(const session::ConsoleVitals& status);

  QVariantList numerics() const;
  bool hasData() const { return has_data_; }
  bool stream() const { return stream_; }
  QString ageText() const { return age_text_; }
  bool anyAlarm() const { return !alarms_.empty(); }

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
  bool traces_pending_ = false;
  QTimer traces_fallback_;
  int ticks_ = 0;
  bool has_data_ = false;
  bool stream_ = false;
  double age_ms_ = -1;
  QString age_text_;
};

}  // namespace surgilink::console
