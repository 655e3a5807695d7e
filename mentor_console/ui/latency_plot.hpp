#pragma once
// A scene-graph line plot of glass-to-glass latency per second (the HUD's 60 s history), with the amber and
// red thresholds drawn as lines. A C++ QPainter item, repainted only when the values change (no JavaScript
// canvas); painted items also render with the software backend of the offscreen platform.

#include <QtQml/qqmlregistration.h>
#include <QColor>
#include <QQuickPaintedItem>
#include <QVariantList>

namespace surgilink::console {

// GUI thread only.
class LatencyPlot : public QQuickPaintedItem {
  Q_OBJECT
  QML_ELEMENT
  Q_PROPERTY(QVariantList values READ values WRITE setValues NOTIFY valuesChanged)
  Q_PROPERTY(double maxMs READ maxMs WRITE setMaxMs NOTIFY valuesChanged)
  Q_PROPERTY(double amberMs READ amberMs WRITE setAmberMs NOTIFY valuesChanged)
  Q_PROPERTY(double greenMs READ greenMs WRITE setGreenMs NOTIFY valuesChanged)

 public:
  explicit LatencyPlot(QQuickItem* parent = nullptr);
  QVariantList values() const { return values_; }
  void setValues(const QVariantList& v);
  double maxMs() const { return max_ms_; }
  void setMaxMs(double v);
  double amberMs() const { return amber_ms_; }
  void setAmberMs(double v);
  double greenMs() const { return green_ms_; }
  void setGreenMs(double v);

 signals:
  void valuesChanged();

 protected:
  void paint(QPainter* painter) override;

 private:
  QVariantList values_;
  double max_ms_ = 300;
  double amber_ms_ = 300;
  double green_ms_ = 150;
};

}  // namespace surgilink::console
