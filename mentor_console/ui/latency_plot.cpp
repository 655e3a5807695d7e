#include "latency_plot.hpp"

#include <QPainter>
#include <QPolygonF>
#include <algorithm>

namespace surgilink::console {

LatencyPlot::LatencyPlot(QQuickItem* parent) : QQuickPaintedItem(parent) {}

void LatencyPlot::setValues(const QVariantList& v) {
  values_ = v;
  emit valuesChanged();
  update();
}
void LatencyPlot::setMaxMs(double v) {
  max_ms_ = std::max(1.0, v);
  emit valuesChanged();
  update();
}
void LatencyPlot::setAmberMs(double v) {
  amber_ms_ = v;
  emit valuesChanged();
  update();
}
void LatencyPlot::setGreenMs(double v) {
  green_ms_ = v;
  emit valuesChanged();
  update();
}

void LatencyPlot::paint(QPainter* painter) {
  const double w = width(), h = height();
  const auto y_of = [&](double ms) { return h - std::min(ms, max_ms_) / max_ms_ * h; };
  painter->setRenderHint(QPainter::Antialiasing, true);
  for (const auto& [ms, colour] :
       {std::pair{green_ms_, QColor("#2e7d32")}, std::pair{amber_ms_, QColor("#f9a825")}}) {
    painter->setPen(QPen(colour, 1));
    painter->drawLine(QPointF(0, y_of(ms)), QPointF(w, y_of(ms)));
  }
  const int kSlots = 60;
  const int offset = kSlots - static_cast<int>(values_.size());
  QPolygonF line;
  for (int i = 0; i < values_.size(); ++i) {
    if (!values_[i].isValid() || values_[i].isNull()) continue;
    line << QPointF(w * (offset + i) / (kSlots - 1), y_of(values_[i].toDouble()));
  }
  if (line.size() < 2) return;
  painter->setPen(QPen(QColor("#e3f2fd"), 2));
  painter->drawPolyline(line);
}

}  // namespace surgilink::console
