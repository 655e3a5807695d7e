#include "waveform_trace.hpp"

#include <QPainter>
#include <QPolygonF>
#include <algorithm>
#include <cmath>

namespace surgilink::console {

WaveformTrace::WaveformTrace(QQuickItem* parent) : QQuickPaintedItem(parent) {}

void WaveformTrace::setVitals(PatientVitals* v) {
  if (vitals_) disconnect(vitals_, nullptr, this, nullptr);
  vitals_ = v;
  if (vitals_) connect(vitals_, &PatientVitals::tracesChanged, this, &WaveformTrace::refresh);
  refresh();
}

void WaveformTrace::setWaveform(const QString& w) {
  waveform_ = w;
  which_.reset();
  for (const auto& info : vitals::all_waveforms()) {
    if (QString::fromUtf8(info.short_name.data(), static_cast<int>(info.short_name.size())) == w)
      which_ = info.waveform;
  }
  refresh();
}

void WaveformTrace::setColour(const QColor& c) {
  colour_ = c;
  emit changed();
  update();
}

void WaveformTrace::refresh() {
  const bool had = !points_.empty();
  points_.clear();
  const int columns = static_cast<int>(width());
  if (vitals_ && which_ && columns > 1) {
    const auto& trace = vitals_->trace(*which_);
    if (trace.size() >= 2) {
      // The full span of the panel is kTraceSeconds; a shorter trace fills the right-hand part.
      const double per_column = vitals_->traceRate(*which_) * PatientVitals::kTraceSeconds / columns;
      const auto [lo, hi] = std::minmax_element(trace.begin(), trace.end());
      const float range = std::max(1e-3f, *hi - *lo);
      const float h = static_cast<float>(height());
      const auto y_of = [&](float v) { return h - 2 - (v - *lo) / range * (h - 4); };
      const int first_column = columns - static_cast<int>(static_cast<double>(trace.size()) / per_column);
      for (int c = std::max(0, first_column); c < columns; ++c) {
        const auto from = static_cast<std::size_t>((c - first_column) * per_column);
        const auto to =
            std::min(trace.size(), static_cast<std::size_t>((c - first_column + 1) * per_column) + 1);
        if (from >= to) continue;
        const auto [cmin, cmax] = std::minmax_element(trace.begin() + static_cast<std::ptrdiff_t>(from),
                                                      trace.begin() + static_cast<std::ptrdiff_t>(to));
        points_.emplace_back(static_cast<float>(c), y_of(*cmax));
        points_.emplace_back(static_cast<float>(c), y_of(*cmin));
      }
    }
  }
  if (had != !points_.empty()) emit changed();
  update();
}

void WaveformTrace::paint(QPainter* painter) {
  if (points_.size() < 2) return;
  QPolygonF line;
  line.reserve(static_cast<int>(points_.size()));
  for (const auto& [x, y] : points_) line << QPointF(x, y);
  painter->setRenderHint(QPainter::Antialiasing, true);
  painter->setPen(QPen(colour_, 1.5));
  painter->drawPolyline(line);
}

TrendLine::TrendLine(QQuickItem* parent) : QQuickPaintedItem(parent) {}

void TrendLine::setValues(const QVariantList& v) {
  values_ = v;
  emit changed();
  update();
}
void TrendLine::setColour(const QColor& c) {
  colour_ = c;
  emit changed();
  update();
}
void TrendLine::setSlotCount(int n) {
  slots_ = std::max(2, n);
  emit changed();
  update();
}

void TrendLine::paint(QPainter* painter) {
  // The run of values after the last gap is drawn (a gap is a source that stopped).
  std::vector<double> run;
  for (const auto& v : values_) {
    if (!v.isValid() || v.isNull()) {
      run.clear();
      continue;
    }
    run.push_back(v.toDouble());
  }
  if (run.size() < 2) return;
  const auto [lo, hi] = std::minmax_element(run.begin(), run.end());
  const double range = std::max(1.0, *hi - *lo);
  const double w = width(), h = height();
  const int offset = slots_ - static_cast<int>(run.size());
  QPolygonF line;
  for (std::size_t i = 0; i < run.size(); ++i) {
    line << QPointF(w * (offset + static_cast<double>(i)) / (slots_ - 1),
                    h - 1 - (run[i] - *lo) / range * (h - 2));
  }
  painter->setRenderHint(QPainter::Antialiasing, true);
  painter->setPen(QPen(colour_, 1.5));
  painter->drawPolyline(line);
}

}  // namespace surgilink::console
