#pragma once
// A scene-graph line plot of glass-to-glass latency per second (the HUD's 60 s history), with the amber and
// red thresholds drawn as lines. No JavaScript canvas: it repaints only when the values change.

#include <QColor>
#include <QQuickItem>
#include <QVariantList>

namespace surgilink::console {

// GUI thread sets properties; the render thread builds the geometry in updatePaintNode.
class LatencyPlot : public QQuickItem {
  Q_OBJECT
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
  QSGNode* updatePaintNode(QSGNode* old_node, UpdatePaintNodeData*) override;

 private:
  QVariantList values_;
  double max_ms_ = 300;
  double amber_ms_ = 300;
  double green_ms_ = 150;
};

}  // namespace surgilink::console
